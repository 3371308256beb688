"""Organisations manage their own webhooks; URLs that point inside the network are refused."""

from __future__ import annotations

import pytest

from clearinghouse.notifications.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def post(client, body):
    return client.post("/api/notifications/webhooks", body, content_type="application/json")


def test_an_organisation_registers_lists_and_stops_its_own_webhooks(people, api_as):
    lab = api_as(people["lab1"])
    created = post(
        lab, {"url": "https://hooks.lab.example/clearinghouse", "events": ["notice.decided"]}
    )
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    assert "secret" not in lab.get("/api/notifications/webhooks").json()[0]
    other = api_as(people["lab2"])
    assert other.get("/api/notifications/webhooks").json() == []
    endpoint_id = created.json()["id"]
    assert other.delete(f"/api/notifications/webhooks/{endpoint_id}").status_code == 404
    assert lab.delete(f"/api/notifications/webhooks/{endpoint_id}").status_code == 204
    assert WebhookEndpoint.objects.get().active is False


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/x", "https"),
        ("https://10.0.0.5/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "private or reserved"),
        ("https://user:pw@hooks.example.org/", "credentials"),
        ("ftp://hooks.example.org/", "http(s)"),
    ],
)
def test_unsafe_webhook_urls_are_refused(people, api_as, url, message):
    response = post(api_as(people["lab1"]), {"url": url})
    assert response.status_code == 422 and message in response.json()["detail"][0]["msg"]
    assert not WebhookEndpoint.objects.exists()


def test_unknown_events_are_refused(people, api_as):
    response = post(api_as(people["lab1"]), {"url": "https://h.example.org", "events": ["lunch"]})
    assert response.status_code == 422 and "notice.decided" in response.json()["detail"][0]["msg"]


def test_the_page_shows_the_secret_once(people, pages_as):
    client = pages_as(people["operator"])
    page = client.post("/notifications/webhooks/", {"url": "https://soc.utility.example/hook"})
    assert 'data-testid="webhook-secret"' in page.content.decode()
    again = client.get("/notifications/webhooks/").content.decode()
    assert "soc.utility.example" in again and 'data-testid="webhook-secret"' not in again
