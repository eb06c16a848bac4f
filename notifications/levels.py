"""Working out each member's effective level for a thread, in bulk."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q

from community.fragments import cached

from .models import Level, Subscription


def subscriptions_for_thread(thread, tag_ids: list[int]) -> dict[int, int]:
    """Each subscribed member's effective level for the thread: a level set on the thread wins;
    otherwise the highest of their space, topic and tag levels. One query."""
    q = (
        Q(target=Subscription.Target.THREAD, target_id=thread.pk)
        | Q(target=Subscription.Target.SPACE, target_id=thread.space_id)
        | Q(target=Subscription.Target.TOPIC, target_id=thread.topic_id)
    )
    if tag_ids:
        q |= Q(target=Subscription.Target.TAG, target_id__in=tag_ids)
    on_thread: dict[int, int] = {}
    inherited: dict[int, int] = {}
    for user_id, target, level in Subscription.objects.filter(q).values_list(
        "user_id", "target", "level"
    ):
        if target == Subscription.Target.THREAD:
            on_thread[user_id] = level
        else:
            inherited[user_id] = max(level, inherited.get(user_id, Level.MUTED))
    return {**inherited, **on_thread}


LEVEL_SECONDS = 10 * 60
_NONE = -1  # cached "no subscription"


def _level_key(user_id, target: str, target_id) -> str:
    return f"level:{user_id}:{target}:{target_id}"


def thread_level_key_for(request, thread) -> list[str]:
    """The member's level on the thread, read with the rest of its page (page_reads)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [_level_key(user.pk, "thread", thread.pk)]


def space_level_key_for(request, space) -> list[str]:
    """The member's level on the space a list is of (``space``: None for other lists), read
    with the rest of the list (page_reads)."""
    user = getattr(request, "user", None)
    if space is None or user is None or not user.is_authenticated:
        return []
    return [_level_key(user.pk, "space", space.pk)]


def level_for(user, target: str, target_id: int) -> int | None:
    """The member's own level on this thread, space, topic or tag (None if they set none):
    one cache read on pages, forgotten whenever the subscription is saved or deleted."""
    if not (user and user.is_authenticated):
        return None
    key = _level_key(user.pk, target, target_id)
    level = cached(key)
    if level is None:
        level = (
            Subscription.objects.filter(user=user, target=target, target_id=target_id)
            .values_list("level", flat=True)
            .first()
        )
        cache.set(key, _NONE if level is None else level, LEVEL_SECONDS)
    return None if level == _NONE else level


def forget_level_of(sender, instance: Subscription, **kwargs) -> None:
    """Connected to Subscription's post_save and post_delete (apps.py)."""
    cache.delete(_level_key(instance.user_id, instance.target, instance.target_id))
