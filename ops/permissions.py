"""Who may see the task queue's failures and retry them: centre staff."""

from __future__ import annotations


def can_manage_tasks(user) -> bool:
    """Centre staff see failed background tasks (their errors name members' records) and retry them."""
    return bool(user and user.is_authenticated and user.is_active and user.is_centre_staff)
