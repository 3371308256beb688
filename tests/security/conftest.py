"""The seeded world, built once per module inside a transaction rolled back at its end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .world import World, build


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world per module: each test's own transaction (`db`) nests inside this one."""
    from django.db import transaction
    from django.test import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as `user_in`: a fast suite
    logs = tmp_path_factory.mktemp("assessments")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, CLEARINGHOUSE_ASSESSMENT_DIR=logs),
        transaction.atomic(),
    ):
        yield build()
        transaction.set_rollback(True)
