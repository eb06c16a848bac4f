"""What centre staff read about the task queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .permissions import can_manage_tasks

TASKS_SHOWN = 100


@dataclass(frozen=True)
class TroubledTask:
    """A task that failed for good, or raised and waits for its next attempt."""

    id: str
    name: str  # the task function's name, e.g. "send_notification_email"
    path: str
    failed: bool  # False: it raised, and another attempt is due
    attempts: int
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    error: str  # the exception's last line: "ConnectionRefusedError: [Errno 111] ..."
    traceback: str
    arguments: str


def _error_line(traceback: str, exception_path: str) -> str:
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else exception_path


def troubled_tasks(*, viewer) -> list[TroubledTask]:
    """Failed tasks and those waiting to retry after an error, most recent attempt first."""
    if not can_manage_tasks(viewer):
        raise PermissionDenied
    rows = (
        DBTaskResult.objects.filter(
            Q(status=TaskResultStatus.FAILED)
            | (Q(status=TaskResultStatus.READY) & ~Q(exception_class_path=""))
        )
        .order_by("-started_at", "-enqueued_at")
        .only(
            "id", "status", "task_path", "worker_ids", "started_at", "finished_at", "run_after",
            "exception_class_path", "traceback", "args_kwargs",
        )[:TASKS_SHOWN]
    )  # fmt: skip
    tasks = []
    for row in rows:
        failed = row.status == TaskResultStatus.FAILED
        tasks.append(
            TroubledTask(
                id=str(row.id),
                name=row.task_path.rsplit(".", 1)[-1],
                path=row.task_path,
                failed=failed,
                attempts=len(row.worker_ids),
                last_attempt_at=row.finished_at if failed and row.finished_at else row.started_at,
                next_attempt_at=None if failed else row.run_after,
                error=_error_line(row.traceback, row.exception_class_path),
                traceback=row.traceback,
                arguments=_arguments(row.args_kwargs),
            )
        )
    return tasks


def _arguments(args_kwargs) -> str:
    args = (args_kwargs or {}).get("args", [])
    kwargs = (args_kwargs or {}).get("kwargs", {})
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    text = ", ".join(parts)
    return text if len(text) <= 300 else text[:299] + "…"
