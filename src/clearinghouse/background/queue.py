"""What the task queue holds for a thing: does a READY or RUNNING task exist for it?

Outbox sweeps and retries ask this of django-tasks' own table (by the task's path and its
first argument, the thing's id) rather than keeping a second record of queued work.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django_tasks_db.compat import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult


def queued_for(task: Task[Any, Any], ids: Collection[int]) -> set[int]:
    """The ids among `ids` that a READY or RUNNING `task(id, …)` will (still) work on."""
    if not ids:
        return set()
    return set(
        DBTaskResult.objects.filter(
            task_path=task.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
            args_kwargs__args__0__in=list(ids),
        ).values_list("args_kwargs__args__0", flat=True)
    )
