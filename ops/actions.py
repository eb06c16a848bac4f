"""What centre staff do to the task queue: send a failed task back to the worker."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult, get_date_max

from .permissions import can_manage_tasks

logger = logging.getLogger("ops.tasks")


@transaction.atomic
def retry_task(*, actor, task_id: str) -> DBTaskResult:
    """Queue a failed task again, with a fresh set of attempts; its last error stays shown until
    it runs. Only a task that failed for good can be retried (tasks are safe to run twice)."""
    if not can_manage_tasks(actor):
        raise PermissionDenied(_("Only centre staff retry tasks."))
    row = DBTaskResult.objects.select_for_update().filter(pk=task_id).first()
    if row is None:
        raise DBTaskResult.DoesNotExist
    if row.status != TaskResultStatus.FAILED:
        raise ValidationError(_("This task has not failed: it is queued, running or done."))
    row.status = TaskResultStatus.READY
    row.run_after = get_date_max()  # as soon as a worker is free
    row.worker_ids = []  # the attempts start again, with the usual backoff
    row.finished_at = None
    row.save(update_fields=["status", "run_after", "worker_ids", "finished_at"])
    # One log line as the record of who retried what (no member names in logs, only ids).
    logger.info(
        "task %s retried by member %s",
        row.task_path,
        actor.pk,
        extra={"task": row.task_path, "outcome": "retried", "member": actor.pk},
    )
    return row
