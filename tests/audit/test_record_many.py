"""`append` writes several events under one lock, hashed exactly as `record` hashes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clearinghouse.audit.models import AuditChainHead, AuditEvent
from clearinghouse.audit.services import Entry, append, first_broken_link, record
from clearinghouse.core.hashchain import GENESIS, link_hash

pytestmark = pytest.mark.django_db


def _entries(cast, count: int) -> list[Entry]:
    org = cast["lab1"].organisation
    return [
        Entry(actor=cast["lab1"], action=f"bulk.{n}", subject=org, after={"n": n, "x": 1.5})
        for n in range(count)
    ]


def test_events_are_appended_in_order_and_the_chain_verifies(cast):
    org = cast["lab1"].organisation
    record(actor=None, action="single.before", subject=org)
    events = append(_entries(cast, 3))
    record(actor=cast["lab1"], action="single.after", subject=org, before={"a": [1, 2]})
    stored = list(AuditEvent.objects.order_by("sequence"))
    actions = [e.action for e in stored]
    assert actions[-5:] == ["single.before", "bulk.0", "bulk.1", "bulk.2", "single.after"]
    assert [e.sequence for e in stored] == list(range(1, len(stored) + 1))
    assert [e.pk for e in events] == [e.pk for e in stored[-4:-1]]
    assert stored[-4].after == '{"n":0,"x":1.5}' and stored[-4].actor_label == cast["lab1"].username
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_sequence, head.last_hash) == (stored[-1].sequence, stored[-1].hash)
    # Each stored event, read back, links to the one before with `record`'s hash.
    previous = GENESIS
    for event in stored:
        assert event.previous_hash == previous
        assert event.hash == link_hash(previous, event.chain_payload())
        previous = event.hash
    assert first_broken_link() is None


def test_an_edited_bulk_event_is_the_first_broken_link(cast):
    events = append(_entries(cast, 4))
    record(actor=None, action="single.after", subject=cast["lab1"].organisation)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET after = %s WHERE sequence = %s",
            ['{"n":99,"x":1.5}', events[2].sequence],
        )
    broken = first_broken_link()
    assert broken is not None and broken.sequence == events[2].sequence


def test_removing_the_last_bulk_events_is_detected(cast):
    events = append(_entries(cast, 3))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [events[-1].sequence])
    broken = first_broken_link()
    assert broken is not None and "removed" in broken.reason


def test_one_lock_and_one_insert_whatever_the_number_of_events(cast):
    record(actor=None, action="first", subject=cast["lab1"].organisation)
    with CaptureQueriesContext(connection) as few:
        append(_entries(cast, 2))
    with CaptureQueriesContext(connection) as many:
        append(_entries(cast, 20))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert sum("audit_auditevent" in q["sql"] for q in many.captured_queries) == 1
    assert first_broken_link() is None


def test_nothing_to_record_touches_nothing(cast):
    with CaptureQueriesContext(connection) as queries:
        assert append([]) == []
    assert queries.captured_queries == []
