from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When

from .models import Notification


def notification_list(
    *, viewer, page: int = 1, per_page: int = 30
) -> tuple[list[Notification], bool]:
    """The member's notifications, unread first, newest first."""
    start = (max(page, 1) - 1) * per_page
    qs = (
        Notification.objects.filter(user=viewer)
        .select_related("post__thread__space")
        .annotate(
            unread_first=Case(
                When(read_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("unread_first", "-id")
    )
    rows = list(qs[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def notifications_after(*, viewer, after: int, limit: int = 200) -> list[Notification]:
    """What a reconnecting client missed: everything after the last id it saw."""
    return list(
        Notification.objects.filter(user=viewer, pk__gt=after)
        .select_related("post__thread__space")
        .order_by("pk")[:limit]
    )


def notifications_missed(
    *, viewer, after: int, held: set[int], since, limit: int = 200
) -> list[Notification]:
    """What a reconnecting client missed: everything after the last id it saw, and the
    recent ones (since `since`) below it that it does not hold (a push that failed while
    later ones arrived leaves such a hole)."""
    from django.db.models import Q

    rows = (
        Notification.objects.filter(user=viewer)
        .filter(Q(pk__gt=after) | Q(pk__lte=after, created_at__gte=since))
        .exclude(pk__in=list(held))
        .select_related("post__thread__space")
        .order_by("pk")[:limit]
    )
    return list(rows)


def unread_count(viewer) -> int:
    return Notification.objects.filter(user=viewer, read_at__isnull=True).count()
