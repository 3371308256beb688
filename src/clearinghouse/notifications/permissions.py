"""An organisation sees its own webhook endpoints and the notifications sent to it."""

from __future__ import annotations

from django.db.models import Q

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import visibility_rule

from .models import Delivery, WebhookEndpoint


@visibility_rule(WebhookEndpoint)
def _endpoints(user: User) -> Q:
    return Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])


@visibility_rule(Delivery)
def _deliveries(user: User) -> Q:
    return Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
