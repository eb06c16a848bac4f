"""The task worker: django-tasks-db's worker loop, plus what the network needs from it.

- retries: a task that raises is put back with exponential backoff, and recorded as failed
  (with its error) only after `TASK_MAX_ATTEMPTS` attempts;
- no task lost to a killed worker: each worker beats in `WorkerHeartbeat` from a thread of
  its own; a task left running by a worker whose heartbeat went stale is put back;
- the schedule: every tick, each job's current period is claimed (one row, unique per
  period) and enqueued in the same transaction, so it runs once per period whatever the
  number of workers.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta
from traceback import format_exception

from django.conf import settings
from django.db import (
    IntegrityError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import metrics, tasklog
from .models import ScheduledRun, WorkerHeartbeat
from .schedule import JOBS

logger = logging.getLogger("ops.worker")

HEARTBEAT_SECONDS = 2.0
SCHEDULE_TICK_SECONDS = 1.0


def backoff_seconds(attempt: int) -> float:
    """Seconds to wait before attempt `attempt + 1`: base, 2×base, 4×base…, capped at an hour."""
    return min(settings.TASK_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1), 3600)


class NetworkWorker(Worker):
    def __init__(self, *, schedule: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.schedule = schedule
        self._claimed: dict[str, object] = {}  # job → the last period this worker saw claimed
        self._next_tick = 0.0
        self._beating = threading.Event()

    # Heartbeat and recovery

    def _beat_forever(self) -> None:
        host, pid = socket.gethostname(), os.getpid()
        while not self._beating.is_set():
            try:
                WorkerHeartbeat.objects.update_or_create(
                    worker_id=self.worker_id,
                    defaults={"hostname": host, "pid": pid, "seen_at": timezone.now()},
                )
            except Exception:  # the database may be restarting: beat again later
                logger.warning("worker heartbeat failed", exc_info=True)
            finally:
                connection.close()
            self._beating.wait(HEARTBEAT_SECONDS)

    def recover_abandoned(self) -> int:
        """Put back tasks left running by workers that stopped beating (killed, lost power)."""
        stale = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
        alive = set(
            WorkerHeartbeat.objects.filter(seen_at__gte=stale).values_list("worker_id", flat=True)
        )
        recovered = 0
        for row in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
            owner = row.worker_ids[-1] if row.worker_ids else ""
            if owner in alive or (row.started_at and row.started_at > stale):
                continue
            with transaction.atomic():
                locked = (
                    DBTaskResult.objects.select_for_update()
                    .filter(pk=row.pk, status=TaskResultStatus.RUNNING)
                    .first()
                )
                if locked is None or locked.worker_ids != row.worker_ids:
                    continue
                error = RuntimeError(f"worker {owner} stopped while running this task")
                self._retry_or_fail(locked, error)
                recovered += 1
        if recovered:
            logger.warning("put back %d task(s) abandoned by stopped workers", recovered)
        return recovered

    # Schedule

    def tick_schedule(self) -> None:
        now = timezone.now()
        for job in JOBS:
            period = job.period_start(now)
            if self._claimed.get(job.name) == period:
                continue
            self._claimed[job.name] = period
            if ScheduledRun.objects.filter(job=job.name, period_start=period).exists():
                continue
            from .tasks import run_scheduled_job

            try:
                with transaction.atomic():
                    run = ScheduledRun.objects.create(
                        job=job.name, period_start=period, claimed_by=self.worker_id
                    )
                    result = run_scheduled_job.using(backend=self.backend_name).enqueue(
                        job.name, period.isoformat()
                    )
                    ScheduledRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
            except IntegrityError:
                continue  # another worker claimed this period first
            logger.info("scheduled %s for %s", job.name, period.isoformat())

    # The loop

    def run(self) -> None:
        beater = threading.Thread(target=self._beat_forever, name="heartbeat", daemon=True)
        beater.start()
        logger.info("worker %s started", self.worker_id)
        try:
            while self.running:
                close_old_connections()
                self.housekeeping()
                row = self._claim_next()
                if row is not None:
                    self.run_task(row)
                    close_old_connections()
                    if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                        return
                elif self.running:
                    time.sleep(self.interval)
        finally:
            self._beating.set()

    def _claim_next(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        try:
            with exclusive_transaction(tasks.db):
                row = tasks.get_locked()
                if row is not None:
                    row.claim(self.worker_id)
                return row
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None  # SQLite busy: try again on the next turn
            raise

    def housekeeping(self) -> None:
        now = time.monotonic()
        if now < self._next_tick:
            return
        self._next_tick = now + SCHEDULE_TICK_SECONDS
        try:
            self.recover_abandoned()
            if self.schedule:
                self.tick_schedule()
            metrics.observe_queue()
        except Exception:
            logger.exception("worker housekeeping failed")
        finally:
            close_old_connections()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.running_task = True
        started = time.monotonic()
        name = db_task_result.task_path
        attempt = len(db_task_result.worker_ids)
        try:
            task = db_task_result.task
            result = db_task_result.task_result
            if task.takes_context:
                from django.tasks.base import TaskContext

                value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            else:
                value = task.call(*result.args, **result.kwargs)
            db_task_result.set_successful(value)
            outcome = "successful"
        except Exception as error:
            outcome = self._retry_or_fail(db_task_result, error)
        finally:
            self.running_task = False
            self._run_tasks += 1
        duration = time.monotonic() - started
        metrics.TASKS.labels(task=name.rsplit(".", 1)[-1], outcome=outcome).inc()
        tasklog.log_task(name, outcome=outcome, duration=duration, attempt=attempt)

    def _retry_or_fail(self, row: DBTaskResult, error: BaseException) -> str:
        attempt = len(row.worker_ids)
        if attempt < settings.TASK_MAX_ATTEMPTS:
            row.status = TaskResultStatus.READY
            row.run_after = timezone.now() + timedelta(seconds=backoff_seconds(attempt))
            # The last error stays visible while the task waits for its next attempt.
            row.exception_class_path = f"{type(error).__module__}.{type(error).__qualname__}"
            row.traceback = "".join(format_exception(error))
            row.save(update_fields=["status", "run_after", "exception_class_path", "traceback"])
            logger.warning(
                "task %s attempt %d failed (%s); retrying at %s",
                row.task_path,
                attempt,
                error,
                row.run_after.isoformat(),
            )
            return "retrying"
        row.set_failed(error)
        logger.error("task %s failed after %d attempts: %s", row.task_path, attempt, error)
        return "failed"
