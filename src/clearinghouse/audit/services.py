"""Writing and verifying the audit log; every state change in every app goes through `record`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from clearinghouse.accounts.models import User
from clearinghouse.core.hashchain import GENESIS, BrokenLink, ChainLink, canonical_json, link_hash
from clearinghouse.core.hashchain import first_broken_link as _first_broken_link

from .models import AuditChainHead, AuditEvent


def _as_text(state: Mapping[str, Any] | None) -> str:
    return canonical_json(state).decode() if state is not None else ""


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
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS}
        )
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            occurred_at=timezone.now(),
            actor=actor,
            actor_label=actor.get_username() if actor is not None else "system",
            organisation_id_at_time=actor.organisation_id if actor is not None else None,
            action=action,
            object_type=subject._meta.label_lower,
            object_id=str(subject.pk),
            before=_as_text(before),
            after=_as_text(after),
            policy_id=policy_id,
            policy_version=policy_version,
            previous_hash=head.last_hash,
        )
        event.hash = link_hash(event.previous_hash, event.chain_payload())
        event.save()
        head.last_sequence, head.last_hash = event.sequence, event.hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return event


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
