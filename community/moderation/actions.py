"""Moderators' tools. Each checks permission, changes state, logs, and notes it in the thread."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from community import markup
from community.events import publish_on_commit
from community.forum import permissions
from community.forum.models import Post, Status, Thread

from .log import log

THREAD_FLAGS = {
    # status name: (field, note when turned on, note when turned off)
    "closed": ("is_closed", _("closed this thread"), _("reopened this thread")),
    "pinned": ("is_pinned", _("pinned this thread"), _("unpinned this thread")),
    "archived": ("is_archived", _("archived this thread"), _("unarchived this thread")),
    "visible": ("is_unlisted", _("listed this thread"), _("unlisted this thread")),
}


def _require_moderator(actor) -> None:
    if not permissions.is_moderator(actor):
        raise PermissionDenied(_("Only moderators and staff can do that."))


def _thread_state(thread: Thread) -> dict:
    return {
        "is_closed": thread.is_closed,
        "is_pinned": thread.is_pinned,
        "pinned_globally": thread.pinned_globally,
        "pinned_until": thread.pinned_until.isoformat() if thread.pinned_until else None,
        "is_archived": thread.is_archived,
        "is_unlisted": thread.is_unlisted,
    }


def add_moderator_note(*, actor, thread: Thread, text: str) -> Post:
    """A small note in the thread saying what a moderator did (not counted as a reply)."""
    number = (
        Thread.objects.filter(pk=thread.pk).values_list("highest_post_number", flat=True).get() + 1
    )
    rendered = markup.render(text)
    note = Post.objects.create(
        thread=thread,
        number=number,
        author=actor,
        kind=Post.Kind.NOTE,
        source=text,
        html=rendered.html,
        text=rendered.text,
        status=Status.PUBLISHED,
    )
    Thread.objects.filter(pk=thread.pk).update(highest_post_number=F("highest_post_number") + 1)
    return note


@transaction.atomic
def set_thread_status(
    *,
    actor,
    thread: Thread,
    status: str,
    enabled: bool,
    reason: str = "",
    until: datetime | None = None,
    globally: bool = False,
) -> Thread:
    """Close or reopen, pin or unpin (optionally site-wide, until a time), archive or
    unarchive, list or unlist a thread: logged and noted in the thread."""
    _require_moderator(actor)
    if status not in THREAD_FLAGS:
        raise ValidationError(
            {"status": _("Status must be one of: closed, pinned, archived, visible.")}
        )
    if until is not None and until <= timezone.now():
        raise ValidationError({"until": _("Choose a time in the future.")})
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    before = _thread_state(thread)
    field, on_note, off_note = THREAD_FLAGS[status]
    value = (not enabled) if status == "visible" else enabled
    setattr(thread, field, value)
    fields = [field]
    if status == "pinned":
        thread.pinned_globally = enabled and globally
        thread.pinned_until = until if enabled else None
        fields += ["pinned_globally", "pinned_until"]
    thread.save(update_fields=fields)
    note_text = f"{actor.display_name} {on_note if enabled else off_note}"
    if reason:
        note_text += f": {reason}"
    add_moderator_note(actor=actor, thread=thread, text=note_text)
    log(actor=actor, action=f"thread.{status}" if enabled else f"thread.un{status}", target=thread,
        reason=reason, before=before, after=_thread_state(thread))  # fmt: skip
    publish_on_commit({"type": "thread.status", "thread_id": thread.pk, "space_id": thread.space_id,
                       "status": status, "enabled": enabled})  # fmt: skip
    return thread


@transaction.atomic
def expire_pins(*, now: datetime | None = None) -> int:
    """Unpin threads whose pin has run out (run by the moderation timers command)."""
    now = now or timezone.now()
    expired = list(Thread.objects.filter(is_pinned=True, pinned_until__lte=now))
    for thread in expired:
        before = _thread_state(thread)
        Thread.objects.filter(pk=thread.pk).update(
            is_pinned=False, pinned_globally=False, pinned_until=None
        )
        thread.refresh_from_db()
        log(
            actor=None,
            action="thread.pin_expired",
            target=thread,
            before=before,
            after=_thread_state(thread),
        )
    if expired:
        publish_on_commit({"type": "threads.unpinned", "thread_ids": [t.pk for t in expired]})
    return len(expired)
