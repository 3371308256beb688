"""`audited()` collects a transaction's events and appends them once, at its end."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clearinghouse.accounts.models import Organisation
from clearinghouse.audit.models import AuditEvent
from clearinghouse.audit.services import Entry, audited, first_broken_link, record, record_many
from tests.conftest import HEAD_WRITE

pytestmark = pytest.mark.django_db


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


def test_events_are_appended_together_when_the_unit_ends(cast):
    org = cast["lab1"].organisation
    with audited():
        record(actor=cast["lab1"], action="one", subject=org)
        record_many([Entry(cast["lab1"], "two", org), Entry(None, "three", org)])
        assert "one" not in _actions()  # nothing touches the chain before the end
    assert _actions()[-3:] == ["one", "two", "three"]
    assert first_broken_link() is None


def test_the_chain_head_is_written_once_per_unit_whatever_the_number_of_events(cast):
    org = cast["lab1"].organisation
    with CaptureQueriesContext(connection) as queries, audited():
        for n in range(12):
            record(actor=None, action=f"event.{n}", subject=org)
    updates = [q for q in queries.captured_queries if HEAD_WRITE.search(q["sql"]) is not None]
    assert len(updates) == 1
    assert sum("audit_auditevent" in q["sql"] for q in queries.captured_queries) == 1


def test_a_failed_unit_appends_nothing_and_keeps_no_change(cast):
    org = cast["lab1"].organisation
    before = _actions()
    with pytest.raises(RuntimeError), audited():
        Organisation.objects.filter(pk=org.pk).update(name="renamed")
        record(actor=None, action="never", subject=org)
        raise RuntimeError("boom")
    assert _actions() == before
    org.refresh_from_db()
    assert org.name != "renamed"


def test_a_failed_inner_unit_drops_only_its_own_events(cast):
    org = cast["lab1"].organisation
    with audited():
        record(actor=None, action="outer.kept", subject=org)
        try:
            with audited():
                record(actor=None, action="inner.dropped", subject=org)
                raise ValueError("inner fails")
        except ValueError:
            pass
        with audited():
            record(actor=None, action="inner.kept", subject=org)
    actions = _actions()
    assert actions[-2:] == ["outer.kept", "inner.kept"]
    assert "inner.dropped" not in actions


def test_events_keep_the_time_they_were_recorded_at(cast):
    with audited():
        record(actor=None, action="early", subject=cast["lab1"].organisation)
        between = timezone.now()
    assert AuditEvent.objects.get(action="early").occurred_at <= between


def test_outside_a_unit_record_appends_at_once(cast):
    record(actor=None, action="alone", subject=cast["lab1"].organisation)
    assert _actions()[-1] == "alone"


def test_while_the_head_is_locked_an_append_makes_one_statement_on_postgresql(cast):
    """Every statement between the head's lock and the commit is paid by every audited
    write waiting for the head; on PostgreSQL the events and the new head are one."""
    org = cast["lab1"].organisation
    with CaptureQueriesContext(connection) as queries, audited():
        record(actor=None, action="one", subject=org)
        record(actor=None, action="two", subject=org)
    # (the unit's commit is a savepoint's release here: the test runs in a transaction)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    (locked,) = [  # SELECT … FOR UPDATE on PostgreSQL; SQLite has no row lock to ask for
        n for n, sql in enumerate(statements) if sql.startswith('SELECT "audit_auditchainhead"')
    ]
    held = statements[locked + 1 :]
    assert len(held) == (1 if connection.vendor == "postgresql" else 2), held
    assert sum(HEAD_WRITE.search(sql) is not None for sql in held) == 1
    assert first_broken_link() is None
    assert list(AuditEvent.objects.order_by("-sequence").values_list("action", flat=True)[:2]) == [
        "two",
        "one",
    ]
