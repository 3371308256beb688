"""Webhooks are signed, retried with back-off on failure, and never block the workflow."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from clearinghouse.core.egress import PUBLIC_REFUSED, PUBLIC_UNREACHABLE, Allowlist
from clearinghouse.notifications.inputs import Event, RegisterWebhook
from clearinghouse.notifications.models import Delivery
from clearinghouse.notifications.services import (
    SIGNATURE_HEADER,
    attempt,
    deactivate_webhook,
    enqueue_due,
    notify,
    register_webhook,
    sign,
)
from clearinghouse.notifications.tasks import deliver

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver on 127.0.0.1 that answers with the status it is told to."""

    status = 200
    location = ""
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((dict(self.headers), body))
        self.send_response(Receiver.status)
        if Receiver.location:
            self.send_header("Location", Receiver.location)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def receiver(settings) -> Iterator[str]:
    """The receiver's URL; the allow-list names its port (and only it), as an operator would."""
    Receiver.received, Receiver.status, Receiver.location = [], 200, ""
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse(f"127.0.0.1:{server.server_port}")
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def resolving_to(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    """Every name resolves to `address` (the system resolver is faked, not our code)."""

    def fake(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_a_delivered_webhook_carries_a_verifiable_signature(org, receiver):
    lab = org("Lab", "lab")
    _, secret = register_webhook(lab, RegisterWebhook(url=receiver))
    [delivery] = notify(
        "notice.decided", subject="decided", payload={"notice": 1}, organisations=[lab]
    )
    assert attempt(delivery) is None
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    headers, body = Receiver.received[0]
    assert json.loads(body) == {"event": "notice.decided", "notice": 1}
    expected = sign(secret, headers["X-Clearinghouse-Timestamp"], body)
    assert headers[SIGNATURE_HEADER] == expected
    assert sign("wrong-secret", headers["X-Clearinghouse-Timestamp"], body) != expected


def test_failures_are_retried_with_back_off_then_given_up(org, receiver, settings):
    settings.CLEARINGHOUSE_WEBHOOK_MAX_ATTEMPTS = 3
    Receiver.status = 500
    lab = org("Lab", "lab")
    register_webhook(lab, RegisterWebhook(url=receiver))
    [delivery] = notify("notice.overdue", subject="x", payload={}, organisations=[lab])
    first = attempt(delivery)
    second = attempt(delivery)
    assert first is not None and second is not None and second > first
    assert attempt(delivery) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert "500" in delivery.last_error


def test_a_stopped_endpoint_gets_nothing_more_its_pending_deliveries_are_not_sent(
    org, user_in, receiver, settings
):
    settings.CLEARINGHOUSE_WEBHOOK_RETRY_SECONDS = 0  # the failed try is due again at once
    Receiver.status = 500
    lab = org("Lab", "lab")
    endpoint, _ = register_webhook(user_in("developer", lab), RegisterWebhook(url=receiver))
    [failed_once] = notify("notice.decided", subject="s", payload={}, organisations=[lab])
    assert attempt(failed_once) is not None  # tried once, pending, its retry queued
    [never_tried] = notify("notice.overdue", subject="s", payload={}, organisations=[lab])
    Receiver.status = 200
    deactivate_webhook(user_in("developer", lab), endpoint)
    # the task for each (what the worker runs), and the sweep, send nothing more
    assert deliver.call(failed_once.pk) is None and deliver.call(never_tried.pk) is None
    assert enqueue_due() == 0
    assert len(Receiver.received) == 1  # only the try before the stop
    for delivery in (failed_once, never_tried):
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.NOT_SENT, delivery.status
        assert delivery.last_error == "not sent: the endpoint was stopped"
        assert delivery.sent_at is None
    assert (failed_once.attempts, never_tried.attempts) == (1, 0)


def test_an_unreachable_endpoint_does_not_block_the_workflow(
    people, covered_model, api_as, org, settings
):
    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse("127.0.0.1:9")
    register_webhook(
        people["lab1"].organisation, RegisterWebhook(url="http://127.0.0.1:9/nothing-listens-here")
    )
    lab = api_as(people["lab1"])
    notice = lab.post(
        "/api/reviews/notices",
        {"ai_model_id": covered_model.pk, "planned_release_date": "2099-01-01"},
        content_type="application/json",
    ).json()
    response = lab.post(f"/api/reviews/notices/{notice['id']}/submit")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    delivery = Delivery.objects.get(channel="webhook")
    assert attempt(delivery) is not None  # failed, rescheduled
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.last_error == PUBLIC_UNREACHABLE
    assert "Connection refused" in delivery.error_detail  # for admins only


def test_subscriptions_filter_events(org, receiver):
    lab = org("Lab", "lab")
    register_webhook(lab, RegisterWebhook(url=receiver, events=[Event.NOTICE_DECIDED]))
    assert notify("finding.released", subject="x", payload={}, organisations=[lab]) == []
    assert len(notify("notice.decided", subject="x", payload={}, organisations=[lab])) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_queued_mail_after_the_transaction_commits(org, user_in, mailoutbox):
    from clearinghouse.cli import main

    user = user_in("developer", org("Lab", "lab"))
    user.email = "dev@example.org"
    user.save()
    notify("notice.decided", subject="Notice decided", payload={"notice": 7}, users=[user])
    assert mailoutbox == []  # queued, not sent inline
    assert main(["worker", "--batch"]) == 0
    assert [m.to for m in mailoutbox] == [["dev@example.org"]]
    assert "notice: 7" in mailoutbox[0].body
    assert Delivery.objects.get().status == "sent"


def test_a_webhook_host_that_resolves_to_an_internal_address_is_never_called(org, monkeypatch):
    lab = org("Lab", "lab")
    register_webhook(lab, RegisterWebhook(url="https://hooks.example.org/in"))
    resolving_to(monkeypatch, "10.0.0.7")
    connected: list[object] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a))
    [delivery] = notify("notice.decided", subject="s", payload={"notice": 1}, organisations=[lab])
    attempt(delivery)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_error == PUBLIC_REFUSED
    assert "private address 10.0.0.7" in delivery.error_detail
    assert connected == []


def test_what_the_lab_is_told_of_a_failure_reveals_no_host_or_port(
    people, api_as, receiver, monkeypatch, settings
):
    """Names pointed at an open and a closed port of the server itself read alike to the lab."""
    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist()  # the receiver is not allow-listed here
    open_port = receiver.rsplit(":", 1)[1].split("/")[0]
    lab = people["lab1"].organisation
    register_webhook(lab, RegisterWebhook(url=f"https://open.lab.example:{open_port}/in"))
    register_webhook(lab, RegisterWebhook(url="https://closed.lab.example:9/in"))
    resolving_to(monkeypatch, "127.0.0.1")  # DNS rebinding to loopback
    deliveries = notify("notice.decided", subject="s", payload={}, organisations=[lab])
    for delivery in deliveries:
        attempt(delivery)
    assert Receiver.received == []
    listed = api_as(people["lab1"]).get("/api/notifications/deliveries").json()["items"]
    assert {d["last_error"] for d in listed} == {PUBLIC_REFUSED}
    shown = (
        json.dumps(listed) + api_as(people["lab1"]).get("/notifications/webhooks/").content.decode()
    )
    assert "127.0.0.1" not in shown and "error_detail" not in shown
    assert all("loopback address 127.0.0.1" in d.error_detail for d in Delivery.objects.all())


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(org, receiver):
    Receiver.status, Receiver.location = 307, "http://127.0.0.1:6379/"
    lab = org("Lab", "lab")
    register_webhook(lab, RegisterWebhook(url=receiver))
    [delivery] = notify("notice.decided", subject="s", payload={}, organisations=[lab])
    attempt(delivery)
    delivery.refresh_from_db()
    assert len(Receiver.received) == 1
    assert delivery.last_error == "the endpoint answered HTTP 307"
