"""Fixtures for the suite's tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def plain_login_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's shell set-up out of the local sandbox.

    Inspect's bash tool runs `bash --login`, which sources ~/.profile; a shell initialiser
    there (pyenv init costs ~0.3 s) would run on every tool call, and a version-manager shim
    as `python3` costs as much again on every challenge script. Both make the agentic tests
    slow and dependent on the machine, so the sandbox gets an empty home and this
    interpreter as its `python3` (the challenges need only the standard library).
    """
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
