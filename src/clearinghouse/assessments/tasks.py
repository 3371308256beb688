"""Assessment runs as background tasks (`clearinghouse worker`)."""

from __future__ import annotations

from django_tasks import TaskContext, task

from .services import execute


@task(takes_context=True)
def run_assessment(context: TaskContext, run_id: int) -> str:
    """Run one queued assessment; its own failures end the run, not the worker.

    The worker that claimed the task is named (the last of its worker ids), so a run it holds
    is not taken from it while its heartbeat is fresh.
    """
    workers = context.task_result.worker_ids
    return str(execute(run_id, worker=workers[-1] if workers else "").status)
