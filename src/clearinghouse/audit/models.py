"""Audit events, chained by hash, and the chain head that serialises appends."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One state change: who, when, what, before/after, and under which policy version.

    Rows are never updated or deleted through the ORM; `audit verify` detects it when they are
    changed behind its back.
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    organisation_id_at_time = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    # Canonical JSON text, not a JSON column: the hash must cover exactly the stored bytes,
    # and PostgreSQL's jsonb would reorder keys and renormalise numbers.
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    policy_id = models.CharField(max_length=64, blank=True)
    policy_version = models.CharField(max_length=32, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Set on the last event of each append: the signed head (not covered by the hash; the
    # signature covers the hash instead). Blank on the events in between.
    key_id = models.CharField(max_length=16, blank=True)
    signature = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: an audit event, once written, is not changed through the application."""
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refuse: deleting history would defeat the log."""
        raise PermissionError("audit events are append-only")

    def chain_payload(self) -> dict[str, Any]:
        """The fields the hash covers; the actor is covered by its label and id."""
        return {
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "organisation_id": self.organisation_id_at_time,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
            "policy_id": self.policy_id,
            "policy_version": self.policy_version,
        }


class AuditChainHead(models.Model):
    """A single row locked while appending, so concurrent writers never fork the chain."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain head at #{self.last_sequence}"


class AuditCheckpoint(models.Model):
    """A signed chain head kept every CLEARINGHOUSE_AUDIT_CHECKPOINT_EVERY events, for export.

    An operator exports them (`audit export`) to somewhere the database's writers cannot reach;
    `audit verify --checkpoints` then catches a chain rewritten even by someone with the key.
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    head_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"audit checkpoint at #{self.sequence}"
