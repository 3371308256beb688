"""Fixtures shared by the Django tests: organisations of each kind, users of each role, clients.

Django is imported inside the fixtures so that the core tests also run without Django
(`pytest tests/core -p no:django`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.test import Client

    from clearinghouse.accounts.models import Organisation, User

PASSWORD = "correct-horse-battery"
#: A statement that writes the audit chain head: its own UPDATE, or (PostgreSQL) the UPDATE in
#: the `WITH` of the statement that inserts the events.
HEAD_WRITE = re.compile(r'\bUPDATE\s+"?audit_auditchainhead"?\s+SET\b', re.IGNORECASE)


@pytest.fixture(scope="session", autouse=True)
def plain_http() -> Any:
    """The test clients and the live server speak plain HTTP: no redirect to HTTPS.

    Everything else stays as production has it (Secure cookies, HSTS, CSP, sign-in limits);
    tests/security checks the redirect's default in a fresh process.
    """
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


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
    from django.http import HttpRequest
    from django.test import Client

    def make(user: User) -> Client:
        client = Client()
        # django-axes counts sign-ins per request, so the test client's sign-in needs one.
        assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
        return client

    return make


@pytest.fixture
def race(transactional_db: None) -> Callable[..., list[Any]]:
    """Run callables at the same instant in threads, each on its own database connection.

    Returns each one's result or the exception it raised, in order. The row locks that
    serialise workflows are PostgreSQL's; the in-memory SQLite test database has table locks
    across threads instead, so race tests run on PostgreSQL (scripts/test runs them there).
    """
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL row locks (scripts/test runs them on PostgreSQL)")

    def run(*actions: Callable[[], Any]) -> list[Any]:
        barrier = threading.Barrier(len(actions))
        results: list[Any] = [None] * len(actions)

        def act(position: int, action: Callable[[], Any]) -> None:
            from django.db import connection as own

            try:
                barrier.wait(timeout=30)
                results[position] = action()
            except BaseException as error:  # the test inspects what each side got
                results[position] = error
            finally:
                own.close()

        threads = [
            threading.Thread(target=act, args=(n, action)) for n, action in enumerate(actions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), "a racer never finished"
        return results

    return run


@pytest.fixture
def chain_appends(db: None) -> Callable[[], Any]:
    """`with chain_appends() as appends: …` then `appends.count`: writes of the audit chain head.

    Each is one append of a unit of work; a service command should make exactly one.
    """
    from contextlib import contextmanager
    from types import SimpleNamespace

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextmanager
    def count() -> Any:
        seen = SimpleNamespace(count=0)
        with CaptureQueriesContext(connection) as queries:
            yield seen
        seen.count = sum(HEAD_WRITE.search(q["sql"]) is not None for q in queries.captured_queries)

    return count
