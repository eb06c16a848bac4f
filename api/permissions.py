"""Who may manage API keys: centre staff (the Django admin is not for them)."""

from __future__ import annotations

from community.accounts import permissions as member_permissions


def can_manage_api_keys(user) -> bool:
    return bool(user and user.is_authenticated and user.is_centre_staff)


def can_hold_api_key(member) -> bool:
    """A key acts as its member: never as a young person, never for an account that cannot
    use the network."""
    return member_permissions.can_use_network(member) and not member.is_minor
