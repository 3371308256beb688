"""Fixtures shared by the Django tests: organisations of each kind, users of each role, clients.

Django is imported inside the fixtures so that the core tests also run without Django
(`pytest tests/core -p no:django`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.test import Client

    from clearinghouse.accounts.models import Organisation, User

PASSWORD = "correct-horse-battery"


@pytest.fixture
def future() -> Callable[[int], str]:
    """An ISO date `days` from today, for release dates that must lie ahead."""
    return lambda days: (dt.date.today() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def declaration(future: Callable[[int], str]) -> Callable[..., dict[str, Any]]:
    """A valid lab declaration, with overrides."""

    def make(**overrides: Any) -> dict[str, Any]:
        return {
            "name": "Test Model",
            "version": "1",
            "training_compute_flop": 1e24,
            "modalities": ["text"],
            "capabilities": [],
            "tools": [],
            "planned_release_date": future(60),
            "deployment_channels": ["api"],
        } | overrides

    return make


@pytest.fixture
def org(db: None) -> Callable[..., Organisation]:
    """Create an organisation of a kind, with the sector or track it needs."""

    from clearinghouse.accounts.models import Organisation

    def make(name: str, kind: str, **extra: str) -> Organisation:
        defaults = {"operator": {"sector": "energy"}, "agency": {"track": "civilian"}}
        return Organisation.objects.create(name=name, kind=kind, **(defaults.get(kind, {}) | extra))

    return make


@pytest.fixture
def user_in(db: None, settings: Any) -> Callable[[str, Organisation | None], User]:
    """Create a user with a role in an organisation.

    Passwords are hashed with MD5 here only to keep the suite fast; production uses Argon2
    (tests/accounts/test_passwords.py proves it).
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from clearinghouse.accounts.models import Role, User
    from clearinghouse.accounts.services import create_user

    def make(role: str, organisation: Organisation | None) -> User:
        name = f"{role}-{organisation.pk if organisation else 'platform'}-{User.objects.count()}"
        return create_user(
            username=name, password=PASSWORD, role=Role(role), organisation=organisation
        )

    return make


@pytest.fixture
def cast(
    org: Callable[..., Organisation], user_in: Callable[[str, Organisation | None], User]
) -> dict[str, User]:
    """One user of every role, with two labs so tenancy can be tested."""
    clearinghouse = org("Clearinghouse", "clearinghouse")
    return {
        "lab1": user_in("developer", org("Lab One", "lab")),
        "lab2": user_in("developer", org("Lab Two", "lab")),
        "reviewer": user_in("reviewer", org("Agency", "agency", track="national_security")),
        "coordinator": user_in("coordinator", clearinghouse),
        "vendor": user_in("vendor", org("Vendor", "vendor")),
        "operator": user_in("operator", org("Utility", "operator", sector="energy")),
        "admin": user_in("admin", clearinghouse),
    }


@pytest.fixture
def api_as(db: None) -> Callable[[User], Client]:
    """A test client that authenticates every request with a fresh bearer token of `user`."""
    from django.test import Client

    from clearinghouse.accounts.services import issue_token

    def make(user: User) -> Client:
        _, secret = issue_token(user, "test")
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return make


@pytest.fixture
def pages_as(db: None) -> Callable[[User], Client]:
    """A test client signed in as `user` through the login page's session."""
    from django.test import Client

    def make(user: User) -> Client:
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return make
