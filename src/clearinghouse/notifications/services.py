"""Queue notifications for workflow events and deliver them, retrying without blocking anyone.

`notify` only records deliveries; they are sent after the surrounding transaction commits,
by a background task, so a slow or failing mail server or webhook never holds up a review.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from clearinghouse.accounts.models import Organisation, User
from clearinghouse.audit.services import record
from clearinghouse.core import egress
from clearinghouse.errors import InvalidInput
from clearinghouse.sealed import reveal, seal

from .models import Delivery, WebhookEndpoint

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Clearinghouse-Signature"
#: The events an endpoint can subscribe to.
EVENTS = (
    "notice.submitted",
    "reviewer.assigned",
    "finding.released",
    "notice.decided",
    "notice.overdue",
    "review.reminder",
    "advisory.matched",
)


def register_webhook(
    owner: User | Organisation, url: str, events: Iterable[str] = ()
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint for a user's (or an) organisation; its secret is returned this once."""
    organisation = owner.organisation if isinstance(owner, User) else owner
    if organisation is None:
        raise InvalidInput.single("organisation", "webhooks belong to an organisation")
    try:
        url = egress.check_url(url, settings.CLEARINGHOUSE_OUTBOUND_ALLOW)
    except ValueError as error:
        raise InvalidInput.single("url", str(error)) from None
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise InvalidInput.single("events", f"unknown {unknown}; known: {', '.join(EVENTS)}")
    secret = "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organisation=organisation, url=url, secret_ciphertext=seal(secret), events=list(events)
        )
        record(
            actor=owner if isinstance(owner, User) else None,
            action="webhook.registered",
            subject=endpoint,
            after={"url": url, "events": list(events)},
        )
    return endpoint, secret


def deactivate_webhook(actor: User, endpoint: WebhookEndpoint) -> None:
    """Stop sending to an endpoint; its past deliveries stay listed."""
    with transaction.atomic():
        endpoint.active = False
        endpoint.save(update_fields=["active"])
        record(
            actor=actor, action="webhook.deactivated", subject=endpoint, after={"url": endpoint.url}
        )


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a receiver recomputes: HMAC-SHA256 over `timestamp.body`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def notify(
    event: str,
    *,
    subject: str,
    payload: dict[str, Any],
    users: Iterable[User] = (),
    organisations: Iterable[Organisation] = (),
) -> list[Delivery]:
    """E-mail `users` and call the webhooks of `organisations` that subscribe to `event`."""
    deliveries: list[Delivery] = []
    body = {"event": event, **payload}
    for user in {user.pk: user for user in users if user.email}.values():
        deliveries.append(
            Delivery(
                event=event,
                channel=Delivery.Channel.EMAIL,
                organisation=user.organisation,
                recipient=user.email,
                subject=subject,
                payload=body,
            )
        )
    for organisation in {org.pk: org for org in organisations}.values():
        for endpoint in organisation.webhooks.filter(active=True):
            if endpoint.events and event not in endpoint.events:
                continue
            deliveries.append(
                Delivery(
                    event=event,
                    channel=Delivery.Channel.WEBHOOK,
                    organisation=organisation,
                    recipient=endpoint.url,
                    endpoint=endpoint,
                    subject=subject,
                    payload=body,
                )
            )
    Delivery.objects.bulk_create(deliveries)
    ids = [delivery.pk for delivery in deliveries]
    if ids:
        from .tasks import deliver

        transaction.on_commit(lambda: [deliver.enqueue(pk) for pk in ids])
    return deliveries


def _send_webhook(delivery: Delivery) -> None:
    assert delivery.endpoint is not None
    body = json.dumps(delivery.payload, sort_keys=True).encode()
    timestamp = str(int(timezone.now().timestamp()))
    secret = reveal(delivery.endpoint.secret_ciphertext)
    timeout = settings.CLEARINGHOUSE_WEBHOOK_TIMEOUT_SECONDS
    # the outbound policy's client: the host vetted and pinned at send time, no redirects
    with egress.client(settings.CLEARINGHOUSE_OUTBOUND_ALLOW, timeout) as http:
        response = http.post(
            delivery.recipient,
            content=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Clearinghouse-Webhooks/1",
                "X-Clearinghouse-Event": delivery.event,
                "X-Clearinghouse-Delivery": str(delivery.pk),
                "X-Clearinghouse-Timestamp": timestamp,
                SIGNATURE_HEADER: sign(secret, timestamp, body),
            },
        )
    response.raise_for_status()  # a 3xx too: a redirect is a failed delivery, never followed


def _send_email(delivery: Delivery) -> None:
    lines = [f"{key}: {value}" for key, value in delivery.payload.items() if key != "event"]
    send_mail(
        subject=f"[Clearinghouse] {delivery.subject}",
        message="\n".join(lines),
        from_email=None,
        recipient_list=[delivery.recipient],
    )


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off: 30 s, 1 min, 2 min, … capped at an hour."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def attempt(delivery: Delivery) -> dt.datetime | None:
    """Try one delivery once; return when to try again, or None when done or given up."""
    if delivery.status != Delivery.Status.PENDING:
        return None
    delivery.attempts += 1
    try:
        if delivery.channel == Delivery.Channel.WEBHOOK:
            _send_webhook(delivery)
        else:
            _send_email(delivery)
    except Exception as error:  # any failure of the far side is recorded, never raised
        # the organisation sees a generic reason; which address or port failed is for admins
        delivery.last_error, delivery.error_detail = egress.describe_failure(error)
        logger.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
        if delivery.attempts >= settings.CLEARINGHOUSE_WEBHOOK_MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
            delivery.save(update_fields=["attempts", "last_error", "error_detail", "status"])
            return None
        delivery.save(update_fields=["attempts", "last_error", "error_detail"])
        return timezone.now() + retry_delay(delivery.attempts)
    delivery.status, delivery.sent_at, delivery.last_error = (
        Delivery.Status.SENT,
        timezone.now(),
        "",
    )
    delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return None
