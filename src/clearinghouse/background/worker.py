"""`clearinghouse worker`: django-tasks' database worker, with a heartbeat and the sweep.

The worker loop is django_tasks_db's own (`Worker`: a task is claimed by locking its row with
`skip_locked`, so two workers never take one). Beside it a thread writes this worker's
heartbeat every third of the lease — also while a long task runs, which is why it is a
thread — and runs the sweep, so any live worker takes back the tasks of dead ones.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import close_old_connections, connection, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from .models import WorkerBeat
from .sweep import lease, sweep

logger = logging.getLogger(__name__)


def beat(worker_id: str) -> None:
    """Write (or refresh) this worker's heartbeat row."""
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": timezone.now(), "hostname": socket.gethostname()[:255]},
        create_defaults={
            "beat_at": timezone.now(),
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


class Heartbeat(threading.Thread):
    """Beats, then sweeps, every third of the lease until stopped (a daemon: dies with us)."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        """Beat and sweep; a failure (the database away a moment) is logged and tried again."""
        try:
            while not self.stopped.is_set():
                try:
                    close_old_connections()
                    beat(self.worker_id)
                    report = sweep()
                    if report.requeued or report.failed or report.deliveries:
                        logger.warning("sweep: %s", report)
                except Exception:  # the next beat tries again; the worker keeps working
                    logger.exception("heartbeat or sweep failed")
                self.stopped.wait(lease().total_seconds() / 3)
        finally:
            connections.close_all()


def _shared_database() -> bool:
    """Whether other processes reach our database: an in-memory SQLite one (tests) is ours
    alone, so no one needs our beat, and its shared cache would refuse a thread's writes
    beside ours rather than wait."""
    from django.db.backends.sqlite3.creation import DatabaseCreation

    name = connection.settings_dict["NAME"]
    return not (connection.vendor == "sqlite" and DatabaseCreation.is_in_memory_db(name))


def run_worker(*, batch: bool = False, interval: float = 1.0, worker_id: str = "") -> None:
    """Run tasks until stopped (`batch`: until the queue is empty), beating all along."""
    worker_id = worker_id or get_random_string(32)
    beat(worker_id)
    if batch:
        sweep()  # take back what dead workers held before draining the queue
    heartbeat = Heartbeat(worker_id)
    if _shared_database():
        heartbeat.start()
    worker = Worker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        worker.run()
    finally:
        heartbeat.stopped.set()
        if heartbeat.is_alive():
            heartbeat.join(timeout=5)
        # Gone cleanly: nothing of ours is running, so nothing waits for our lease to end.
        WorkerBeat.objects.filter(worker_id=worker_id).delete()
