from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When

from community.fragments import cached

from .models import Notification


def notification_list(
    *, viewer, page: int = 1, per_page: int = 30
) -> tuple[list[Notification], bool]:
    """The member's notifications, unread first, newest first."""
    start = (max(page, 1) - 1) * per_page
    # The page's ids are picked first (an index-only scan of notification_unread and a sort),
    # and only their posts, threads and spaces are joined, in the same query. Joined before
    # the sort, PostgreSQL read the post, thread and space of every notification the member
    # ever had: 3,645 buffers a page for the bench reader's 452 at national size, 370 so.
    page_ids = (
        Notification.objects.filter(user=viewer)
        .annotate(unread_first=_unread_first())
        .order_by("unread_first", "-id")
        .values("pk")[start : start + per_page + 1]
    )
    rows = list(
        Notification.objects.filter(pk__in=page_ids)
        .select_related("post__thread__space")
        .annotate(unread_first=_unread_first())
        .order_by("unread_first", "-id")
    )
    return rows[:per_page], len(rows) > per_page


def _unread_first() -> Case:
    return Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


def notifications_after(*, viewer, after: int, limit: int = 200) -> list[Notification]:
    """What a reconnecting client missed: everything after the last id it saw (the newest
    `limit` of them, oldest first)."""
    rows = list(
        Notification.objects.filter(user=viewer, pk__gt=after)
        .select_related("post__thread__space")
        .order_by("-pk")[:limit]
    )
    rows.reverse()
    return rows


def notifications_missed(
    *, viewer, after: int, held: set[int], since, floor: int = 0, limit: int = 200
) -> list[Notification]:
    """What a reconnecting client missed: everything after the last id it saw, and the
    recent ones (since `since`) between `floor` and it that it does not hold (a push that
    failed while later ones arrived leaves such a hole).

    `floor` is the id at or below which the client's list of what it holds is incomplete:
    below it, an id missing from `held` may well have been shown, so it is not sent again.

    The newest `limit` of them, oldest first: taken oldest first, a member with hundreds of
    recent notifications the tab never held (a first resume after 0, a moderator's busy
    quarter of an hour) had them fill the reply, pushing out what was missed just now
    (bench/live.py's restart test lost 2-3 notifications of its busiest member that way).
    """
    from django.db.models import Q

    rows = list(
        Notification.objects.filter(user=viewer)
        .filter(Q(pk__gt=after) | Q(pk__lte=after, pk__gt=floor, created_at__gte=since))
        .exclude(pk__in=list(held))
        .select_related("post__thread__space")
        .order_by("-pk")[:limit]
    )
    rows.reverse()
    return rows


def bell_key_for(request, subject=None) -> list[str]:
    """The bell's cache key, read with the rest of an assembled page (fragments.page_reads)."""
    user = getattr(request, "user", None)
    return [_bell_key(user.pk)] if user is not None and user.is_authenticated else []


# The bell's count is on every signed-in page: kept in the shared cache and forgotten by the
# writes that change it (recording, mark_read, mark_all_read, deletion); the timeout bounds
# how long a write made some other way can leave it wrong.
BELL_SECONDS = 5 * 60


def _bell_key(user_id) -> str:
    return f"bell:{user_id}"


def unread_count(viewer) -> int:
    """The member's unread notifications: one cache read, a COUNT only when it is missing."""
    key = _bell_key(viewer.pk)
    count = cached(key)
    if count is None:
        count = Notification.objects.filter(user=viewer, read_at__isnull=True).count()
        cache.set(key, count, BELL_SECONDS)
    return count


def forget_unread_counts(user_ids: Iterable[int]) -> None:
    """Drop cached bell counts and list versions now and again on commit (so no reader
    caches the count, or keeps a page, from before the write in between)."""
    keys = [key for uid in user_ids for key in (_bell_key(uid), _list_version_key(uid))]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


# A token naming the state of a member's notifications: forgotten with the bell's count by
# every write to their rows (above), so a page kept under it (views.notification_list) is
# never older than the last of them. A new random token, not a counter: a lost or expired
# key must never bring back a token some kept page was made under.
LIST_VERSION_SECONDS = 24 * 3600


def _list_version_key(user_id) -> str:
    return f"notifications:list-version:{user_id}"


def list_version(viewer) -> str | None:
    """The member's notifications' current version (read before their rows); None when the
    cache keeps nothing, and then no page may be kept under it."""
    key = _list_version_key(viewer.pk)
    version = cache.get(key)
    if version is None:
        cache.add(key, secrets.token_hex(8), LIST_VERSION_SECONDS)
        version = cache.get(key)
    return version


def forget_unread_count_of(sender, instance: Notification, **kwargs) -> None:
    """Connected to Notification's post_save and post_delete (apps.py)."""
    forget_unread_counts([instance.user_id])


@dataclass
class DevicePage:
    devices: list
    groups: list  # (group, chosen) pairs offered to the viewer
    public_key: str


def device_page(*, viewer) -> DevicePage:
    """The member's push devices and which groups of notifications they push: two queries."""
    from . import webpush
    from .emails import preferences_for
    from .models import PushDevice

    prefs = preferences_for(viewer)
    chosen = webpush.chosen_groups(viewer, prefs)
    return DevicePage(
        devices=list(PushDevice.objects.filter(user=viewer).order_by("created_at")),
        groups=[(g, g.name in chosen) for g in webpush.groups_offered_to(viewer)],
        public_key=webpush.vapid_public_key(),
    )
