"""Writing and verifying the audit log; every state change in every app goes through `record`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from clearinghouse.accounts.models import User
from clearinghouse.core.hashchain import GENESIS, BrokenLink, ChainLink, canonical_json, link_hash
from clearinghouse.core.hashchain import first_broken_link as _first_broken_link

from .models import AuditChainHead, AuditEvent


def _as_text(state: Mapping[str, Any] | None) -> str:
    return canonical_json(state).decode() if state is not None else ""


@dataclass(frozen=True)
class Entry:
    """One event for `record_many`: the same arguments `record` takes."""

    actor: User | None
    action: str
    subject: models.Model
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    policy_id: str = ""
    policy_version: str = ""


def record_many(entries: Sequence[Entry]) -> list[AuditEvent]:
    """Append several events, in order, under one lock of the chain head.

    Hashed exactly as `record` hashes (each event links to the one before), but the head is
    read and written once and the events are inserted together, which saves a round trip per
    event for callers that change several things in one transaction. No savepoint: it runs in
    the caller's transaction (or its own), and a failure rolls the caller's change back too.
    """
    if not entries:
        return []
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS}
        )
        sequence, previous = head.last_sequence, head.last_hash
        events = []
        for entry in entries:
            actor = entry.actor
            sequence += 1
            event = AuditEvent(
                sequence=sequence,
                occurred_at=timezone.now(),
                actor=actor,
                actor_label=actor.get_username() if actor is not None else "system",
                organisation_id_at_time=actor.organisation_id if actor is not None else None,
                action=entry.action,
                object_type=entry.subject._meta.label_lower,
                object_id=str(entry.subject.pk),
                before=_as_text(entry.before),
                after=_as_text(entry.after),
                policy_id=entry.policy_id,
                policy_version=entry.policy_version,
                previous_hash=previous,
            )
            event.hash = previous = link_hash(previous, event.chain_payload())
            events.append(event)
        AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(pk=1).update(last_sequence=sequence, last_hash=previous)
    return events


def record(
    *,
    actor: User | None,
    action: str,
    subject: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    policy_id: str = "",
    policy_version: str = "",
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction so it commits with the change."""
    entry = Entry(actor, action, subject, before, after, policy_id, policy_version)
    return record_many([entry])[0]


def _links() -> Iterator[ChainLink]:
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        yield ChainLink(event.sequence, event.chain_payload(), event.previous_hash, event.hash)


def first_broken_link() -> BrokenLink | None:
    """Recompute the whole chain from the database; None means it is intact.

    Also catches removal of the newest rows, which the chain alone cannot show, by comparing
    its end with the chain head.
    """
    broken = _first_broken_link(_links())
    if broken is not None:
        return broken
    head = AuditChainHead.objects.filter(pk=1).first()
    last = AuditEvent.objects.order_by("-sequence").first()
    if head is not None and (
        last is None or last.sequence != head.last_sequence or last.hash != head.last_hash
    ):
        found = last.sequence if last else 0
        return BrokenLink(
            found + 1,
            f"chain ends at {found} but the head records {head.last_sequence}: events were removed",
        )
    return None


def history(subject: models.Model) -> models.QuerySet[AuditEvent]:
    """The audit events about one object, oldest first."""
    return AuditEvent.objects.filter(
        object_type=subject._meta.label_lower, object_id=str(subject.pk)
    ).select_related("actor")
