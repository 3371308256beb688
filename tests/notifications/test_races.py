"""Notifications under two threads on PostgreSQL: one delivery sent once, one stop recorded once."""

from __future__ import annotations

import pytest

from clearinghouse.audit.models import AuditEvent
from clearinghouse.notifications.inputs import RegisterWebhook
from clearinghouse.notifications.models import Delivery, WebhookEndpoint
from clearinghouse.notifications.services import deactivate_webhook, notify, register_webhook
from clearinghouse.notifications.tasks import deliver

from .test_webhooks import Receiver, receiver  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_two_workers_running_tasks_for_one_delivery_at_once_send_it_once(race, org, receiver):  # noqa: F811
    lab = org("Lab", "lab")
    register_webhook(lab, RegisterWebhook(url=receiver))
    [delivery] = notify("notice.decided", subject="decided", payload={}, organisations=[lab])
    results = race(lambda: deliver.call(delivery.pk), lambda: deliver.call(delivery.pk))
    assert results == [None, None], results
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert len(Receiver.received) == 1


def test_two_people_stopping_one_webhook_at_once_record_it_once(race, org, user_in):
    lab = org("Lab", "lab")
    developer = user_in("developer", lab)
    endpoint, _ = register_webhook(developer, RegisterWebhook(url="https://hooks.lab.example/in"))
    results = race(
        lambda: deactivate_webhook(developer, endpoint),
        lambda: deactivate_webhook(developer, endpoint),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"], results
    assert not WebhookEndpoint.objects.get(pk=endpoint.pk).active
    stopped = AuditEvent.objects.filter(action="webhook.deactivated", object_id=str(endpoint.pk))
    assert stopped.count() == 1
    assert not Delivery.objects.exists()
