from __future__ import annotations

from .models import ModerationLog


def log(
    *,
    actor,
    action: str,
    target,
    reason: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> ModerationLog:
    """Append one entry to the moderation log, in the caller's transaction."""
    return ModerationLog.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.model_name,
        target_id=target.pk,
        reason=reason,
        before=before or {},
        after=after or {},
    )
