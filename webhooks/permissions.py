"""Who may manage webhooks: centre staff (webhooks send the network's events to other systems)."""

from __future__ import annotations


def can_manage_webhooks(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_centre_staff)
