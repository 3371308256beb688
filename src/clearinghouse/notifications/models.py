"""Webhook endpoints of organisations, and every notification sent (e-mail or webhook)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from clearinghouse.accounts.models import Organisation
from clearinghouse.fields import ExactJSONField


class WebhookEndpoint(models.Model):
    """Where an organisation wants events POSTed, signed with its shared secret (HMAC-SHA256)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    secret_ciphertext = models.BinaryField(editable=False)
    events = ExactJSONField(default=list, help_text="Event names; empty means all.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """One event to one recipient (an e-mail address or an endpoint), with its retry state."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"
        #: Its endpoint was stopped before it was sent: it is never tried again.
        NOT_SENT = "not_sent", "Not sent (endpoint stopped)"

    event = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, related_name="deliveries"
    )
    recipient = models.CharField(max_length=500)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, null=True, blank=True)
    subject = models.CharField(max_length=200)
    payload = ExactJSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(
        blank=True, help_text="Why the last attempt failed, as the organisation is told it."
    )
    error_detail = models.TextField(
        blank=True, help_text="The failure in full (address, port, exception): admins only."
    )
    #: When a pending delivery is next tried; pushed on before each try is sent, so that a
    #: worker dying mid-send leaves it due again later (the sweep re-queues it) and counted.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.status})"
