"""Queue what the forum holds or screening flags, inside the transaction that wrote it."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from community.forum import permissions
from community.forum.models import Post, Status

from .log import log
from .models import ReviewItem


def _region_of(post: Post):
    return post.thread.space.region_id or post.author.home_region_id


def _queue_post(event: dict, kind: str, reasons: list[str], priority: int) -> None:
    post = Post.objects.select_related("thread__space", "author").get(pk=event["post_id"])
    item, created = ReviewItem.objects.get_or_create(
        kind=kind,
        post=post,
        state=ReviewItem.State.PENDING,
        defaults={
            "priority": priority,
            "region_id": _region_of(post),
            "reasons": reasons,
            "matches": event.get("matches", []),
            "user": post.author,
        },
    )
    if not created:
        item.reasons = sorted(set(item.reasons) | set(reasons))
        item.save(update_fields=["reasons"])


def _log_moderators_edit(event: dict) -> None:
    """A moderator's edit of someone else's post, or of a held one, is a moderation decision:
    it goes in the log, in the transaction of the edit."""
    editor = get_user_model().objects.filter(pk=event.get("editor_id")).first()
    if editor is None or not permissions.is_moderator(editor):
        return
    post = Post.objects.get(pk=event["post_id"])
    if editor.pk == post.author_id and post.status != Status.HELD:
        return
    log(
        actor=editor,
        action="post.edited",
        target=post,
        after={"status": post.status, "number": post.number, "thread_id": post.thread_id},
    )


def _log_answer(event: dict) -> None:
    """Choosing a thread's answer is logged like other changes to a thread."""
    post = Post.objects.select_related("thread").get(pk=event["post_id"])
    actor = get_user_model().objects.filter(pk=event.get("actor_id")).first()
    accepted = event["type"] == "answer.accepted"
    log(
        actor=actor,
        action="thread.answer_accepted" if accepted else "thread.answer_unaccepted",
        target=post.thread,
        after={"accepted_post_id": post.pk if accepted else None},
        before={"accepted_post_id": event.get("previous_post_id") if accepted else post.pk},
    )


def _close_held_item(event: dict) -> None:
    """A held post approved outside the queue (the forum's own approve, the demo seed) leaves
    the queue too: its pending item would otherwise say "held for approval" of a published
    post. The queue's own decision resolves and logs the item itself."""
    from django.utils import timezone

    ReviewItem.objects.filter(
        post_id=event["post_id"], kind=ReviewItem.Kind.HELD_POST, state=ReviewItem.State.PENDING
    ).update(
        state=ReviewItem.State.APPROVED,
        resolved_by_id=event.get("moderator_id"),
        resolved_at=timezone.now(),
    )


def record(event: dict) -> None:
    kind = event.get("type")
    if kind == "post.approved":
        _close_held_item(event)
    if kind in ("answer.accepted", "answer.unaccepted"):
        _log_answer(event)
    elif kind in ("thread.created", "post.created", "post.edited"):
        if event.get("status") == "held" or event.get("held_reasons"):
            if event.get("held_reasons"):
                personal = any(m[0] != "watched word" for m in event.get("matches", []))
                priority = ReviewItem.Priority.HIGH if personal else ReviewItem.Priority.NORMAL
                _queue_post(event, ReviewItem.Kind.HELD_POST, event["held_reasons"], priority)
        if event.get("flag_reasons"):
            _queue_post(
                event,
                ReviewItem.Kind.FLAGGED_POST,
                event["flag_reasons"],
                ReviewItem.Priority.NORMAL,
            )
    if kind == "post.edited":
        _log_moderators_edit(event)
    if kind == "account.created":
        user = get_user_model().objects.get(pk=event["user_id"])
        if not user.is_active:
            ReviewItem.objects.get_or_create(
                kind=ReviewItem.Kind.NEW_ACCOUNT,
                user=user,
                state=ReviewItem.State.PENDING,
                defaults={
                    "region_id": user.home_region_id,
                    "reasons": ["New account waiting for approval"],
                },
            )
