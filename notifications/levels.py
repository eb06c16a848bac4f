"""Working out each member's effective level for a thread, in bulk."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q

from community.compiled import CompiledQuery
from community.fragments import cached

from .models import Level, Subscription


def _build_levels(shape: str, *, thread_id: int, space_id: int, topic_id: int, thread_type: int):
    from taggit.models import TaggedItem

    tagged = TaggedItem.objects.filter(content_type_id=thread_type, object_id=thread_id)
    return Subscription.objects.filter(
        Q(target=Subscription.Target.THREAD, target_id=thread_id)
        | Q(target=Subscription.Target.SPACE, target_id=space_id)
        | Q(target=Subscription.Target.TOPIC, target_id=topic_id)
        | Q(target=Subscription.Target.TAG, target_id__in=tagged.values("tag_id"))
    ).values_list("user_id", "target", "level")


# Every post's fan-out reads its thread's subscriptions, the thread's tags with them: one
# compiled, prepared query (community/compiled.py), not the tags' query and then this one,
# each built and compiled by the ORM per post.
_levels_with_tags = CompiledQuery(
    _build_levels, "thread_id", "space_id", "topic_id", "thread_type", rows=True
)


def subscriptions_for_thread(thread, tag_ids: list[int] | None = None) -> dict[int, int]:
    """Each subscribed member's effective level for the thread: a level set on the thread wins;
    otherwise the highest of their space, topic and tag levels. One query; the thread's own
    tags unless `tag_ids` names the tags to count."""
    if tag_ids is None:
        from django.contrib.contenttypes.models import ContentType

        rows = _levels_with_tags(
            "levels",
            thread_id=thread.pk,
            space_id=thread.space_id,
            topic_id=thread.topic_id,
            thread_type=ContentType.objects.get_for_model(type(thread)).pk,
        )
    else:
        q = (
            Q(target=Subscription.Target.THREAD, target_id=thread.pk)
            | Q(target=Subscription.Target.SPACE, target_id=thread.space_id)
            | Q(target=Subscription.Target.TOPIC, target_id=thread.topic_id)
        )
        if tag_ids:
            q |= Q(target=Subscription.Target.TAG, target_id__in=tag_ids)
        rows = Subscription.objects.filter(q).values_list("user_id", "target", "level")
    on_thread: dict[int, int] = {}
    inherited: dict[int, int] = {}
    for user_id, target, level in rows:
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
