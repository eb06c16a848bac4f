"""Working out each member's effective level for a thread, in bulk."""

from __future__ import annotations

from django.db.models import Q

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


def level_for(user, target: str, target_id: int) -> int | None:
    if not (user and user.is_authenticated):
        return None
    return (
        Subscription.objects.filter(user=user, target=target, target_id=target_id)
        .values_list("level", flat=True)
        .first()
    )
