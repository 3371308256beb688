"""Organisations manage their own webhooks; URLs that point inside the network are refused."""

from __future__ import annotations

import pytest

from clearinghouse.notifications.models import WebhookEndpoint
from clearinghouse.notifications.services import MAX_ACTIVE_ENDPOINTS

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
    listed = lab.get("/api/notifications/webhooks").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    other = api_as(people["lab2"])
    assert other.get("/api/notifications/webhooks").json() == {"items": [], "count": 0}
    endpoint_id = created.json()["id"]
    assert other.delete(f"/api/notifications/webhooks/{endpoint_id}").status_code == 404
    assert lab.delete(f"/api/notifications/webhooks/{endpoint_id}").status_code == 204
    assert WebhookEndpoint.objects.get().active is False
    again = lab.delete(f"/api/notifications/webhooks/{endpoint_id}")
    assert again.status_code == 409 and "stopped already" in again.json()["detail"]


def test_an_organisation_has_a_bounded_number_of_active_endpoints(people, api_as):
    lab = api_as(people["lab1"])
    for n in range(MAX_ACTIVE_ENDPOINTS):
        assert post(lab, {"url": f"https://hooks{n}.lab.example/in"}).status_code == 201
    refused = post(lab, {"url": "https://one-more.lab.example/in"})
    assert refused.status_code == 409 and str(MAX_ACTIVE_ENDPOINTS) in refused.json()["detail"]
    assert WebhookEndpoint.objects.count() == MAX_ACTIVE_ENDPOINTS
    first = lab.get("/api/notifications/webhooks?limit=1").json()["items"][0]["id"]
    assert lab.delete(f"/api/notifications/webhooks/{first}").status_code == 204
    assert post(lab, {"url": "https://one-more.lab.example/in"}).status_code == 201


def test_deliveries_are_paged_with_their_total(people, api_as):
    from clearinghouse.notifications.services import notify

    notify("notice.decided", subject="s", payload={}, users=[people["lab1"]])
    listed = api_as(people["lab1"]).get("/api/notifications/deliveries?limit=1&offset=0").json()
    assert listed["count"] == 1 and listed["items"][0]["event"] == "notice.decided"
    assert api_as(people["lab2"]).get("/api/notifications/deliveries").json()["count"] == 0
    bad = api_as(people["lab1"]).get("/api/notifications/deliveries?offset=-1")
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/x", "https"),
        ("https://10.0.0.5/hook", "internal network address"),
        ("https://169.254.169.254/latest/meta-data", "internal network address"),
        ("http://127.0.0.1:8000/hook", "the server itself"),
        ("https://[::1]:5432/", "the server itself"),
        ("https://[::ffff:127.0.0.1]/", "the server itself"),
        ("http://2130706433:6379/", "the server itself"),
        ("https://localhost:9200/", "the server itself"),
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


def test_the_page_refuses_an_internal_url_with_the_reason(people, pages_as):
    page = pages_as(people["operator"]).post(
        "/notifications/webhooks/", {"url": "http://127.0.0.1:5432/"}
    )
    assert "must not point at the server itself" in page.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_allow_listed_internal_receiver_may_be_registered(people, api_as, settings):
    from clearinghouse.core.egress import Allowlist

    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse("soc-relay.internal:8080")
    assert (
        post(api_as(people["lab1"]), {"url": "http://soc-relay.internal:8080/in"}).status_code
        == 201
    )
    refused = post(api_as(people["lab1"]), {"url": "http://soc-relay.internal:9090/in"})
    assert refused.status_code == 422 and "https" in refused.json()["detail"][0]["msg"]
