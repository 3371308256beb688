"""Writing and verifying the audit log; every state change in every app goes through `record`.

Services change state inside `audited()`: the events they `record` are collected and appended
to the chain once, at the end of the transaction, so the chain head (one row every audited
write in the platform waits for) is locked only for that last step, never through the work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from clearinghouse.accounts.models import User
from clearinghouse.core.checkpoints import (
    Checkpoint,
    PublicKeys,
    first_mismatch,
    first_unsigned,
    sign,
)
from clearinghouse.core.hashchain import GENESIS, BrokenLink, ChainLink, canonical_json, link_hash
from clearinghouse.core.hashchain import first_broken_link as _first_broken_link

from . import signing
from .models import AuditChainHead, AuditCheckpoint, AuditEvent


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
    #: When it happened: when it was recorded, not when the unit of work appended it.
    occurred_at: dt.datetime = field(default_factory=timezone.now)


#: The events of the unit of work in progress in this thread (None: none is open).
_unit: ContextVar[list[Entry] | None] = ContextVar("audit_unit_of_work", default=None)


@contextmanager
def audited() -> Iterator[None]:
    """A transaction whose recorded events are appended to the chain once, at its end.

    Use it where `transaction.atomic()` would go around a state change. Nested, it joins the
    outer unit (a savepoint): if the inner block fails its events go with its changes, and
    the outer block's events are appended when the outermost block ends. A failure anywhere
    before that rolls back the changes and appends nothing.
    """
    outer = _unit.get()
    entries: list[Entry] = []
    token = _unit.set(entries)
    try:
        with transaction.atomic():
            yield
            if outer is None:
                # The unit's own events are appended here, inside its transaction.
                _unit.reset(token)
                token = _unit.set(None)
                append(entries)
    finally:
        _unit.reset(token)
    if outer is not None:
        outer.extend(entries)


def append(entries: Sequence[Entry]) -> list[AuditEvent]:
    """Append events to the chain, in order, under one lock of the chain head.

    The one writer of the chain (`audited()` calls it at the end of a unit of work; `record`
    and `record_many` outside one). Each event links to the one before; the head is read and
    written once and the events are inserted together. No savepoint: it runs in the caller's
    transaction (or its own), and a failure rolls the caller's change back too. The last
    event carries the signature of the new head (one signature per append), and an append
    that crosses a multiple of CLEARINGHOUSE_AUDIT_CHECKPOINT_EVERY stores a checkpoint.
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
                occurred_at=entry.occurred_at,
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
        signed = sign(signing.signing_key(), sequence, previous)
        events[-1].key_id, events[-1].signature = signed.key_id, signed.signature
        _insert_moving_head(events, sequence, previous)
        every = signing.checkpoint_every()
        if every > 0 and sequence // every != head.last_sequence // every:
            AuditCheckpoint.objects.create(
                sequence=sequence,
                head_hash=previous,
                key_id=signed.key_id,
                signature=signed.signature,
            )
    return events


def _insert_moving_head(events: list[AuditEvent], sequence: int, head_hash: str) -> None:
    """Insert the events and move the chain head to the last of them, while it is locked.

    On PostgreSQL in one statement (the head's update as a data-modifying `WITH`, which runs
    to completion whether or not the insert reads it): each round trip made while the head
    is held is paid by every audited write waiting for it, and under load it is a wait for
    the holder's thread to get its GIL back, not for the database (docs/benchmarks.md). On
    SQLite the database is in the process, and a statement costs no round trip.
    """
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(pk=1).update(last_sequence=sequence, last_hash=head_hash)
        return
    insert = InsertQuery(AuditEvent)
    rows: list[models.Model] = [*events]
    insert.insert_values([f for f in AuditEvent._meta.concrete_fields if not f.primary_key], rows)
    compiler = insert.get_compiler(connection=connection)
    compiler.returning_fields = [AuditEvent._meta.pk]  # as bulk_create: each event gets its id
    ((insert_sql, insert_params),) = compiler.as_sql()
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    # The head's columns are its fields' names.
    move_head = f"UPDATE {table} SET last_sequence = %s, last_hash = %s WHERE id = 1"  # noqa: S608  (our table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH head AS ({move_head}) {insert_sql}", [sequence, head_hash, *insert_params]
        )
        for event, (pk,) in zip(events, cursor.fetchall(), strict=True):
            event.pk = pk
            event._state.adding, event._state.db = False, connection.alias


def record(
    *,
    actor: User | None,
    action: str,
    subject: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    policy_id: str = "",
    policy_version: str = "",
) -> None:
    """Record one event: in the open `audited()` unit of work, or appended at once.

    Appended at once (outside a unit of work) it joins the caller's transaction, if any, so
    it commits with the change either way.
    """
    record_many([Entry(actor, action, subject, before, after, policy_id, policy_version)])


def record_many(entries: Sequence[Entry]) -> None:
    """Record several events, in order: in the open `audited()` unit, or appended at once."""
    unit = _unit.get()
    if unit is None:
        append(entries)
    else:
        unit.extend(entries)


def _links() -> Iterator[ChainLink]:
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        yield ChainLink(event.sequence, event.chain_payload(), event.previous_hash, event.hash)


def _signed_heads() -> Iterator[Checkpoint]:
    signed = AuditEvent.objects.exclude(signature="").order_by("sequence")
    for sequence, head_hash, kid, signature in signed.values_list(
        "sequence", "hash", "key_id", "signature"
    ).iterator(chunk_size=2000):
        yield Checkpoint(sequence, head_hash, kid, signature)


def _hash_at(sequence: int) -> str | None:
    found: str | None = (
        AuditEvent.objects.filter(sequence=sequence).values_list("hash", flat=True).first()
    )
    return found


def checkpoints() -> list[Checkpoint]:
    """The stored checkpoints and the current signed head: what `audit export` writes out."""
    kept = [
        Checkpoint(c.sequence, c.head_hash, c.key_id, c.signature)
        for c in AuditCheckpoint.objects.order_by("sequence")
    ]
    last = AuditEvent.objects.exclude(signature="").order_by("-sequence").first()
    if last is not None and (not kept or kept[-1].sequence != last.sequence):
        kept.append(Checkpoint(last.sequence, last.hash, last.key_id, last.signature))
    return kept


def first_broken_link(
    *,
    keys: PublicKeys | None = None,
    exported: Sequence[Checkpoint] = (),
    exported_keys: PublicKeys | None = None,
) -> BrokenLink | None:
    """Recompute the whole chain from the database and check its signatures; None: intact.

    Also catches removal of the newest rows, which the chain alone cannot show, by comparing
    its end with the chain head; an append without the signing key (hashes recomputed), by
    the signatures; and a chain rewritten since `exported` checkpoints were taken out.
    `keys` are the public keys to trust (default: this instance's, see `signing`); exported
    checkpoints are checked with `keys` when given, else with the keys exported with them.
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
    trusted = signing.verification_keys(keys)
    bad = first_unsigned(_signed_heads(), last.sequence if last else 0, trusted)
    if bad is None:
        checked_with = trusted if keys is not None or exported_keys is None else exported_keys
        bad = first_mismatch(exported, _hash_at, checked_with)
    return BrokenLink(bad.sequence, bad.reason) if bad is not None else None
