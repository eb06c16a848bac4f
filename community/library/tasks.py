"""Scheduled work for the library, run by Django's task framework (or the command)."""

from __future__ import annotations

from django.tasks import task

from . import actions


@task
def mark_due_resources() -> list[int]:
    """Mark resources whose review date has come as review due, and tell their people."""
    return actions.mark_due_resources()
