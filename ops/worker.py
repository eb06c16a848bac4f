"""The task worker: django-tasks-db's worker loop, plus what the network needs from it.

- retries: a task that raises is put back with exponential backoff, and recorded as failed
  (with its error) only after `TASK_MAX_ATTEMPTS` attempts;
- no task lost to a killed worker: each worker beats in `WorkerHeartbeat` from a thread of
  its own; a task left running by a worker whose heartbeat went stale is put back;
- the schedule: every tick, each job's current period is claimed (one row, unique per
  period) and enqueued in the same transaction, so it runs once per period whatever the
  number of workers;
- on PostgreSQL, woken at once: every worker LISTENs on a channel that a trigger on the task
  table NOTIFYs when task rows commit (migration ops/0002), and claims a task in one
  statement. Polling stays as the fallback (retries due later, a lost listening connection),
  and on SQLite, which has neither.
"""

from __future__ import annotations

import json
import logging
import os
import select
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
    connections,
    transaction,
)
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import metrics, tasklog
from .models import ScheduledRun, WorkerHeartbeat
from .schedule import JOBS

logger = logging.getLogger("ops.worker")

HEARTBEAT_SECONDS = 2.0
SCHEDULE_TICK_SECONDS = 1.0
# The channel the task table's trigger notifies (spelt out again in migration ops/0002).
DOORBELL_CHANNEL = "fhn_tasks"


def backoff_seconds(attempt: int) -> float:
    """Seconds to wait before attempt `attempt + 1`: base, 2×base, 4×base…, capped at an hour."""
    return min(settings.TASK_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1), 3600)


class Doorbell:
    """A PostgreSQL connection of the worker's own, LISTENing for task rows being committed.

    `wait(timeout)` returns as soon as a notification arrives (or one came while the worker
    was busy), else after `timeout`. Several workers all wake; the claim (FOR UPDATE SKIP
    LOCKED) gives each task to one. A broken connection is dropped and made again on a later
    wait, which then returns at once: what was notified meanwhile is found by the claim.
    """

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self._conn = None

    def _connect(self):
        import psycopg
        from django.db import connections

        params = connections[self.alias].get_connection_params()  # without its pool
        conn = psycopg.connect(**params, autocommit=True)
        conn.execute(f"LISTEN {DOORBELL_CHANNEL}")
        return conn

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for task rows; whether the bell rang (or may have)."""
        if self._conn is None:
            try:
                self._conn = self._connect()
            except Exception:  # the database may be restarting: poll meanwhile
                logger.warning("worker could not listen for tasks", exc_info=True)
                time.sleep(timeout)
            return True
        try:
            # Readable: a notification (or the server closing). Waiting on the socket rather
            # than in psycopg lets a SIGTERM's handler stop the worker straight away.
            if not select.select([self._conn.fileno()], [], [], timeout)[0]:
                return False
            rang = False
            for _notify in self._conn.notifies(timeout=0):
                rang = True
            return rang
        except Exception:
            logger.warning("worker stopped listening for tasks; polling", exc_info=True)
            self.close()
            return True

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


# Claim the next ready task in one statement (autocommit): the row django-tasks-db's
# `ready()`, ordering and `get_locked()` pick, marked as `claim()` marks it, without a
# transaction of four round trips and the ORM compiling both (a third of the worker's CPU per
# post, measured). SKIP LOCKED applies below the LIMIT: each row goes to one worker.
# tests/ops/test_worker.py checks it picks what `get_locked()` picks.
_CLAIM_SQL = """
    UPDATE {table} SET status = %(running)s, started_at = %(now)s,
        worker_ids = worker_ids || %(worker)s::jsonb
    WHERE id = (
        SELECT id FROM {table}
        WHERE status = %(ready)s AND backend_name = %(backend)s {queues}
            AND (run_after = %(date_max)s OR run_after <= %(now)s)
        ORDER BY priority DESC, run_after ASC, enqueued_at ASC
        LIMIT 1 FOR UPDATE SKIP LOCKED
    )
    RETURNING *
"""


class NetworkWorker(Worker):
    def __init__(self, *, schedule: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.schedule = schedule
        self._claimed: dict[str, object] = {}  # job → the last period this worker saw claimed
        self._next_tick = 0.0
        self._beating = threading.Event()
        self._doorbell: Doorbell | None = None

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
        alias = DBTaskResult.objects.db
        if connections[alias].vendor == "postgresql":
            self._doorbell = Doorbell(alias)
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
                    self._wait_for_tasks()
        finally:
            self._beating.set()
            if self._doorbell is not None:
                self._doorbell.close()

    def _wait_for_tasks(self) -> None:
        """Until a task may be ready: the doorbell (new rows), at the latest the next
        housekeeping tick (tasks due later, recovered ones); or the polling interval."""
        if self._doorbell is None:
            time.sleep(self.interval)
        else:
            self._doorbell.wait(max(self._next_tick - time.monotonic(), 0.0))

    def _claim_next(self) -> DBTaskResult | None:
        alias = DBTaskResult.objects.db
        if connections[alias].vendor == "postgresql":
            return self._claim_in_one_statement(alias)
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

    def _claim_in_one_statement(self, alias: str) -> DBTaskResult | None:
        sql = _CLAIM_SQL.format(
            table=connections[alias].ops.quote_name(DBTaskResult._meta.db_table),
            queues="" if self.process_all_queues else "AND queue_name = ANY(%(queues)s)",
        )
        params = {
            "running": TaskResultStatus.RUNNING.value,
            "ready": TaskResultStatus.READY.value,
            "now": timezone.now(),
            "worker": json.dumps([self.worker_id]),
            "backend": self.backend_name,
            "date_max": get_date_max(),
            "queues": list(self.queue_names),
        }
        rows = list(DBTaskResult.objects.db_manager(alias).raw(sql, params))
        return rows[0] if rows else None

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
