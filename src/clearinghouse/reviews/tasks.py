"""The review clock as a background task (run periodically by `clearinghouse clock`)."""

from __future__ import annotations

from django_tasks import task

from .services import run_clock


@task()
def check_review_clock() -> dict[str, int]:
    """Flag overdue notices and send due reminders."""
    return run_clock()
