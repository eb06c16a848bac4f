from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def bell(request) -> dict:
    """The unread count for the header, counted only if a template shows it."""
    user = getattr(request, "user", None)

    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        from .selectors import unread_count

        return unread_count(user)

    return {"bell_unread": SimpleLazyObject(count)}
