"""Background work: building exports, and completing deletions whose grace period ended."""

from __future__ import annotations

from django.tasks import task


@task
def build_export(export_id: int) -> bool:
    """Build a member's data export and tell them it is ready."""
    from . import actions
    from .export import build_zip
    from .models import DataExport

    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.state != DataExport.State.PENDING:
        return False
    actions.finish_export(export=export, content=build_zip(export.user))
    return True


@task
def complete_due_deletions() -> int:
    """Erase the members whose grace period has ended (run daily by the scheduler)."""
    from . import actions

    return actions.complete_due_deletions()
