"""The task worker as an operator runs it: real worker processes on the test database, a real
SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.forum import actions
from notifications.models import Notification
from ops.models import ScheduledRun, WorkerHeartbeat
from ops.schedule import JOBS
from ops.worker import NetworkWorker
from tests.conftest import require_service
from tests.factories import make_thread, make_user
from tests.harness import in_test_worker
from tests.servers import free_port, wait_until, worker


class FlakySmtp:
    """An SMTP server's message handler that answers each DATA from a script of replies.

    "hang" keeps the client waiting (as a stuck relay would); "451…"/"550…" refuse; "250"
    accepts and keeps the message.
    """

    def __init__(self, script: list[str]) -> None:
        self.script = list(script)
        self.attempts = 0
        self.delivered: list = []
        self.hanging = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        reply = self.script[min(self.attempts, len(self.script) - 1)]
        self.attempts += 1
        if reply == "hang":
            self.hanging.set()
            await asyncio.sleep(120)
            return "451 4.4.2 timed out"
        if reply.startswith("250"):
            self.delivered.append(envelope)
        return reply


@pytest.fixture
def smtp():
    servers = []

    def start(script: list[str]) -> tuple[FlakySmtp, int]:
        handler = FlakySmtp(script)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        return handler, port

    yield start
    for controller in servers:
        controller.stop()


def _email_env(port: int) -> dict[str, str]:
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "TASK_RETRY_BACKOFF_SECONDS": "0.2",
        "WORKER_STALE_SECONDS": "3",
        # Only the task under test: no scheduled jobs in the way.
        "SCHEDULE_EVERY_SECONDS": "",
    }


def _reply_for_away_member() -> Notification:
    author = make_user(email="away-author@example.org")
    thread = make_thread(author=author, title="Cover for the Saturday drop-in")
    actions.create_post(
        author=make_user(display_name="Replying Rae"),
        thread=thread,
        source="We can cover Saturday",
        reply_to=thread.posts.get(number=1),
    )
    return author


def _email_tasks():
    return DBTaskResult.objects.filter(task_path="notifications.emails.send_notification_email")


def test_two_workers_run_every_scheduled_job_once_per_period(network):
    env = {"SCHEDULE_EVERY_SECONDS": "moderation_timers=1"}
    with worker(**env) as first, worker(**env) as second:
        wait_until(
            lambda: (
                ScheduledRun.objects.filter(job="moderation_timers").count() >= 4
                and not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL)
                .exclude(status=TaskResultStatus.FAILED)
                .exists()
            ),
            timeout=90,
            what="four periods of moderation_timers run by two workers",
        )
        assert (
            WorkerHeartbeat.objects.filter(
                worker_id__in=[first.worker_id, second.worker_id]
            ).count()
            == 2
        )
    runs = list(ScheduledRun.objects.all())
    tasks = list(DBTaskResult.objects.filter(task_path="ops.tasks.run_scheduled_job"))
    # Every job in the README's table ran, for real, from the worker.
    assert {run.job for run in runs} == {job.name for job in JOBS}
    assert all(t.status == TaskResultStatus.SUCCESSFUL for t in tasks), [t.traceback for t in tasks]
    # One task per claimed period, and no period claimed (or run) twice.
    ran = sorted((t.args_kwargs["args"][0], t.args_kwargs["args"][1]) for t in tasks)
    claimed = sorted((run.job, run.period_start.isoformat()) for run in runs)
    assert ran == claimed and len(set(ran)) == len(ran)
    # Periods follow one another (a loaded machine may miss one; it is never run twice).
    seconds = [run.period_start for run in runs if run.job == "moderation_timers"]
    assert len(seconds) >= 4 and all(s.microsecond == 0 for s in seconds)


def test_killed_worker_loses_no_email_and_a_refused_email_is_retried(network, db_tasks, smtp):
    handler, port = smtp(["hang", "451 4.3.0 Mailbox busy, try again later", "250 OK"])
    env = _email_env(port)
    with worker(**env) as doomed:
        author = _reply_for_away_member()
        wait_until(handler.hanging.is_set, timeout=60, what="the worker to reach SMTP")
        doomed.kill()  # mid-task: the email is half sent and its task row says running
        doomed.wait()
    assert _email_tasks().get().status == TaskResultStatus.RUNNING
    with worker(**env) as survivor:
        wait_until(lambda: len(handler.delivered) == 1, timeout=60, what="the email")
        wait_until(
            lambda: _email_tasks().get().status == TaskResultStatus.SUCCESSFUL,
            what="the task to be recorded",
        )
    task = _email_tasks().get()
    # Attempt 1 died with its worker, attempt 2 was refused, attempt 3 was accepted.
    assert task.worker_ids == [doomed.worker_id, survivor.worker_id, survivor.worker_id]
    assert handler.attempts == 3 and len(handler.delivered) == 1
    assert handler.delivered[0].rcpt_tos == ["away-author@example.org"]
    assert b"We can cover Saturday" in handler.delivered[0].content
    assert Notification.objects.get(user=author, kind="reply").emailed_at is not None


def test_task_failing_every_attempt_is_recorded_failed_for_centre_staff(
    db, db_tasks, smtp, settings, client, committed
):
    handler, port = smtp(["550 5.7.1 Relaying denied"])
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False},
        }
    }
    settings.TASK_MAX_ATTEMPTS = 2
    settings.TASK_RETRY_BACKOFF_SECONDS = 30
    with committed():
        _reply_for_away_member()
    loop = NetworkWorker(
        queue_names=["*"],
        interval=0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="in-test",
        excluded_queue_names=[],
        schedule=False,
    )
    # First the fan-outs (the thread's, then the reply's, which writes the notification and
    # queues the email once it commits) and the search indexing of both posts.
    for _ in range(8):
        with committed():
            row = loop._claim_next()
            if row.task_path == "notifications.emails.send_notification_email":
                break
            assert row.task_path in (
                "notifications.tasks.fan_out",
                "community.events.run_subscriber",
            )
            loop.run_task(row)
    loop.run_task(row)
    row.refresh_from_db()
    # Refused once: back in the queue after the backoff, its error kept.
    assert row.status == TaskResultStatus.READY
    assert row.run_after > timezone.now() + timedelta(seconds=20)
    assert "SMTPDataError" in row.exception_class_path
    assert loop._claim_next() is None  # not before its time
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    loop.run_task(loop._claim_next())
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and handler.attempts == 2
    assert "Relaying denied" in row.traceback
    staff = make_user("staff", is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get("/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    assert page.status_code == 200 and "send_notification_email" in page.content.decode()


def _ready_row(**fields) -> DBTaskResult:
    from django_tasks_db.models import get_date_max

    values = {
        "args_kwargs": {"args": ["ops.schedule", "2026-12-01T00:00:00"], "kwargs": {}},
        "task_path": "ops.tasks.run_scheduled_job",
        "backend_name": "default",
        "run_after": get_date_max(),
        **fields,
    }
    return DBTaskResult.objects.create(**values)


def test_the_worker_claims_tasks_in_the_order_django_tasks_db_would(db, db_tasks):
    """On PostgreSQL the claim is one statement of the worker's own; it takes the rows
    `ready()`'s ordering and `get_locked()` give, and marks them as `claim()` does."""
    from django.db import connection, transaction

    require_service("PostgreSQL", connection.vendor == "postgresql")
    now = timezone.now()
    _ready_row(priority=0)
    _ready_row(priority=50)
    _ready_row(priority=0, run_after=now - timedelta(minutes=1))
    _ready_row(priority=0, run_after=now + timedelta(hours=1))  # not yet due
    _ready_row(priority=10, backend_name="elsewhere")  # another backend's
    _ready_row(priority=100, status=TaskResultStatus.RUNNING)  # someone else's already
    loop = in_test_worker()
    claimed = []
    while True:
        with transaction.atomic():
            expected = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
        row = loop._claim_next()
        assert (row and row.pk) == (expected and expected.pk)
        if row is None:
            break
        claimed.append(row)
    assert [(r.priority, r.run_after < now) for r in claimed] == [
        (50, False),
        (0, True),
        (0, False),
    ]
    for row in claimed:
        row.refresh_from_db()
        assert row.status == TaskResultStatus.RUNNING and row.worker_ids == ["in-test"]
        assert row.started_at is not None


@pytest.mark.django_db(transaction=True)
def test_committed_task_rows_ring_the_workers_doorbell_and_rolled_back_ones_do_not(db_tasks):
    from django.db import connection, transaction

    from ops.worker import Doorbell

    require_service("PostgreSQL", connection.vendor == "postgresql")
    doorbell = Doorbell("default")
    try:
        doorbell.wait(0)  # connects and listens
        assert doorbell.wait(0) is False

        class RolledBack(Exception):
            pass

        with pytest.raises(RolledBack), transaction.atomic():
            _ready_row()
            raise RolledBack
        assert doorbell.wait(0.5) is False
        with transaction.atomic():
            _ready_row()
            _ready_row()
            assert doorbell.wait(0) is False  # not before the commit
        assert doorbell.wait(30) is True
        assert doorbell.wait(0) is False  # one ring per transaction, already heard
    finally:
        doorbell.close()
