"""Who may read and act on feedback from families: moderators and centre staff only.

A response is never shown to other members: it is turned into a thread (with credit only
for those who agreed) by staff, through the forum's actions.
"""

from __future__ import annotations

from community.forum import permissions as forum_permissions


def can_manage_feedback(user) -> bool:
    return forum_permissions.is_moderator(user)


def can_read_feedback(user) -> bool:
    """Staff, and the designated safeguarding leads, who are alerted to flagged responses."""
    return can_manage_feedback(user) or bool(
        user and user.is_authenticated and user.is_safeguarding_lead
    )
