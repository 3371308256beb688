"""Killing a worker with SIGKILL at any point loses nothing and does nothing twice.

A real `clearinghouse worker` subprocess is killed during a background intake, during an
SBOM re-match (after it claimed the task) and while it is sending a webhook (the receiver
holds the request open); a fresh worker takes the dead ones' tasks back after the lease.
At the end every report exists once, every finding once, and every delivery is sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_tasks_db.models import DBTaskResult

from clearinghouse.advisories.services import import_osv
from clearinghouse.assets.inputs import RegisterAsset
from clearinghouse.assets.models import Finding
from clearinghouse.assets.services import upload_asset
from clearinghouse.audit.services import first_broken_link
from clearinghouse.audit.signing import key_file
from clearinghouse.core.egress import Allowlist
from clearinghouse.intake import services as intake
from clearinghouse.intake.models import Report, Submission
from clearinghouse.notifications.inputs import Event, RegisterWebhook
from clearinghouse.notifications.models import Delivery
from clearinghouse.notifications.services import register_webhook
from tests.advisories.conftest import osv_record
from tests.intake.conftest import native

from .conftest import Workers, wait_for

ITEMS, CHUNK, PACKAGES = 200, 20, 300


@dataclass
class Hook:
    """A webhook receiver on loopback that holds its first request open until released."""

    url: str = ""
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    answered: list[str] = field(default_factory=list)


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            if not state.arrived.is_set():
                state.arrived.set()
                state.release.wait(timeout=30)  # the worker is killed meanwhile
                return  # its sender is dead: never answered
            self.send_response(200)
            self.end_headers()
            state.answered.append(self.headers["X-Clearinghouse-Delivery"])

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield state
    state.release.set()
    server.shutdown()


def sbom() -> bytes:
    components = [
        {"type": "library", "name": f"pkg-{n}", "version": "1.5", "purl": f"pkg:pypi/pkg-{n}@1.5"}
        for n in range(PACKAGES)
    ]
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components}
    ).encode()


def advisory() -> dict[str, object]:
    record = osv_record("PYSEC-KILL", "pkg-0")
    [affected] = record["affected"]
    record["affected"] = [
        affected | {"package": {"ecosystem": "PyPI", "name": f"pkg-{n}"}} for n in range(PACKAGES)
    ]
    return record


def running(task_name: str) -> bool:
    return DBTaskResult.objects.filter(task_path__endswith=task_name, status="RUNNING").exists()


def test_killed_workers_lose_no_report_finding_or_delivery(
    workers: Workers, hook: Hook, cast, org, user_in, write_osv, settings
) -> None:
    # the receiver is on loopback: the operator allows it, here and in the workers
    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse("127.0.0.1")
    workers.env["CLEARINGHOUSE_OUTBOUND_ALLOW"] = "127.0.0.1"
    # and they sign the audit chain with this process's key (its file, wherever it is)
    workers.env["CLEARINGHOUSE_AUDIT_SIGNING_KEY_FILE"] = str(key_file())
    operator = user_in("operator", org("Grid Co", "operator", sector="energy"))
    operator.email = "soc@grid.example"
    operator.save()
    register_webhook(
        operator.organisation, RegisterWebhook(url=hook.url, events=[Event.ADVISORY_MATCHED])
    )
    upload_asset(operator, RegisterAsset(name="Grid", filename="grid.json"), sbom())
    document = native(*({"title": f"bug {n}", "description": f"flaw {n}"} for n in range(ITEMS)))
    submission = intake.submit(cast["lab1"], document, background=True).submission
    import_osv(write_osv(advisory()))  # queues the re-match in its own transaction
    env = {"CLEARINGHOUSE_INTAKE_CHUNK_ITEMS": str(CHUNK)}

    # 1. Killed half-way through the intake.
    first = workers.start(**env)
    done = wait_for(
        lambda: Submission.objects.get(pk=submission.pk).processed_items, what="a first chunk"
    )
    workers.kill(first)
    assert CHUNK <= done < ITEMS, "the worker was killed with the intake half done"
    assert running("process_submission")

    # 2. The next worker takes the re-match (and, once the lease is over, the dead worker's
    # intake, in either order) and is killed inside the re-match.
    second = workers.start(**env)
    wait_for(lambda: running("rematch"), what="the re-match to be claimed")
    workers.kill(second)

    # 3. The next one is killed while it sends the webhook (the receiver holds the request).
    third = workers.start(**env)
    assert hook.arrived.wait(timeout=60), workers.logs()
    workers.kill(third)
    hook.release.set()

    # 4. The last one finishes: the webhook is tried again after its back-off and the lease.
    workers.start(**env)
    webhook = wait_for(
        lambda: Delivery.objects.filter(channel="webhook", status="sent").first(),
        what="the webhook delivery",
    )
    wait_for(
        lambda: not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists(),
        what="an empty queue",
    )

    assert Report.objects.filter(submission=submission).count() == ITEMS
    assert set(Report.objects.values_list("index", flat=True)) == set(range(ITEMS))
    assert Submission.objects.get(pk=submission.pk).processed_items == ITEMS
    assert Finding.objects.filter(status="open").count() == Finding.objects.count() == PACKAGES
    deliveries = Delivery.objects.filter(event="advisory.matched")
    assert sorted(deliveries.values_list("channel", "recipient", "status")) == [
        ("email", "soc@grid.example", "sent"),
        ("webhook", hook.url, "sent"),
    ]
    assert webhook.attempts == 2 and hook.answered == [str(webhook.pk)]
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists(), workers.logs()
    assert first_broken_link() is None
