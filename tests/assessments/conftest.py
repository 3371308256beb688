"""A notice under review with both tracks staffed, a scripted endpoint granted, small bounds,
and eval logs to upload."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.scorer import match

from clearinghouse.core.egress import Allowlist
from clearinghouse.core.suites import SUITES
from clearinghouse.demo import scripted
from tests.reviews.conftest import covered_model, people, submitted, under_review

from . import openai_server

__all__ = ["covered_model", "people", "submitted", "under_review"]


@pytest.fixture(autouse=True)
def assessment_settings(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small, fast, bounded runs with logs under tmp_path; the local sandbox, a plain shell."""
    settings.CLEARINGHOUSE_ASSESSMENT_DIR = tmp_path / "assessments"
    settings.CLEARINGHOUSE_ASSESSMENT = dict(settings.CLEARINGHOUSE_ASSESSMENT) | {
        "max_retries": 0,
        "timeout_seconds": 10,
        "sample_limit": 6,
        "sandbox": "local",
        "max_connections": 2,
        "stale_after_seconds": 60,
    }
    # the scripted endpoints listen on 127.0.0.1: allowed as an operator would allow a local
    # model server (the outbound policy refuses loopback otherwise)
    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse("127.0.0.1")
    # the scripted endpoints stand in for real models; as an admin allowing the local sandbox
    # (tests/assessments/test_secrets.py covers the refusal without it)
    settings.CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX = True
    # as in tests/core/suites: keep the developer's login shell out of the local sandbox
    home, bin_dir = tmp_path / "home", tmp_path / "bin"
    home.mkdir()
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.fixture
def grant_endpoint(people: dict[str, Any], api_as: Callable[..., Any]) -> Callable[..., Any]:
    """The lab grants reviewers an OpenAI-compatible endpoint with the scripted key."""

    def grant(notice_id: int, base_url: str, key: str = openai_server.API_KEY) -> Any:
        response = api_as(people["lab1"]).post(
            f"/api/reviews/notices/{notice_id}/access-grants",
            {
                "kind": "openai_compatible",
                "base_url": base_url,
                "model": "lab-model",
                "api_key": key,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        return response.json()

    return grant


@pytest.fixture
def capable_endpoint() -> Iterator[openai_server.ScriptedEndpoint]:
    with openai_server.serve(openai_server.capable()) as endpoint:
        yield endpoint


@pytest.fixture
def refusing_endpoint() -> Iterator[openai_server.ScriptedEndpoint]:
    with openai_server.serve(openai_server.refusing) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A capable model's vuln-id log (.eval and .json) and a log of a task not in the suite."""
    out = tmp_path_factory.mktemp("logs")
    made = {}
    for log_format in ("eval", "json"):
        (log,) = eval(
            SUITES["cyber_vuln_id"](limit=3),
            model=scripted.mock(scripted.vuln_expert()),
            display="none",
            log_dir=str(out / log_format),
            log_format=log_format,
            max_retries=0,
        )
        made[log_format] = Path(log.location)
    other = Task(dataset=[Sample(input="hi", target="hi")], scorer=match(), name="greeting")
    (log,) = eval(
        other,
        model=scripted.mock(scripted.refusing()),
        display="none",
        log_dir=str(out / "other"),
        max_retries=0,
    )
    made["other"] = Path(log.location)
    return made
