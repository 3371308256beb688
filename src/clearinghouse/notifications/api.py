"""API for an organisation's webhook endpoints and the notifications sent to it."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.paging import Paged

from . import services
from .inputs import RegisterWebhook
from .models import Delivery, WebhookEndpoint

router = Router(tags=["notifications"])


class WebhookOut(Schema):
    """An endpoint; its secret is shown only when it is created."""

    id: int
    url: str
    events: list[str]
    active: bool
    created_at: dt.datetime


class NewWebhookOut(WebhookOut):
    """A new endpoint with its signing secret, shown this once."""

    secret: str


class DeliveryOut(Schema):
    """One notification and its delivery state."""

    id: int
    event: str
    channel: str
    recipient: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


@router.get("/webhooks", response=list[WebhookOut])
@paginate(Paged)
def list_webhooks(request: HttpRequest, **kwargs: Any) -> QuerySet[WebhookEndpoint]:
    """My organisation's webhook endpoints, active and stopped, newest first."""
    return visible(WebhookEndpoint, signed_in(request)).order_by("-created_at", "-id")


@router.post("/webhooks", response={201: NewWebhookOut})
def create_webhook(request: HttpRequest, payload: RegisterWebhook) -> Status[dict[str, object]]:
    """Register an endpoint for my organisation; copy the secret now to verify signatures."""
    endpoint, secret = services.register_webhook(signed_in(request), payload)
    return Status(201, WebhookOut.from_orm(endpoint).model_dump() | {"secret": secret})


@router.delete("/webhooks/{endpoint_id}", response={204: None})
def delete_webhook(request: HttpRequest, endpoint_id: int) -> Status[None]:
    """Stop sending to an endpoint (it is deactivated; past deliveries stay listed)."""
    endpoint = get_object_or_404(visible(WebhookEndpoint, signed_in(request)), pk=endpoint_id)
    services.deactivate_webhook(signed_in(request), endpoint)
    return Status(204, None)


@router.get("/deliveries", response=list[DeliveryOut])
@paginate(Paged)
def list_deliveries(request: HttpRequest, **kwargs: Any) -> QuerySet[Delivery]:
    """Notifications sent to my organisation, newest first."""
    return visible(Delivery, signed_in(request)).order_by("-created_at", "-id")
