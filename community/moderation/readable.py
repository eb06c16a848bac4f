"""The moderation log in plain English: what was done, to what, and what changed.

The log stores internal codes ("review.reject") and before/after dicts as the actions wrote
them; moderators read sentences and "Closed: no → yes". Unknown codes and fields still read
sensibly (dots and underscores become words), so a new action never shows a raw dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

from .models import ModerationLog

ACTIONS = {
    "account.approve": "Approved a new account",
    "account.reject": "Rejected a new account",
    "account.deleted": "Deleted an account",
    "account.deletion_held": "Held an account deletion",
    "appeal.opened": "Appeal opened",
    "appeal.upheld": "Upheld an appeal",
    "appeal.rejected": "Turned down an appeal",
    "feedback.reviewed": "Reviewed family feedback",
    "feedback.shared": "Shared family feedback",
    "member.verified": "Verified a professional",
    "member.unverified": "Removed a professional's verification",
    "post.auto_hidden": "Hid a post automatically after flags",
    "post.edited": "Edited a post",
    "post.visitor_report": "A visitor reported a post",
    "review.approve": "Approved a post",
    "review.reject": "Rejected a post",
    "review.hide": "Hid a post",
    "review.delete": "Deleted a post",
    "review.dismiss": "Dismissed the flags on a post",
    "safeguarding.note": "Added a safeguarding note",
    "safeguarding.raised": "Raised a safeguarding concern",
    "safeguarding.updated": "Updated a safeguarding concern",
    "thread.answer_accepted": "Accepted an answer",
    "thread.closed": "Closed a thread",
    "thread.unclosed": "Reopened a thread",
    "thread.pinned": "Pinned a thread",
    "thread.unpinned": "Unpinned a thread",
    "thread.archived": "Archived a thread",
    "thread.unarchived": "Took a thread out of the archive",
    "thread.visible": "Listed a thread again",
    "thread.unvisible": "Unlisted a thread",
    "thread.merged": "Merged a thread into another",
    "thread.moved": "Moved a thread",
    "thread.pin_expired": "A thread's pin expired",
    "thread.slow_mode": "Set slow mode",
    "thread.split": "Split posts into a new thread",
    "thread.timer": "Set a thread timer",
    "thread.timer_fired": "A thread timer ran",
    "user.note": "Added a note about a member",
    "user.sanctions_lifted": "Lifted a member's silence or suspension",
    "user.silenced": "Silenced a member",
    "user.suspended": "Suspended a member",
    "user.trust_level": "Changed a member's trust level",
    "user.trust_promoted": "Promoted a member's trust level",
    "watched_word.added": "Added a watched word",
    "watched_word.removed": "Removed a watched word",
}

FIELDS = {
    "is_closed": "Closed",
    "is_pinned": "Pinned",
    "pinned_globally": "Pinned everywhere",
    "pinned_until": "Pinned until",
    "is_archived": "Archived",
    "is_unlisted": "Unlisted",
    "status": "Status",
    "deleted": "Deleted",
    "state": "State",
    "referral": "Referral",
    "silenced_until": "Silenced until",
    "suspended_until": "Suspended until",
    "trust_level": "Trust level",
    "locked": "Trust level locked",
    "pattern": "Word or pattern",
    "action": "Action",
    "space": "Space",
    "topic": "Topic",
    "source": "Merged thread",
    "posts": "Posts",
    "new_thread": "New thread",
    "numbers": "Post numbers",
    "slow_mode_seconds": "Slow mode (seconds between posts)",
    "at": "When",
    "message_id": "Message",
    "is_active": "Account active",
}

VALUES = {
    "published": "published",
    "held": "awaiting approval",
    "hidden": "hidden by a moderator",
    "close": "close",
    "reopen": "reopen",
    "block": "block the post",
    "approve": "hold for approval",
    "censor": "censor",
    "flag": "flag for review",
}

TARGETS = {
    "post": "post",
    "thread": "thread",
    "user": "member",
    "watchedword": "watched word",
    "safeguardingconcern": "safeguarding concern",
    "appeal": "appeal",
    "reviewitem": "review item",
    "feedbackresponse": "feedback",
}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ReadableEntry:
    entry: ModerationLog
    what: str
    target: str
    changes: tuple[Change, ...]


def _words(code: str) -> str:
    return code.replace(".", " ").replace("_", " ").strip().capitalize()


def _value(value) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{_field(k)}: {_value(v)}" for k, v in value.items()) or "none"
    if isinstance(value, str):
        moment = parse_datetime(value) if "T" in value else None
        if isinstance(moment, datetime):
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "j F Y, H:i")
        return VALUES.get(value, value.replace("_", " "))
    return str(value)


def _field(name: str) -> str:
    return FIELDS.get(name, name.replace("_", " ").capitalize())


def describe_action(code: str) -> str:
    """The action in plain English ("review.reject" → "Rejected a post")."""
    return ACTIONS.get(code, _words(code))


def readable(entry: ModerationLog) -> ReadableEntry:
    """One log entry with its action, target and changes in words."""
    before, after = entry.before or {}, entry.after or {}
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        changes.append(
            Change(
                field=_field(key),
                before=_value(old) if key in before else "",
                after=_value(new) if key in after else "",
            )
        )
    target = TARGETS.get(entry.target_type, entry.target_type.replace("_", " "))
    return ReadableEntry(
        entry=entry,
        what=describe_action(entry.action),
        target=f"{target} {entry.target_id}",
        changes=tuple(changes),
    )


def readable_log(entries) -> list[ReadableEntry]:
    return [readable(e) for e in entries]
