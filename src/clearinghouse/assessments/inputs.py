"""Typed inputs of the assessment commands: the API's bodies, built by the pages' forms and the CLI.

Each rule and its message is here once; `services` takes these and checks only what needs
the database or this machine (the notice's state, the access grant, whether a suite's
sandbox is here, the upload size limit of the settings, who may act). Resuming a run and
filing a candidate take nothing but the thing they act on, so they have no input here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ninja.files import UploadedFile
from pydantic import Field, field_validator

from clearinghouse.inputs import Command

from .catalog import Suite
from .runner import LOG_SUFFIXES


class StartRun(Command):
    """Which suite to run, and optionally another model at the granted endpoint or provider."""

    suite: Suite = Field(description="the whole cyber suite, one family, or an optional suite")
    model: str = Field(
        default="",
        max_length=200,
        description="another model name at the granted endpoint (PROVIDER/NAME for a provider)",
    )

    @field_validator("suite", mode="before")
    @classmethod
    def _a_suite(cls, value: Any) -> Any:
        if value not in {suite.value for suite in Suite}:
            raise ValueError(f"one of {', '.join(Suite)}")
        return value

    @field_validator("model")
    @classmethod
    def _one_word(cls, value: str) -> str:
        if any(c.isspace() for c in value):
            raise ValueError("a model name without spaces, at most 200 chars")
        return value


class UploadLog(Command):
    """An Inspect eval log run elsewhere (a .eval or .json file), uploaded as multipart `file`."""

    file: UploadedFile = Field(description="the eval log: a .eval or .json file")

    @field_validator("file", mode="before")
    @classmethod
    def _chosen(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("choose an eval log to upload")
        return value

    @field_validator("file")
    @classmethod
    def _an_eval_log(cls, value: UploadedFile) -> UploadedFile:
        if Path(value.name or "").suffix.lower() not in LOG_SUFFIXES:
            raise ValueError("an Inspect eval log: a .eval or .json file")
        return value
