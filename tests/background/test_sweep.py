"""The sweep takes back the tasks of dead workers, gives up on poison ones, queues due work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clearinghouse.background.models import WorkerBeat
from clearinghouse.background.queue import queued_for
from clearinghouse.background.sweep import requeue_abandoned, sweep
from clearinghouse.cli import main
from clearinghouse.notifications.models import Delivery
from clearinghouse.notifications.services import notify
from clearinghouse.notifications.tasks import deliver

pytestmark = pytest.mark.django_db


def claimed(worker_ids: list[str], minutes_ago: float) -> DBTaskResult:
    """A delivery task claimed by `worker_ids[-1]` that long ago (as the worker claims it)."""
    result = deliver.enqueue(1)
    row = DBTaskResult.objects.get(pk=result.id)
    row.status, row.worker_ids = "RUNNING", worker_ids
    row.started_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    row.save()
    return row


def beat(worker_id: str, minutes_ago: float) -> None:
    WorkerBeat.objects.create(
        worker_id=worker_id, beat_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )


def test_tasks_of_dead_workers_go_back_to_the_queue_and_live_ones_keep_theirs() -> None:
    beat("alive", 0)
    beat("dead", 5)
    mine = claimed(["alive"], 10)
    orphan = claimed(["dead"], 10)
    unbeaten = claimed(["never-beat"], 10)
    fresh = claimed(["also-never-beat"], 0)  # claimed within the lease: not judged yet
    assert requeue_abandoned() == (2, 0)
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses == {
        mine.pk: "RUNNING",
        orphan.pk: "READY",
        unbeaten.pk: "READY",
        fresh.pk: "RUNNING",
    }
    assert DBTaskResult.objects.get(pk=orphan.pk).started_at is None
    assert requeue_abandoned() == (0, 0)  # nothing more to do: running it twice is harmless


def test_a_task_whose_workers_keep_dying_is_given_up(settings) -> None:
    settings.CLEARINGHOUSE_WORKER_MAX_LOST = 3
    poison = claimed(["a", "b", "c"], 10)
    assert requeue_abandoned() == (0, 1)
    poison.refresh_from_db()
    assert poison.status == "FAILED"
    assert poison.exception_class_path == "clearinghouse.background.sweep.WorkerLost"
    assert "died 3 times" in poison.traceback


def test_a_due_delivery_without_a_task_gets_one_once(org) -> None:
    lab = org("Lab", "lab")
    user = lab.members.create(username="dev", email="dev@lab.example")
    [delivery] = notify("notice.decided", subject="s", payload={}, users=[user])
    assert queued_for(deliver, [delivery.pk]) == {delivery.pk}  # queued with the row
    assert sweep().deliveries == 0
    DBTaskResult.objects.all().delete()  # as if its task was lost
    assert sweep().deliveries == 1
    assert queued_for(deliver, [delivery.pk]) == {delivery.pk}
    assert sweep().deliveries == 0
    Delivery.objects.update(next_attempt_at=timezone.now() + dt.timedelta(hours=1))
    DBTaskResult.objects.all().delete()
    assert sweep().deliveries == 0  # not due yet


def test_the_sweep_command_says_what_it_did(capsys) -> None:
    claimed(["dead"], 10)
    assert main(["sweep"]) == 0
    assert capsys.readouterr().out.strip() == (
        "requeued: 1 tasks of dead workers; given up: 0; due deliveries queued: 0"
    )
