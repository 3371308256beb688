"""Webhooks are signed, retried with back-off on failure, and never block the workflow."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from clearinghouse.notifications.models import Delivery
from clearinghouse.notifications.services import (
    SIGNATURE_HEADER,
    attempt,
    notify,
    register_webhook,
    sign,
)

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver on 127.0.0.1 that answers with the status it is told to."""

    status = 200
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((dict(self.headers), body))
        self.send_response(Receiver.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received, Receiver.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_a_delivered_webhook_carries_a_verifiable_signature(org, receiver):
    lab = org("Lab", "lab")
    _, secret = register_webhook(lab, receiver)
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
    register_webhook(lab, receiver)
    [delivery] = notify("notice.overdue", subject="x", payload={}, organisations=[lab])
    first = attempt(delivery)
    second = attempt(delivery)
    assert first is not None and second is not None and second > first
    assert attempt(delivery) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert "500" in delivery.last_error


def test_an_unreachable_endpoint_does_not_block_the_workflow(people, covered_model, api_as, org):
    register_webhook(people["lab1"].organisation, "http://127.0.0.1:9/nothing-listens-here")
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
    assert delivery.status == "pending" and "Connection refused" in delivery.last_error


def test_subscriptions_filter_events(org, receiver):
    lab = org("Lab", "lab")
    register_webhook(lab, receiver, events=["notice.decided"])
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
    register_webhook(lab, "https://hooks.example.org/in")
    import socket

    def internal(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", internal)
    connected: list[object] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a))
    [delivery] = notify("notice.decided", subject="s", payload={"notice": 1}, organisations=[lab])
    attempt(delivery)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "non-public address 10.0.0.7" in delivery.last_error
    assert connected == []
