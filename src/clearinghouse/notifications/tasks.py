"""Background delivery of notifications, rescheduling itself with back-off on failure."""

from __future__ import annotations

from django_tasks import task

from .models import Delivery
from .services import attempt


@task()
def deliver(delivery_id: int) -> None:
    """Send one notification; on failure, enqueue the next attempt for later."""
    delivery = Delivery.objects.filter(pk=delivery_id).select_related("endpoint").first()
    if delivery is None:
        return
    retry_at = attempt(delivery)
    if retry_at is not None:
        deliver.using(run_after=retry_at).enqueue(delivery_id)
