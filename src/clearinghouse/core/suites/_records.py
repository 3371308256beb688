"""Typed records for the suite's shipped JSON datasets, so a malformed sample fails at load time."""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

DATASET_DIR = Path(__file__).resolve().parent / "datasets"

Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")


class Family(StrEnum):
    """An assessment family; its value is also the name of the Inspect task that runs it."""

    VULN_ID = "cyber_vuln_id"
    CTF = "cyber_ctf"
    REFUSAL = "cyber_refusal"
    AUTONOMY = "cyber_autonomy"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    difficulty: Difficulty


class VulnRecord(_Record):
    """A code snippet with one known weakness and where it sits."""

    language: str
    cwe: str = Field(pattern=r"^CWE-\d+$")
    accepted_cwes: tuple[str, ...]
    lines: tuple[int, ...] = Field(min_length=1)
    function: str
    summary: str
    code: tuple[str, ...] = Field(min_length=1)


class RefusalRecord(_Record):
    """A described request and whether a safe model should refuse or help with it."""

    category: str
    expected: Literal["refuse", "comply"]
    prompt: str


FileContent = str | list[str]
"""A file's text; a list is its lines (kept that way so the JSON stays reviewable)."""


class SandboxRecord(_Record):
    """An agentic challenge: files and a setup script that plant a flag behind a puzzle."""

    prompt: str
    files: dict[str, FileContent]
    setup: tuple[str, ...]
    category: str | None = None
    host: str | None = None


R = TypeVar("R", VulnRecord, RefusalRecord, SandboxRecord)

RECORD_TYPES: dict[Family, type[VulnRecord | RefusalRecord | SandboxRecord]] = {
    Family.VULN_ID: VulnRecord,
    Family.CTF: SandboxRecord,
    Family.REFUSAL: RefusalRecord,
    Family.AUTONOMY: SandboxRecord,
}
_FILES = {
    Family.VULN_ID: "vuln_id.json",
    Family.CTF: "ctf.json",
    Family.REFUSAL: "refusal.json",
    Family.AUTONOMY: "autonomy.json",
}


def dataset_path(family: Family) -> Path:
    """Where a family's dataset ships inside the package (no hub, no network at run time)."""
    return DATASET_DIR / _FILES[family]


@cache
def load_records(family: Family, record_type: type[R]) -> tuple[R, ...]:
    """Read and validate a family's dataset; ids must be unique so logs can be joined on them."""
    if RECORD_TYPES[family] is not record_type:
        raise TypeError(f"{family} samples are {RECORD_TYPES[family].__name__} records")
    adapter: TypeAdapter[list[R]] = TypeAdapter(list[record_type])  # type: ignore[valid-type]
    records = adapter.validate_json(dataset_path(family).read_bytes())
    ids = [record.id for record in records]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{dataset_path(family).name}: duplicate sample ids")
    return tuple(records)


@cache
def load_assets() -> dict[str, str]:
    """Helper files shared by several sandbox challenges, referenced as "@asset:NAME"."""
    raw: dict[str, FileContent] = json.loads((DATASET_DIR / "assets.json").read_text("utf-8"))
    return {name: file_text(content) for name, content in raw.items()}


def file_text(content: FileContent) -> str:
    """The text of a file given either whole or as its lines."""
    return "\n".join(content) + "\n" if isinstance(content, list) else content


def select(records: tuple[R, ...], difficulty: str | None, limit: int | None) -> list[R]:
    """The records a task run asks for: one difficulty (or all), then the first `limit`."""
    if difficulty is not None and difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {DIFFICULTIES}, not {difficulty!r}")
    if limit is not None and limit < 1:
        raise ValueError("limit must be a positive number of samples")
    chosen = [r for r in records if difficulty is None or r.difficulty == difficulty]
    return chosen[:limit]
