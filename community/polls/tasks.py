"""The scheduled job's entry point, for the scheduler (and `manage.py close_due_polls`)."""

from __future__ import annotations

from .actions import close_due_polls


def close_due_polls_task() -> int:
    """Close polls whose closing time has passed; returns how many. Safe to run again."""
    return close_due_polls()
