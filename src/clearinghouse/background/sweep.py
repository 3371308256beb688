"""The sweep: tasks of dead workers back to READY, and the outboxes' due work into the queue.

Every `clearinghouse worker` runs it every heartbeat or so, and `clearinghouse sweep` runs it
once; running it twice at once is harmless (rows are taken with `skip_locked`, and putting a
task back or enqueuing a due delivery is checked against the row it changes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from .models import WorkerBeat

#: Tasks looked at per sweep: a backlog of abandoned tasks is worked through sweep by sweep.
SWEEP_BATCH = 500
#: Heartbeats of workers gone this long are deleted (kept a while to show on the admin site).
FORGET_AFTER = dt.timedelta(days=1)


class WorkerLost(RuntimeError):
    """Recorded on a task given up on: its workers died under it too many times."""


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did."""

    requeued: int = 0
    failed: int = 0
    deliveries: int = 0


def lease() -> dt.timedelta:
    """How long a worker's heartbeat counts: older, its running tasks are taken back."""
    return dt.timedelta(seconds=settings.CLEARINGHOUSE_WORKER_LEASE_SECONDS)


def is_alive(worker_id: str) -> bool:
    """Whether the worker of that id beat within the lease: what it claimed is still its own."""
    cutoff = timezone.now() - lease()
    return WorkerBeat.objects.filter(worker_id=worker_id, beat_at__gte=cutoff).exists()


def requeue_abandoned(now: dt.datetime | None = None) -> tuple[int, int]:
    """Put the RUNNING tasks of workers without a fresh heartbeat back to READY.

    Returns (requeued, failed): a task whose workers died under it
    `CLEARINGHOUSE_WORKER_MAX_LOST` times is marked FAILED instead (it may be what kills
    them), so a poison task cannot take every worker down in turn for ever.
    """
    cutoff = (now or timezone.now()) - lease()
    alive = set(WorkerBeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    requeued = failed = 0
    with exclusive_transaction(DBTaskResult.objects.db):
        running = (
            DBTaskResult.objects.running()
            .filter(started_at__lt=cutoff)
            .select_for_update(skip_locked=True)
            .order_by("started_at")[:SWEEP_BATCH]
        )
        for task in running:
            if task.worker_ids and task.worker_ids[-1] in alive:
                continue
            if len(task.worker_ids) >= settings.CLEARINGHOUSE_WORKER_MAX_LOST:
                task.set_failed(WorkerLost(f"its worker died {len(task.worker_ids)} times"))
                failed += 1
                continue
            task.status, task.started_at = TaskResultStatus.READY, None
            task.save(update_fields=["status", "started_at"])
            requeued += 1
    WorkerBeat.objects.filter(beat_at__lt=cutoff - FORGET_AFTER).delete()
    return requeued, failed


def sweep() -> SweepReport:
    """One pass: abandoned tasks back to the queue, then due deliveries into it."""
    from clearinghouse.notifications.services import enqueue_due

    requeued, failed = requeue_abandoned()
    return SweepReport(requeued=requeued, failed=failed, deliveries=enqueue_due())
