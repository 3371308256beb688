"""Fixtures for the scanning tests: OSV records written by hand, and a recorder of re-match jobs.

django-tasks 0.9 cannot build a task result on Python 3.11 (any backend; fixed in 0.11), so
the queue is replaced by a recorder and tests run the recorded jobs with `Task.call`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from clearinghouse.assets import tasks

REAL_REMATCH = tasks.rematch


def osv_record(osv_id: str, package: str, **overrides: Any) -> dict[str, Any]:
    """A PyPI advisory affecting `package` from 1.0 up to (not including) 2.0."""
    return {
        "schema_version": "1.6.0",
        "id": osv_id,
        "modified": "2024-05-01T00:00:00Z",
        "summary": f"{package} is unsafe",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": package},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "2.0"}]}
                ],
            }
        ],
    } | overrides


@pytest.fixture
def write_osv(tmp_path: Path) -> Callable[..., Path]:
    """Write records as ID.json files into a fresh directory and return it."""
    counter = iter(range(1_000_000))

    def write(*records: dict[str, Any]) -> Path:
        directory = tmp_path / f"feed{next(counter)}"
        directory.mkdir()
        for record in records:
            (directory / f"{record['id']}.json").write_text(json.dumps(record))
        return directory

    return write


@pytest.fixture(autouse=True)
def rematch_jobs() -> Any:
    """Record re-match jobs instead of queueing them; `run()` executes them in order."""
    jobs: list[tuple[list[list[str]], list[str]]] = []
    recorder = mock.Mock(enqueue=lambda keys, ids: jobs.append((keys, ids)))

    def run() -> list[dict[str, int]]:
        done = [REAL_REMATCH.call(keys, ids) for keys, ids in jobs]
        jobs.clear()
        return done

    with mock.patch.object(tasks, "rematch", recorder):
        yield mock.Mock(jobs=jobs, run=run)
