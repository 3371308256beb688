"""The audit log records every change, cannot be edited through the app, and detects tampering."""

from __future__ import annotations

import pytest
from django.db import connection

from clearinghouse.audit.models import AuditEvent
from clearinghouse.audit.services import first_broken_link
from clearinghouse.cli import main
from clearinghouse.frontier.inputs import RegisterModel, UpdateModel
from clearinghouse.frontier.services import register_model, update_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(cast, declaration):
    model = register_model(cast["lab1"], RegisterModel(**declaration()))
    update_model(cast["lab1"], model, UpdateModel(training_compute_flop=2e26))
    return list(AuditEvent.objects.order_by("sequence"))


def test_changes_are_recorded_with_actor_before_after_and_policy(events, cast):
    updated = next(e for e in events if e.action == "model.updated")
    assert updated.actor == cast["lab1"]
    assert '"training_compute_flop":1e+24' in updated.before
    assert '"training_compute_flop":2e+26' in updated.after
    determined = [e for e in events if e.action == "determination.recorded"]
    assert [e.policy_id for e in determined] == ["eo-2026", "eo-2026"]
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))


def test_intact_chain_verifies_from_the_command(events, capsys):
    assert main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


def test_a_row_edited_in_the_database_is_reported_as_the_first_broken_link(events, capsys):
    target = events[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET after = %s WHERE sequence = %s",
            ['{"covered":true}', target.sequence],
        )
    broken = first_broken_link()
    assert broken is not None and broken.sequence == target.sequence
    assert main(["audit", "verify"]) == 1
    assert f"#{target.sequence}" in capsys.readouterr().out


def test_removing_the_newest_rows_is_detected(events):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [events[-1].sequence])
    broken = first_broken_link()
    assert broken is not None and "removed" in broken.reason


def test_the_application_cannot_edit_or_delete_events(events):
    event = events[0]
    event.action = "forged"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert first_broken_link() is None
