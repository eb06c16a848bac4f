"""Moderators' tools. Each checks permission, changes state, logs, and notes it in the thread."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from community import ratelimits
from community.accounts.actions import system_member
from community.events import publish_on_commit
from community.forum import actions as forum_actions
from community.forum import permissions
from community.forum.models import Post, Status, Thread

from .log import log
from .models import Flag, ReviewItem, SafeguardingConcern, SafeguardingNote, UserNote, WatchedWord

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
    return forum_actions.append_moderator_note(actor=actor, thread=thread, text=text)


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


# --- Flags, the review queue and safeguarding -------------------------------------------

TRUST_FLAG_WEIGHT = {0: 0.5, 1: 1.0, 2: 1.0, 3: 2.0, 4: 3.0}


def flag_weight(user) -> float:
    if permissions.is_moderator(user):
        return 3.0
    return TRUST_FLAG_WEIGHT.get(user.trust_level, 1.0)


def _hide(post: Post) -> None:
    """Take a post out of everyone's view but moderators', keeping its content."""
    if post.status == Status.HIDDEN:
        return
    if post.status == Status.PUBLISHED and post.deleted_at is None:
        forum_actions.adjust_counters(post.thread, post, -1)
    post.status = Status.HIDDEN
    post.save(update_fields=["status"])
    if post.number == 1:
        Thread.objects.filter(pk=post.thread_id).update(status=Status.HIDDEN)
        # Open sockets on the thread re-check it (only moderators may still read it).
        publish_on_commit(
            {"type": "thread.hidden", "thread_id": post.thread_id, "space_id": post.thread.space_id}
        )


@transaction.atomic
def flag_post(*, flagger, post: Post, reason: str, note: str = "") -> Flag:
    """Report a post. A safeguarding concern hides it at once and alerts the safeguarding leads;
    other flags hide it once trusted members' flags reach the threshold."""
    from django.conf import settings

    if not (flagger and flagger.is_authenticated) or not permissions.can_read_post(flagger, post):
        raise PermissionDenied(_("You cannot flag this post."))
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("Choose why you are flagging this post.")})
    note = (note or "").strip()
    if reason == Flag.Reason.OTHER and not note:
        raise ValidationError({"note": _("Tell the moderators what is wrong.")})
    if post.author_id == flagger.pk:
        raise ValidationError(
            {"reason": _("You cannot flag your own post; edit or delete it instead.")}
        )
    if not permissions.is_moderator(flagger):
        ratelimits.check(
            "flag", flagger.pk, limit=settings.FLAGS_PER_HOUR, window=3600,
            message={"reason": _("You have flagged many posts in the last hour. Please wait %(wait)s and try again: your note is kept. If someone is in danger now, call 999.")},
        )  # fmt: skip
    post = (
        Post.objects.select_for_update().select_related("thread__space", "author").get(pk=post.pk)
    )
    if Flag.objects.filter(post=post, flagger=flagger).exists():
        raise ValidationError(
            {"reason": _("You have already flagged this post. Moderators will review it.")}
        )
    flag = Flag.objects.create(
        post=post, flagger=flagger, reason=reason, note=note[:2000], weight=flag_weight(flagger)
    )
    is_safeguarding = reason == Flag.Reason.SAFEGUARDING
    priority = (
        ReviewItem.Priority.SAFEGUARDING
        if is_safeguarding
        else (
            ReviewItem.Priority.HIGH
            if reason == Flag.Reason.PERSONAL_INFO
            else ReviewItem.Priority.NORMAL
        )
    )
    item, created = ReviewItem.objects.get_or_create(
        kind=ReviewItem.Kind.FLAGGED_POST,
        post=post,
        state=ReviewItem.State.PENDING,
        defaults={"priority": priority, "region_id": post.thread.space.region_id or post.author.home_region_id,
                  "user": post.author, "reasons": [str(Flag.Reason(reason).label)]},
    )  # fmt: skip
    if not created:
        item.priority = min(item.priority, priority)
        item.reasons = sorted(set(item.reasons) | {str(Flag.Reason(reason).label)})
        item.save(update_fields=["priority", "reasons"])
    concern = None
    if is_safeguarding:
        _hide(post)
        concern = SafeguardingConcern.objects.create(
            post=post, author=post.author, raised_by=flagger, description=note
        )
        log(actor=flagger, action="safeguarding.raised", target=post, reason=note)
    else:
        total = sum(
            Flag.objects.filter(post=post, outcome=Flag.Outcome.PENDING).values_list(
                "weight", flat=True
            )
        )
        if total >= settings.FLAG_HIDE_THRESHOLD and post.status == Status.PUBLISHED:
            _hide(post)
            log(actor=None, action="post.auto_hidden", target=post, reason=f"flag weight {total}")
    publish_on_commit({
        "type": "post.flagged", "post_id": post.pk, "thread_id": post.thread_id, "space_id": post.thread.space_id,
        "number": post.number, "author_id": post.author_id, "status": post.status, "flag_id": flag.pk,
        "reason": reason, "concern_id": concern.pk if concern else None, "flagger_id": flagger.pk,
    })  # fmt: skip
    return flag


def _close_flags(post: Post, outcome: str) -> list[int]:
    flagger_ids = list(
        Flag.objects.filter(post=post, outcome=Flag.Outcome.PENDING).values_list(
            "flagger_id", flat=True
        )
    )
    Flag.objects.filter(post=post, outcome=Flag.Outcome.PENDING).update(
        outcome=outcome, resolved_at=timezone.now()
    )
    return flagger_ids


REVIEW_DECISIONS = ("approve", "reject", "hide", "dismiss", "delete")


@transaction.atomic
def resolve_review_item(
    *, moderator, item: ReviewItem, decision: str, reason: str = ""
) -> ReviewItem:
    """Decide a queue item: approve (publish, or keep up and disagree with flags), reject
    (delete a held post or refuse an account), hide, delete, or dismiss the flags."""
    _require_moderator(moderator)
    if decision not in REVIEW_DECISIONS:
        raise ValidationError({"decision": _("Choose approve, reject, hide, delete or dismiss.")})
    item = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if item.state != ReviewItem.State.PENDING:
        raise ValidationError(
            {"decision": _("Another moderator has already dealt with this item.")}
        )
    flaggers: list[int] = []
    outcome = ""
    if item.kind == ReviewItem.Kind.NEW_ACCOUNT:
        if decision not in ("approve", "reject"):
            raise ValidationError({"decision": _("An account can be approved or rejected.")})
        user = item.user
        user.is_active = decision == "approve"
        user.save(update_fields=["is_active"])
        state = ReviewItem.State.APPROVED if decision == "approve" else ReviewItem.State.REJECTED
        log(actor=moderator, action=f"account.{decision}", target=user, reason=reason)
        if decision == "approve":
            publish_on_commit(
                {"type": "account.approved", "user_id": user.pk, "moderator_id": moderator.pk}
            )
    elif item.kind == ReviewItem.Kind.REPORTED_MESSAGE:
        if decision not in ("hide", "dismiss"):
            raise ValidationError(
                {"decision": _("A reported message can be hidden, or the report dismissed.")}
            )
        hide = decision == "hide"
        state = ReviewItem.State.HIDDEN if hide else ReviewItem.State.DISMISSED
        log(actor=moderator, action=f"review.{decision}", target=item, reason=reason,
            after={"message_id": item.snapshot.get("message_id")})  # fmt: skip
        # The conversations app hides the message and tells the reporters (it listens for
        # this event): moderation only ever sees the snapshot taken when it was reported.
        publish_on_commit({
            "type": "review.resolved", "kind": item.kind, "item_id": item.pk, "decision": decision,
            "outcome": "agreed" if hide else "disagreed", "data": item.snapshot,
            "moderator_id": moderator.pk,
        })  # fmt: skip
    else:
        post = Post.objects.select_related("thread__space", "author").get(pk=item.post_id)
        before = {"status": post.status, "deleted": post.deleted_at is not None}
        if decision == "approve":
            if post.status == Status.HELD:
                forum_actions.approve_post(moderator=moderator, post=post)
            elif post.status == Status.HIDDEN:
                _unhide(post)
            flaggers = _close_flags(post, Flag.Outcome.DISAGREED)
            state, outcome = ReviewItem.State.APPROVED, "disagreed"
        elif decision == "dismiss":
            if post.status == Status.HIDDEN:
                _unhide(post)
            flaggers = _close_flags(post, Flag.Outcome.DISAGREED)
            state, outcome = ReviewItem.State.DISMISSED, "disagreed"
        elif decision == "hide":
            _hide(post)
            flaggers = _close_flags(post, Flag.Outcome.AGREED)
            state, outcome = ReviewItem.State.HIDDEN, "agreed"
        else:  # reject or delete
            forum_actions.delete_post(actor=moderator, post=post)
            flaggers = _close_flags(post, Flag.Outcome.AGREED)
            state = ReviewItem.State.REJECTED if decision == "reject" else ReviewItem.State.DELETED
            outcome = "agreed"
        post.refresh_from_db()
        log(actor=moderator, action=f"review.{decision}", target=post, reason=reason, before=before,
            after={"status": post.status, "deleted": post.deleted_at is not None})  # fmt: skip
        publish_on_commit({
            "type": "review.resolved", "post_id": post.pk, "thread_id": post.thread_id, "number": post.number,
            "space_id": post.thread.space_id, "author_id": post.author_id, "status": post.status,
            "decision": decision, "outcome": outcome, "flagger_ids": flaggers, "moderator_id": moderator.pk,
        })  # fmt: skip
    item.state = state
    item.resolved_by = moderator
    item.resolved_at = timezone.now()
    item.save(update_fields=["state", "resolved_by", "resolved_at"])
    return item


@transaction.atomic
def approve_held_post(*, moderator, post: Post, reason: str = "") -> Post:
    """Publish a held post from wherever a moderator sees it (the thread page, the queue).

    The decision is the queue's: its pending item is resolved and the log written, so the
    post never stays in the queue after it was approved elsewhere.
    """
    _require_moderator(moderator)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status != Status.HELD:
        raise ValidationError({"decision": _("This post is not waiting for approval.")})
    items = list(
        ReviewItem.objects.filter(
            post=post, kind=ReviewItem.Kind.HELD_POST, state=ReviewItem.State.PENDING
        )
    )
    if items:
        for item in items:
            resolve_review_item(moderator=moderator, item=item, decision="approve", reason=reason)
    else:
        forum_actions.approve_post(moderator=moderator, post=post)
        log(actor=moderator, action="review.approve", target=post, reason=reason,
            before={"status": Status.HELD}, after={"status": Status.PUBLISHED})  # fmt: skip
    post.refresh_from_db()
    return post


def _unhide(post: Post) -> None:
    post.status = Status.PUBLISHED
    post.save(update_fields=["status"])
    if post.number == 1:
        Thread.objects.filter(pk=post.thread_id).update(status=Status.PUBLISHED)
    if post.deleted_at is None:
        forum_actions.adjust_counters(post.thread, post, +1)


def unhide_post(post: Post) -> None:
    """Put a hidden post back in view (an appeal overturned the decision); the caller logs it."""
    if post.status == Status.HIDDEN:
        _unhide(post)


def can_see_safeguarding(user) -> bool:
    """Safeguarding records are for the designated leads and centre staff only."""
    return bool(
        user and user.is_authenticated and (user.is_safeguarding_lead or user.is_centre_staff)
    )


@transaction.atomic
def update_concern(
    *, actor, concern: SafeguardingConcern, state: str, referral: str = "", note: str = ""
) -> SafeguardingConcern:
    """Move a safeguarding concern on (open, escalated outside the network, closed) with a note."""
    if not can_see_safeguarding(actor):
        raise PermissionDenied(_("Only safeguarding leads and centre staff can update a concern."))
    if (
        state not in SafeguardingConcern.State.values
        or referral not in SafeguardingConcern.Referral.values
    ):
        raise ValidationError(
            {"state": _("Choose a state and, if escalated, where it was referred.")}
        )
    if state == SafeguardingConcern.State.ESCALATED and not referral:
        raise ValidationError({"referral": _("Say where the concern was referred.")})
    concern = SafeguardingConcern.objects.select_for_update().get(pk=concern.pk)
    before = {"state": concern.state, "referral": concern.referral}
    concern.state = state
    concern.referral = referral
    concern.closed_at = timezone.now() if state == SafeguardingConcern.State.CLOSED else None
    concern.save(update_fields=["state", "referral", "closed_at"])
    if note.strip():
        SafeguardingNote.objects.create(concern=concern, author=actor, text=note.strip())
    log(actor=actor, action="safeguarding.updated", target=concern, reason=note.strip(), before=before,
        after={"state": state, "referral": referral})  # fmt: skip
    return concern


@transaction.atomic
def raise_message_concern(
    *, raised_by, author, snapshot: dict, description: str = ""
) -> SafeguardingConcern:
    """Record a safeguarding concern about a private message, from a copy of it as reported.

    Called by conversations when a participant reports a message as a safeguarding concern: the
    record, its page and its trail are the same as for a post, and as private (leads and
    centre staff only). The caller hides the message and publishes the alert.
    """
    if not (raised_by and raised_by.is_authenticated):
        raise PermissionDenied(_("Sign in to raise a safeguarding concern."))
    concern = SafeguardingConcern.objects.create(
        message_snapshot=snapshot, author=author, raised_by=raised_by, description=description
    )
    log(actor=raised_by, action="safeguarding.raised", target=concern, reason=description)
    return concern


@transaction.atomic
def add_concern_note(*, actor, concern: SafeguardingConcern, text: str) -> SafeguardingNote:
    if not can_see_safeguarding(actor):
        raise PermissionDenied(_("Only safeguarding leads and centre staff can add notes."))
    if not text.strip():
        raise ValidationError({"text": _("Write the note before saving it.")})
    note = SafeguardingNote.objects.create(concern=concern, author=actor, text=text.strip())
    log(actor=actor, action="safeguarding.note", target=concern)
    return note


# --- Members: notes, silence, suspension, trust -------------------------------------------


@transaction.atomic
def add_user_note(*, moderator, user, text: str) -> UserNote:
    _require_moderator(moderator)
    if not text.strip():
        raise ValidationError({"text": _("Write the note before saving it.")})
    note = UserNote.objects.create(user=user, author=moderator, text=text.strip())
    log(actor=moderator, action="user.note", target=user)
    return note


@transaction.atomic
def lock_post_edits(*, moderator, post: Post, locked: bool, reason: str = "") -> Post:
    """Lock a post against its author's edits (or unlock it): what it says stays as it is,
    for a moderator to review; moderators may still edit it."""
    _require_moderator(moderator)
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    if (post.edits_locked_at is not None) == locked:
        return post
    post.edits_locked_at = timezone.now() if locked else None
    post.save(update_fields=["edits_locked_at"])
    log(actor=moderator, action="post.edits_locked" if locked else "post.edits_unlocked",
        target=post, reason=reason)  # fmt: skip
    publish_on_commit(
        {"type": "post.edits_locked", "post_id": post.pk, "thread_id": post.thread_id,
         "space_id": post.thread.space_id, "locked": locked, "actor_id": moderator.pk}
    )  # fmt: skip
    return post


def _check_sanction(moderator, user, until: datetime, reason: str) -> None:
    _require_moderator(moderator)
    if permissions.is_moderator(user) and not moderator.is_centre_staff:
        raise PermissionDenied(_("Only centre staff can sanction a moderator."))
    if until <= timezone.now():
        raise ValidationError({"until": _("Choose an end date in the future.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason: the member is told it.")})


@transaction.atomic
def silence_user(*, moderator, user, until: datetime, reason: str) -> None:
    """The member can still read but cannot post until the date given."""
    _check_sanction(moderator, user, until, reason)
    before = {"silenced_until": user.silenced_until.isoformat() if user.silenced_until else None}
    user.silenced_until = until
    user.save(update_fields=["silenced_until"])
    log(actor=moderator, action="user.silenced", target=user, reason=reason, before=before,
        after={"silenced_until": until.isoformat()})  # fmt: skip
    publish_on_commit(
        {"type": "user.silenced", "user_id": user.pk, "until": until.isoformat(), "reason": reason}
    )


@transaction.atomic
def suspend_user(*, moderator, user, until: datetime, reason: str) -> None:
    """The member cannot sign in until the date given; their sessions and sockets end now."""
    _check_sanction(moderator, user, until, reason)
    before = {"suspended_until": user.suspended_until.isoformat() if user.suspended_until else None}
    user.suspended_until = until
    user.suspension_reason = reason.strip()[:300]
    user.session_epoch += 1  # every existing session stops matching
    user.save(update_fields=["suspended_until", "suspension_reason", "session_epoch"])
    log(actor=moderator, action="user.suspended", target=user, reason=reason, before=before,
        after={"suspended_until": until.isoformat()})  # fmt: skip
    publish_on_commit({"type": "user.suspended", "user_id": user.pk, "until": until.isoformat()})


@transaction.atomic
def lift_sanctions(*, moderator, user, reason: str = "") -> None:
    _require_moderator(moderator)
    user.silenced_until = None
    user.suspended_until = None
    user.suspension_reason = ""
    user.save(update_fields=["silenced_until", "suspended_until", "suspension_reason"])
    log(actor=moderator, action="user.sanctions_lifted", target=user, reason=reason)


@transaction.atomic
def set_trust_level(*, staff, user, level: int, reason: str = "") -> None:
    """Set a member's trust level by hand; activity no longer changes it."""
    if not (staff and staff.is_authenticated and staff.is_centre_staff):
        raise PermissionDenied(_("Only centre staff can set trust levels."))
    if level not in range(5):
        raise ValidationError({"level": _("Trust levels go from 0 to 4.")})
    before = {"trust_level": user.trust_level, "locked": user.trust_level_locked}
    user.trust_level = level
    user.trust_level_locked = True
    user.save(update_fields=["trust_level", "trust_level_locked"])
    log(actor=staff, action="user.trust_level", target=user, reason=reason, before=before,
        after={"trust_level": level, "locked": True})  # fmt: skip


# --- Watched words -----------------------------------------------------------------------


def try_watched_word(*, pattern: str, is_regex: bool, sample: str) -> list[str]:
    """What the pattern would match in a sample post (raises ValidationError if it is broken)."""
    import re

    from .screening import compile_watched

    try:
        compiled = compile_watched(WatchedWord(pattern=pattern, is_regex=is_regex))
    except re.error as exc:
        raise ValidationError(
            {"pattern": _("That regular expression does not work: %(error)s") % {"error": exc}}
        ) from exc
    return [m.group(0) for m in compiled.finditer(sample or "")]


@transaction.atomic
def add_watched_word(*, moderator, pattern: str, is_regex: bool, action: str) -> WatchedWord:
    _require_moderator(moderator)
    pattern = (pattern or "").strip()
    if not pattern:
        raise ValidationError({"pattern": _("Enter a word, phrase or pattern.")})
    if action not in WatchedWord.Action.values:
        raise ValidationError({"action": _("Choose what happens to a post that matches.")})
    try_watched_word(pattern=pattern, is_regex=is_regex, sample="")
    if is_regex and try_watched_word(pattern=pattern, is_regex=True, sample="a b c 1 2 3 the and"):
        raise ValidationError(
            {"pattern": _("That pattern matches ordinary text; make it more specific.")}
        )
    word = WatchedWord.objects.create(
        pattern=pattern, is_regex=is_regex, action=action, created_by=moderator
    )
    log(
        actor=moderator,
        action="watched_word.added",
        target=word,
        after={"pattern": pattern, "action": action},
    )
    return word


@transaction.atomic
def remove_watched_word(*, moderator, word: WatchedWord) -> None:
    _require_moderator(moderator)
    log(
        actor=moderator,
        action="watched_word.removed",
        target=word,
        before={"pattern": word.pattern, "action": word.action},
    )
    word.delete()


# --- Moving, merging, splitting, slow mode and timers ---------------------------------------


@transaction.atomic
def move_thread(*, actor, thread: Thread, space, topic, reason: str = "") -> Thread:
    """Move a thread to another space (a region's group, say) and practice topic."""

    _require_moderator(actor)
    thread = Thread.objects.select_for_update().select_related("space", "topic").get(pk=thread.pk)
    old_space, old_topic = thread.space, thread.topic
    if (old_space.pk, old_topic.pk) == (space.pk, topic.pk):
        raise ValidationError({"space": _("Choose a different space or topic.")})
    thread.space, thread.topic = space, topic
    thread.save(update_fields=["space", "topic"])
    forum_actions.sync_space(old_space)
    forum_actions.sync_space(space)
    add_moderator_note(
        actor=actor,
        thread=thread,
        text=f"{actor.display_name} moved this thread from {old_space.name} ({old_topic.name}) to {space.name} ({topic.name})"
        + (f": {reason}" if reason else ""),
    )
    log(actor=actor, action="thread.moved", target=thread, reason=reason,
        before={"space": old_space.slug, "topic": old_topic.slug}, after={"space": space.slug, "topic": topic.slug})  # fmt: skip
    publish_on_commit(
        {
            "type": "thread.moved",
            "thread_id": thread.pk,
            "space_id": space.pk,
            "from_space_id": old_space.pk,
        }
    )
    return thread


@transaction.atomic
def merge_threads(*, actor, source: Thread, target: Thread, reason: str = "") -> Thread:
    """Move every post of one thread to the end of another; the emptied thread is deleted."""

    _require_moderator(actor)
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another thread to merge into.")})
    source = Thread.objects.select_for_update().get(pk=source.pk)
    target = Thread.objects.select_for_update().get(pk=target.pk)
    posts = list(Post.objects.filter(thread=source).exclude(kind=Post.Kind.NOTE))
    # Park the posts on temporary numbers first so the unique (thread, number) never clashes.
    Post.objects.filter(thread=source).update(number=F("number") + 1_000_000)
    for post in posts:
        post.number += 1_000_000
    forum_actions.move_posts(posts=posts, target=target)
    source.deleted_at = timezone.now()
    source.merged_into = target
    source.save(update_fields=["deleted_at", "merged_into"])
    forum_actions.sync_thread(target)
    forum_actions.sync_thread(source)
    forum_actions.sync_space(source.space)
    forum_actions.sync_space(target.space)
    add_moderator_note(
        actor=actor,
        thread=target,
        text=f"{actor.display_name} merged {len(posts)} posts from “{source.title}” into this thread"
        + (f": {reason}" if reason else ""),
    )
    log(
        actor=actor,
        action="thread.merged",
        target=target,
        reason=reason,
        before={"source": source.pk, "posts": len(posts)},
    )
    publish_on_commit(
        {"type": "thread.deleted", "thread_id": source.pk, "space_id": source.space_id}
    )
    return target


@transaction.atomic
def split_posts(
    *, actor, thread: Thread, numbers: list[int], title: str, topic=None, reason: str = ""
) -> Thread:
    """Move chosen replies into a new thread of their own, in the same space."""

    _require_moderator(actor)
    thread = Thread.objects.select_for_update().select_related("space", "topic").get(pk=thread.pk)
    posts = list(
        Post.objects.filter(thread=thread, number__in=numbers, kind=Post.Kind.POST)
        .exclude(number=1)
        .select_related("author")
    )
    if not posts:
        raise ValidationError(
            {"numbers": _("Choose one or more replies (not the first post) to split off.")}
        )
    title = forum_actions.clean_title(title)
    first = min(posts, key=lambda p: (p.created_at, p.number))
    new = Thread.objects.create(
        space=thread.space, topic=topic or thread.topic, title=title, slug=slugify(title)[:80] or "thread",
        author=first.author, created_at=first.created_at, last_post_at=first.created_at,
    )  # fmt: skip
    for post in posts:
        post.number += 1_000_000
        post.save(update_fields=["number"])
    forum_actions.move_posts(posts=posts, target=new)
    forum_actions.sync_thread(new)
    forum_actions.sync_thread(thread)
    forum_actions.sync_space(thread.space)
    add_moderator_note(
        actor=actor,
        thread=thread,
        text=f"{actor.display_name} moved {len(posts)} posts to a new thread: “{title}”"
        + (f": {reason}" if reason else ""),
    )
    log(
        actor=actor,
        action="thread.split",
        target=thread,
        reason=reason,
        after={"new_thread": new.pk, "numbers": sorted(numbers)},
    )
    publish_on_commit(
        {
            "type": "thread.split",
            "thread_id": thread.pk,
            "new_thread_id": new.pk,
            "space_id": thread.space_id,
        }
    )
    return new


@transaction.atomic
def set_slow_mode(*, actor, thread: Thread, seconds: int, reason: str = "") -> Thread:
    _require_moderator(actor)
    if seconds < 0 or seconds > 7 * 24 * 3600:
        raise ValidationError({"seconds": _("Slow mode can be from 0 (off) to 7 days.")})
    # Locked, so two moderators changing it at once log true befores and afters in order.
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    before = {"slow_mode_seconds": thread.slow_mode_seconds}
    thread.slow_mode_seconds = seconds
    thread.save(update_fields=["slow_mode_seconds"])
    text = (f"{actor.display_name} turned on slow mode: one post every {max(seconds // 60, 1)} minutes" if seconds
            else f"{actor.display_name} turned off slow mode")  # fmt: skip
    add_moderator_note(actor=actor, thread=thread, text=text + (f": {reason}" if reason else ""))
    log(
        actor=actor,
        action="thread.slow_mode",
        target=thread,
        reason=reason,
        before=before,
        after={"slow_mode_seconds": seconds},
    )
    return thread


@transaction.atomic
def set_timer(
    *, actor, thread: Thread, action: str, at: datetime | None, reason: str = ""
) -> Thread:
    """Close or reopen the thread automatically at a time (None clears the timer)."""
    _require_moderator(actor)
    if at is not None and action not in ("close", "reopen"):
        raise ValidationError({"action": _("A timer can close or reopen the thread.")})
    if at is not None and at <= timezone.now():
        raise ValidationError({"at": _("Choose a time in the future.")})
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    thread.timer_action, thread.timer_at = (action if at else ""), at
    thread.save(update_fields=["timer_action", "timer_at"])
    when = at.strftime("%d %B %Y %H:%M") if at else ""
    add_moderator_note(
        actor=actor,
        thread=thread,
        text=f"{actor.display_name} set this thread to {action} on {when}"
        if at
        else f"{actor.display_name} cleared the thread's timer",
    )
    log(
        actor=actor,
        action="thread.timer",
        target=thread,
        reason=reason,
        after={"action": action, "at": at.isoformat() if at else None},
    )
    return thread


def run_due_timers(*, now: datetime | None = None) -> int:
    """Close or reopen threads whose timer is due; each in its own transaction."""
    now = now or timezone.now()
    done = 0
    system = None
    for due in Thread.objects.filter(timer_at__lte=now).exclude(timer_action="").values("pk"):
        with transaction.atomic():
            # Locked and read again: a moderator may have changed the timer since the list.
            thread = (
                Thread.objects.select_for_update()
                .filter(pk=due["pk"], timer_at__lte=now)
                .exclude(timer_action="")
                .first()
            )
            if thread is None:
                continue
            closing = thread.timer_action == "close"
            thread.is_closed, thread.timer_action, thread.timer_at = closing, "", None
            thread.save(update_fields=["is_closed", "timer_action", "timer_at"])
            # The note is the network's, never a person's (not the author's, nor a superuser's).
            system = system or system_member()
            add_moderator_note(
                actor=system,
                thread=thread,
                text="This thread was closed automatically"
                if closing
                else "This thread was reopened automatically",
            )
            log(
                actor=None, action="thread.timer_fired", target=thread, after={"is_closed": closing}
            )
            publish_on_commit(
                {
                    "type": "thread.status",
                    "thread_id": thread.pk,
                    "space_id": thread.space_id,
                    "status": "closed",
                    "enabled": closing,
                }
            )
        done += 1
    return done
