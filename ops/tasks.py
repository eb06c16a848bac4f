"""Tasks the worker runs for itself: the scheduled jobs."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.tasks import task

from .schedule import BY_NAME


@task
def run_scheduled_job(job_name: str, period_start: str) -> str:
    """Run one period of a scheduled job (its management command); return what it printed."""
    out = io.StringIO()
    call_command(*BY_NAME[job_name].command, stdout=out)
    return out.getvalue()[-2000:]
