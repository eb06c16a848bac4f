"""What the worker keeps in the database: which scheduled periods were claimed, and who is alive."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    """One period of one scheduled job, claimed by exactly one worker.

    The unique constraint is the claim: two workers that wake for the same minute both try to
    insert the row, and only one succeeds (and enqueues the job in the same transaction).
    """

    job = models.CharField(max_length=60)
    period_start = models.DateTimeField()
    claimed_by = models.CharField(max_length=64)
    claimed_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-period_start", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period_start"], name="one_run_per_job_period")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A running worker process, beating every few seconds from its own thread."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
