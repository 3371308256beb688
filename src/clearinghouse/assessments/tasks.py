"""Assessment runs as background tasks (`clearinghouse worker`)."""

from __future__ import annotations

from django_tasks import task

from .services import execute


@task()
def run_assessment(run_id: int) -> str:
    """Run one queued assessment; its own failures end the run, not the worker."""
    return str(execute(run_id).status)
