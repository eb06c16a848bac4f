"""Who is told what about the forum: rows written inside the transaction of the change."""

from __future__ import annotations

from community.compiled import CompiledQuery
from community.forum import permissions
from community.forum.models import Post, Reaction
from community.sqlarrays import among

from .. import kinds
from ..levels import subscriptions_for_thread
from ..models import Level, Subscription
from ..recording import handles, notify

# When one post concerns a member several ways, they hear about it once, in this order.
PRIORITY = [
    kinds.MENTION.name,
    kinds.REPLY.name,
    kinds.QUOTE.name,
    kinds.NEW_THREAD.name,
    kinds.POSTED.name,
]


def _build_post(shape: str, *, post_id: int):
    return Post.objects.select_related("thread__space", "author").filter(pk=post_id)


def _build_thread_level(shape: str, *, user_id: int, thread_id: int):
    return Subscription.objects.filter(
        user_id=user_id, target=Subscription.Target.THREAD, target_id=thread_id
    ).values_list("level")


# The fan-out task's first two reads, for every post: compiled once per worker thread and
# prepared (community/compiled.py), not built and compiled by the ORM per post (about 2 ms of
# the 13 ms before the watcher's bell is sent, measured in the worker).
_post_with_thread = CompiledQuery(_build_post, "post_id")
_thread_level = CompiledQuery(_build_thread_level, "user_id", "thread_id", rows=True)


def _load_post(post_id: int) -> Post:
    found = _post_with_thread("post", post_id=post_id)
    if not found:
        raise Post.DoesNotExist(f"post {post_id} is gone")
    return found[0]


def _start_following(user_id: int, thread_id: int, level: int) -> None:
    if _thread_level("level", user_id=user_id, thread_id=thread_id):
        return  # following already (the usual case: a member replying again)
    Subscription.objects.get_or_create(
        user_id=user_id,
        target=Subscription.Target.THREAD,
        target_id=thread_id,
        defaults={"level": level},
    )


def _data(post: Post, **extra) -> dict:
    thread = post.thread
    return {
        "title": thread.title,
        "slug": thread.slug,
        "number": post.number,
        "actor": post.author.display_name,
        "where": thread.space.name,
        **extra,
    }


def _notify(
    post: Post, wanted: dict[int, str], *, actor_id: int | None, extra: dict | None = None
) -> list[int]:
    """Write one notification per member, only for members who may read the post. Bulk."""
    wanted.pop(actor_id, None)
    if not wanted:
        return []
    readers = set(
        permissions.readers_of_post(post).filter(among("pk", wanted)).values_list("pk", flat=True)
    )
    allowed = {uid: kind for uid, kind in wanted.items() if uid in readers}
    return notify(
        allowed,
        kinds.POSTED.name,
        data=_data(post, **(extra or {})),
        actor_id=actor_id,
        thread_id=post.thread_id,
        post_id=post.pk,
        per_user_kind=allowed,
    )


def _published_post_fanout(
    post: Post, *, mentioned_ids, reply_to_author_id, quoted_numbers, is_new_thread
) -> None:
    thread = post.thread
    levels = subscriptions_for_thread(thread)  # with the thread's tags
    wanted: dict[int, str] = {}

    def offer(uid: int | None, kind: str) -> None:
        if uid is None or levels.get(uid) == Level.MUTED:
            return
        current = wanted.get(uid)
        if current is None or PRIORITY.index(kind) < PRIORITY.index(current):
            wanted[uid] = kind

    for uid in mentioned_ids:
        offer(uid, kinds.MENTION.name)
    offer(reply_to_author_id, kinds.REPLY.name)
    if quoted_numbers:
        quoted_authors = Post.objects.filter(thread=thread, number__in=quoted_numbers).values_list(
            "author_id", flat=True
        )
        for uid in quoted_authors:
            offer(uid, kinds.QUOTE.name)
    watch_kind = kinds.NEW_THREAD.name if is_new_thread else kinds.POSTED.name
    for uid, level in levels.items():
        if level == Level.WATCHING:
            offer(uid, watch_kind)
    _notify(post, wanted, actor_id=post.author_id)


@handles("thread.created")
def _on_thread_created(event: dict) -> None:
    _start_following(event["author_id"], event["thread_id"], Level.WATCHING)
    if event["status"] != "published":
        return
    post = _load_post(event["post_id"])
    _published_post_fanout(
        post,
        mentioned_ids=event.get("mentioned_ids", []),
        reply_to_author_id=None,
        quoted_numbers=[],
        is_new_thread=True,
    )


@handles("post.created")
def _on_post_created(event: dict) -> None:
    _start_following(event["author_id"], event["thread_id"], Level.TRACKING)
    if event["status"] != "published":
        return
    post = _load_post(event["post_id"])
    _published_post_fanout(
        post,
        mentioned_ids=event.get("mentioned_ids", []),
        reply_to_author_id=event.get("reply_to_author_id"),
        quoted_numbers=event.get("quoted_numbers", []),
        is_new_thread=False,
    )


@handles("post.approved")
def _on_post_approved(event: dict) -> None:
    """A held post goes out now, as if it had just been posted, and its author is told."""
    post = _load_post(event["post_id"])
    mentioned = list(post.mentions.values_list("pk", flat=True))
    reply_to_author = post.reply_to.author_id if post.reply_to_id else None
    from community.markup import QUOTE_RE

    quoted = [int(m.group("post")) for m in QUOTE_RE.finditer(post.source) if m.group("post")]
    _published_post_fanout(
        post,
        mentioned_ids=mentioned,
        reply_to_author_id=reply_to_author,
        quoted_numbers=quoted,
        is_new_thread=post.number == 1,
    )
    _notify(post, {post.author_id: kinds.APPROVED.name}, actor_id=event.get("moderator_id"))


@handles("post.edited")
def _on_post_edited(event: dict) -> None:
    new = event.get("new_mentioned_ids") or []
    if not new or event["status"] != "published":
        return
    post = _load_post(event["post_id"])
    levels = subscriptions_for_thread(post.thread)
    wanted = {uid: kinds.MENTION.name for uid in new if levels.get(uid) != Level.MUTED}
    _notify(post, wanted, actor_id=post.author_id)


@handles("reaction.added")
def _on_reaction_added(event: dict) -> None:
    post = _load_post(event["post_id"])
    levels = subscriptions_for_thread(post.thread, [])
    if levels.get(post.author_id) == Level.MUTED:
        return
    emoji = dict(Reaction.Kind.choices).get(event["kind"], "")
    from django.contrib.auth import get_user_model

    actor = (
        get_user_model()
        .objects.filter(pk=event["user_id"])
        .values_list("display_name", flat=True)
        .first()
    )
    _notify(
        post,
        {post.author_id: kinds.REACTION.name},
        actor_id=event["user_id"],
        extra={"emoji": emoji, "actor": actor or ""},
    )


@handles("answer.accepted")
def _on_answer_accepted(event: dict) -> None:
    """The author of the reply chosen as the answer is told (not when they chose it)."""
    from django.contrib.auth import get_user_model

    post = _load_post(event["post_id"])
    actor = (
        get_user_model()
        .objects.filter(pk=event["actor_id"])
        .values_list("display_name", flat=True)
        .first()
    )
    _notify(
        post,
        {post.author_id: kinds.ANSWER_ACCEPTED.name},
        actor_id=event["actor_id"],
        extra={"actor": actor or ""},
    )
