"""Who may see the insight dashboard and report, and which sections of them.

Centre staff see every section; moderators see Safety only; nobody else sees anything
(the pages answer 404, so their existence is not revealed). Young people never do, whatever
their role, and nor does a suspended member.
"""

from __future__ import annotations

from community.accounts.models import User
from community.accounts.permissions import can_use_network

from .registry import SECTIONS


def insight_sections(user) -> tuple[str, ...]:
    """The sections this user may see, in page order (empty: none)."""
    if not (user and user.is_authenticated) or user.is_minor or not can_use_network(user):
        return ()
    if user.is_centre_staff:
        return tuple(SECTIONS)
    if user.role == User.Role.MODERATOR:
        return ("safety",)
    return ()


def can_view_insight(user) -> bool:
    return bool(insight_sections(user))
