"""The seeded worlds, each built once per module inside a transaction rolled back at its end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from .world import World, build, with_history


@contextmanager
def _seeded(
    blocker: Any, factory: pytest.TempPathFactory, seed: Callable[[], World]
) -> Iterator[World]:
    """`seed()`'s world: each test's own transaction (`db`) nests inside this one."""
    from django.db import transaction
    from django.test import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as `user_in`: a fast suite
    logs = factory.mktemp("assessments")
    with (
        blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, CLEARINGHOUSE_ASSESSMENT_DIR=logs),
        transaction.atomic(),
    ):
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The authorization matrix's world: one object of each kind for each tenant."""
    with _seeded(django_db_blocker, tmp_path_factory, build) as seeded:
        yield seeded


@pytest.fixture(scope="module")
def history_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The matrix's world after government staff acted on everything with a history."""
    with _seeded(django_db_blocker, tmp_path_factory, lambda: with_history(build())) as seeded:
        yield seeded
