"""Queue notifications for workflow events and deliver them, retrying without blocking anyone.

`notify` only records deliveries, with their delivery tasks, in the caller's transaction (a
transactional outbox: both commit with the change that causes them, or neither does); the
worker sends them, so a slow or failing mail server or webhook never holds up a review.
Each try is counted and the next one scheduled before it is sent, so a worker dying
mid-send costs one try of a bounded number, and the sweep (`enqueue_due`) re-queues any
pending delivery that is due and has no task. Receivers may see a delivery twice (after a
crash between sending and recording it): `X-Clearinghouse-Delivery` tells them apart.
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
from clearinghouse.accounts.permissions import require
from clearinghouse.audit.services import audited, record
from clearinghouse.core import egress
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.sealed import reveal, seal
from clearinghouse.workflow import locked

from .inputs import RegisterWebhook
from .models import Delivery, WebhookEndpoint

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Clearinghouse-Signature"
#: Active endpoints one organisation may have: each event fans out to every one of them.
MAX_ACTIVE_ENDPOINTS = 20
#: What a pending delivery to a stopped endpoint says instead of being sent.
STOPPED_REASON = "not sent: the endpoint was stopped"


def register_webhook(
    owner: User | Organisation, webhook: RegisterWebhook
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint for a user's (or an) organisation; its secret is returned this once.

    A user needs `notifications.manage_webhooks`; an organisation passed directly is the
    demo or an operator's script acting for it.
    """
    if isinstance(owner, User):
        require(owner, "notifications.manage_webhooks")
    organisation = owner.organisation if isinstance(owner, User) else owner
    if organisation is None:
        raise InvalidInput.single("organisation", "webhooks belong to an organisation")
    try:
        url = egress.check_url(webhook.url, settings.CLEARINGHOUSE_OUTBOUND_ALLOW)
    except ValueError as error:
        raise InvalidInput.single("url", str(error)) from None
    events = [str(event) for event in webhook.events]
    secret = "whsec_" + secrets.token_urlsafe(32)
    with audited():
        # The organisation's row is the lock that makes the limit hold for two at once.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if organisation.webhooks.filter(active=True).count() >= MAX_ACTIVE_ENDPOINTS:
            raise Conflict(
                f"an organisation has at most {MAX_ACTIVE_ENDPOINTS} active endpoints; "
                "stop one first"
            )
        endpoint = WebhookEndpoint.objects.create(
            organisation=organisation, url=url, secret_ciphertext=seal(secret), events=events
        )
        record(
            actor=owner if isinstance(owner, User) else None,
            action="webhook.registered",
            subject=endpoint,
            after={"url": url, "events": events},
        )
    return endpoint, secret


def deactivate_webhook(actor: User, endpoint: WebhookEndpoint) -> None:
    """Stop sending to an endpoint; its past deliveries stay listed. Stopping twice is a 409.

    Pending deliveries to it are marked not sent by their next try (`_claim`), not here.
    """
    with audited():
        endpoint = locked(endpoint)
        require(actor, "notifications.manage_webhooks", endpoint)
        if not endpoint.active:
            raise Conflict("this endpoint is stopped already")
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
    if deliveries:
        from .tasks import deliver

        with transaction.atomic():
            Delivery.objects.bulk_create(deliveries)
            for delivery in deliveries:
                deliver.enqueue(delivery.pk)
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
    """Exponential back-off: the base (30 s), then doubling each try, capped at an hour."""
    base = settings.CLEARINGHOUSE_WEBHOOK_RETRY_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _send(delivery: Delivery) -> None:
    if delivery.channel == Delivery.Channel.WEBHOOK:
        _send_webhook(delivery)
    else:
        _send_email(delivery)


def _claim(delivery_id: int, *, due_only: bool) -> Delivery | None:
    """Take a pending delivery's next try: counted, and the one after scheduled, before sending.

    None when it is sent or given up, when another worker holds it, when its endpoint was
    stopped (it is marked not sent), or (`due_only`) when it is not due yet — which is how
    a second task for one delivery does nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return None
        if delivery.endpoint is not None and not delivery.endpoint.active:
            # Checked at each try, not when the endpoint is stopped: a delivery recorded by
            # an event racing the stop, or queued long before it, is caught here all the same.
            delivery.status, delivery.last_error = Delivery.Status.NOT_SENT, STOPPED_REASON
            delivery.save(update_fields=["status", "last_error"])
            return None
        if due_only and delivery.next_attempt_at > now:
            return None
        if delivery.attempts >= settings.CLEARINGHOUSE_WEBHOOK_MAX_ATTEMPTS:
            # Its last try was counted but never recorded (the worker died sending it).
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = delivery.last_error or "the last try was lost with its worker"
            delivery.save(update_fields=["status", "last_error"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def _record(delivery: Delivery, error: Exception | None) -> dt.datetime | None:
    """Store a try's outcome; a failure with tries left queues the next one, in one commit."""
    with transaction.atomic():
        if error is None:
            delivery.status, delivery.sent_at, delivery.last_error = (
                Delivery.Status.SENT,
                timezone.now(),
                "",
            )
            delivery.save(update_fields=["status", "sent_at", "last_error"])
            return None
        # the organisation sees a generic reason; which address or port failed is for admins
        delivery.last_error, delivery.error_detail = egress.describe_failure(error)
        logger.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
        if delivery.attempts >= settings.CLEARINGHOUSE_WEBHOOK_MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
            delivery.save(update_fields=["last_error", "error_detail", "status"])
            return None
        delivery.save(update_fields=["last_error", "error_detail"])
        from .tasks import deliver

        deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
        return delivery.next_attempt_at


def attempt(delivery: Delivery, *, due_only: bool = False) -> dt.datetime | None:
    """Try one delivery once; return when it is tried again, or None when done or given up.

    `due_only` (the worker's task): only if it is due, so a duplicate task does nothing.
    """
    claimed = _claim(delivery.pk, due_only=due_only)
    if claimed is None:
        return None
    try:
        _send(claimed)
    except Exception as error:  # any failure of the far side is recorded, never raised
        return _record(claimed, error)
    return _record(claimed, None)


def enqueue_due(limit: int = 500) -> int:
    """Queue a delivery task for each due pending delivery that has none (the sweep's part).

    Normally every pending delivery has its task (created with it, or by its last failure);
    one without was left by a worker that died, or predates the outbox. Returns how many.
    """
    from clearinghouse.background.queue import queued_for

    from .tasks import deliver

    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    queued = queued_for(deliver, due)
    missing = [pk for pk in due if pk not in queued]
    with transaction.atomic():
        for pk in missing:
            deliver.enqueue(pk)
    return len(missing)
