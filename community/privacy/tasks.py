"""Background work: building exports, and completing deletions whose grace period ended.

The outermost layer of the app: tasks call actions, and nothing in the app imports tasks
but the receiver that enqueues them.
"""

from __future__ import annotations

from django.tasks import task

from . import actions
from .export import build_zip
from .models import DataExport


@task
def build_export(export_id: int) -> bool:
    """Build a member's data export and tell them it is ready."""
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.state != DataExport.State.PENDING:
        return False
    actions.finish_export(export=export, content=build_zip(export.user))
    return True


@task
def complete_due_deletions() -> int:
    """Erase the members whose grace period has ended (run daily by the scheduler)."""
    return actions.complete_due_deletions()
