"""Background delivery of notifications; a failed try queues the next one with back-off."""

from __future__ import annotations

from django_tasks import task

from .models import Delivery
from .services import attempt


@task()
def deliver(delivery_id: int) -> None:
    """Send one notification if it is due (a second task for it finds it not due, and stops)."""
    attempt(Delivery(pk=delivery_id), due_only=True)
