"""`clearinghouse createuser` builds the same checked input as every other way users are made."""

from __future__ import annotations

import pytest

from clearinghouse.accounts.models import User
from clearinghouse.audit.models import AuditEvent
from clearinghouse.cli import main

pytestmark = pytest.mark.django_db


def test_a_user_is_created_into_an_organisation_and_audited(org, monkeypatch, capsys):
    org("Lab One", "lab")
    monkeypatch.setenv("CLEARINGHOUSE_PASSWORD", "long-enough-password")
    assert main(["createuser", "dev", "--role", "developer", "--organisation", "Lab One"]) == 0
    user = User.objects.get(username="dev")
    assert user.organisation is not None and user.organisation.name == "Lab One"
    assert not user.is_staff
    assert AuditEvent.objects.filter(action="user.created", object_id=str(user.pk)).exists()
    assert "created dev" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "password", "message"),
    [
        (["--role", "developer", "--organisation", "Lab One"], "short", "at least 8 characters"),
        (["--role", "operator", "--organisation", "Lab One"], "long-enough-1", "of kind"),
        (["--role", "vendor"], "long-enough-1", "must belong to an organisation"),
        (["--role", "developer", "--organisation", "Nowhere"], "long-enough-1", "no organisation"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(
    org, monkeypatch, capsys, arguments, password, message
):
    org("Lab One", "lab")
    monkeypatch.setenv("CLEARINGHOUSE_PASSWORD", password)
    assert main(["createuser", "someone", *arguments]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not User.objects.filter(username="someone").exists()


def test_a_taken_name_is_refused(org, monkeypatch, capsys):
    org("Lab One", "lab")
    monkeypatch.setenv("CLEARINGHOUSE_PASSWORD", "long-enough-password")
    arguments = ["createuser", "dev", "--role", "developer", "--organisation", "Lab One"]
    assert main(arguments) == 0
    assert main(arguments) == 2
    assert "already exists" in capsys.readouterr().err
