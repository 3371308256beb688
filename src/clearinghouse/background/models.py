"""A worker's heartbeat: while it is fresh, the tasks that worker claimed are its own."""

from __future__ import annotations

from django.db import models


class WorkerBeat(models.Model):
    """One running (or dead) `clearinghouse worker`, by the id it claims tasks under."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"worker {self.worker_id} ({self.hostname}:{self.pid})"
