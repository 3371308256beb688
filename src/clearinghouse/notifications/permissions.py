"""An organisation sees, registers and stops its own webhook endpoints, and sees what was sent."""

from __future__ import annotations

from django.db.models import Q

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import action_rule, is_program_admin, visibility_rule

from .models import Delivery, WebhookEndpoint


@visibility_rule(WebhookEndpoint)
def _endpoints(user: User) -> Q:
    return Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])


@visibility_rule(Delivery)
def _deliveries(user: User) -> Q:
    return Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])


@action_rule(
    "notifications.manage_webhooks", denied="webhooks belong to an organisation: only its members"
)
def _manage_webhooks(user: User, endpoint: WebhookEndpoint | None) -> bool:
    # Everyone in an organisation is told its notifications, so each may route them; a
    # program admin may also stop another organisation's endpoint (one that misbehaves).
    if user.organisation_id is None:
        return False
    if endpoint is None or endpoint.organisation_id == user.organisation_id:
        return True
    return is_program_admin(user)
