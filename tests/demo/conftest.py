"""Demo seeding writes eval logs: keep them under the test's own directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def demo_settings(settings: Any, tmp_path: Path) -> None:
    settings.CLEARINGHOUSE_ASSESSMENT_DIR = tmp_path / "assessments"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
