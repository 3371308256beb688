"""Locates the real public data in ../shared/data that tests read in place (never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    """Return ../shared/data, or skip the test (fail under CI=true) when it is absent.

    A user's clone may lack the shared data; CI must never silently skip it.
    """
    root = Path(os.environ.get("CLEARINGHOUSE_SHARED_DATA", _REPO_ROOT.parent / "shared" / "data"))
    if root.is_dir():
        return root
    message = f"shared data not found at {root} (set CLEARINGHOUSE_SHARED_DATA)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def shared_data(relative: str) -> Path:
    """Return a path under the shared data directory, failing clearly if that entry is missing."""
    path = shared_data_dir() / relative
    if not path.exists():
        pytest.fail(f"expected shared data entry {path} is missing")
    return path
