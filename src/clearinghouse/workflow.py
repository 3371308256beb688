"""State changes done one way in every app: re-read the row under a lock, check the core's table.

A service that changes a thing's state does it inside `audited()` (one transaction), first
taking the current row with `locked(...)` — never trusting the copy its caller loaded, which
may predate another user's change — and moving it with `advance(...)`, which checks the move
against the thing's `Lifecycle` from the core. A stale caller therefore gets a 409 naming the
state the thing is really in, and two people acting at once are serialised by the row lock
(PostgreSQL) or by SQLite's one writer at a time.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet

from clearinghouse.core.transitions import IllegalTransition, Lifecycle, S
from clearinghouse.errors import Conflict

M = TypeVar("M", bound=Model)


def locked(instance: M, queryset: QuerySet[M] | None = None) -> M:
    """`instance`'s row as it is now, locked until the open transaction ends.

    `queryset` can add `select_related` for what the change reads; only the row itself is
    locked. A row deleted meanwhile is a 409.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock rows inside the transaction that changes them (audited())")
    source = queryset if queryset is not None else type(instance)._default_manager.all()
    row = source.select_for_update(of=("self",)).filter(pk=instance.pk).first()
    if row is None:
        raise Conflict(f"this {instance._meta.verbose_name} no longer exists")
    return row


def advance(instance: Model, lifecycle: Lifecycle[S], target: S, *, field: str = "status") -> S:
    """Move a locked `instance` to `target` if its lifecycle allows; return the state it left.

    Raises Conflict (409) naming the current state and the allowed ones otherwise. The caller
    saves the row (with `update_fields`) and records the audit event.
    """
    current = type(target)(getattr(instance, field))
    try:
        lifecycle.check(current, target)
    except IllegalTransition as error:
        raise Conflict(str(error)) from None
    setattr(instance, field, target.value)
    return current
