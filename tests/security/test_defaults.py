"""Production defences on by default: sign-in lockout, 401 for bad tokens, deploy checks."""

from __future__ import annotations

import datetime as dt
import os

from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from clearinghouse.cli import main
from tests.conftest import PASSWORD


def test_a_bad_or_missing_token_is_a_401_with_www_authenticate(db) -> None:
    for headers in ({}, {"Authorization": "Bearer chk_not-a-token"}):
        response = Client(headers=headers).get("/api/intake/reports")
        assert response.status_code == 401, response.content
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_repeated_wrong_passwords_lock_the_account_out_even_with_the_right_one(
    cast, settings
) -> None:
    user = cast["admin"].username
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/account/login/", {"username": user, "password": "wrong-password"})
    response = client.post("/account/login/", {"username": user, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # another address is not locked out of that account (username + address)
    other = Client(REMOTE_ADDR="198.51.100.9")
    response = other.post("/account/login/", {"username": user, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in other.session


def test_a_locked_account_and_address_signs_in_again_once_the_cool_off_has_passed(
    cast, settings
) -> None:
    """Time is driven by ageing the recorded failures (what axes compares with its clock)."""
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    user = cast["admin"].username
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/account/login/", {"username": user, "password": "wrong-password"})

    def age(by: dt.timedelta) -> None:
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)

    age(dt.timedelta(minutes=14))  # not yet: still locked, even with the right password
    response = client.post("/account/login/", {"username": user, "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # that try counted as a failure too, so the cool-off runs from it
    age(dt.timedelta(minutes=1, seconds=1))
    response = client.post("/account/login/", {"username": user, "password": PASSWORD})
    assert response.status_code == 429
    age(dt.timedelta(minutes=15, seconds=1))  # the cool-off has passed
    response = client.post("/account/login/", {"username": user, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_pages_carry_a_self_only_content_security_policy(cast, pages_as) -> None:
    response = pages_as(cast["lab1"]).get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy


def test_check_deploy_fails_on_the_test_configuration(db, capsys) -> None:
    """The test settings (no TLS, a test secret key) must not pass as production."""
    assert main(["check", "--deploy"]) == 1
    out = capsys.readouterr()
    assert "security." in out.out + out.err or "clearinghouse." in out.out + out.err


def test_files_created_by_the_process_are_owner_only(tmp_path) -> None:
    """The settings set umask 077, so whatever the process creates is its owner's alone."""
    path = tmp_path / "created"
    path.write_text("x")
    assert os.stat(path).st_mode & 0o077 == 0
