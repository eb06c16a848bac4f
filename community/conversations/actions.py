"""Private messages: start, reply, leave, read, report. Each checks permission, writes in one
transaction and publishes what happened on commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import combinations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community import markup, ratelimits
from community.accounts.permissions import can_message, can_use_network, can_write, sees_minors
from community.events import publish_on_commit
from community.moderation.actions import raise_message_concern
from community.moderation.models import Flag, ReviewItem

from .models import Conversation, Message, MessageReport, Participant
from .permissions import active_participant, can_report_message, may_share_conversation

MAX_RECIPIENTS = 10
SUBJECT_MAX_LENGTH = 150
MESSAGE_MAX_LENGTH = 20_000
# New conversations a member (not a moderator) may start in an hour: enough for real work,
# too few for a spammer.
CONVERSATIONS_PER_HOUR = 10
MESSAGES_PER_MINUTE = 10


def refusal(sender, recipient) -> str | None:
    """Why `sender` may not send `recipient` a private message, in words for the sender.

    Never says that the recipient is a child unless the sender could already know it.
    """
    if not (sender and sender.is_authenticated):
        return _("Sign in to send private messages.")
    if sender.pk == recipient.pk:
        return _("You cannot send a private message to yourself.")
    if not can_use_network(sender):
        return _("You cannot send private messages while your account is suspended.")
    if not can_write(sender) and not sees_minors(recipient):
        return _(
            "You cannot send private messages until %(date)s, except to moderators and staff."
        ) % {"date": date_format(timezone.localtime(sender.silenced_until), "j F Y")}
    if can_message(sender, recipient):
        return None
    if sender.is_minor and recipient.is_active:
        return _("Young people can send private messages only to moderators and centre staff.")
    # An adult and a child, or a closed account: the same words either way, so they give
    # nothing away about who the member is.
    return _("You cannot send a private message to this member.")


def _clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("Give the conversation a subject.")})
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise ValidationError(
            {
                "subject": _("Keep the subject under %(max)d characters.")
                % {"max": SUBJECT_MAX_LENGTH}
            }
        )
    return subject


def _render(source: str) -> tuple[str, markup.Rendered]:
    source = (source or "").strip()
    if not source:
        raise ValidationError({"source": _("Write your message before sending it.")})
    if len(source) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {"source": _("Messages can be up to %(max)d characters.") % {"max": MESSAGE_MAX_LENGTH}}
        )
    # No known_usernames: an @name in a private message links and notifies nobody.
    return source, markup.render(source)


def _check_rate(user, scope: str, limit: int, window: int) -> None:
    if user.is_moderator:
        return
    wait = ratelimits.hit(scope, user.pk, limit=limit, window=window)
    if wait:
        raise ratelimits.RateLimited(
            {"source": _("You are sending messages very quickly. Please wait %(minutes)d minute(s) and try again: your text is kept.")
             % {"minutes": max(wait // 60, 1)}},
            wait_seconds=wait,
        )  # fmt: skip


def _event(message: Message, *, first: bool) -> dict:
    return {
        "type": "conversation.message",
        "conversation_id": message.conversation_id,
        "message_id": message.pk,
        "author_id": message.author_id,
        "first": first,
    }


@transaction.atomic
def start_conversation(*, sender, recipients: Iterable, subject: str, source: str) -> Conversation:
    """Start a private conversation with one or more members and send its first message.

    Every recipient must be someone the sender may message (`can_message`), and a child may
    only be in a conversation with moderators and staff.
    """
    recipients = list({r.pk: r for r in recipients}.values())
    if not recipients:
        raise ValidationError({"to": _("Choose who to send the message to.")})
    if len(recipients) > MAX_RECIPIENTS:
        raise ValidationError(
            {
                "to": _("Send a message to at most %(max)d members at once.")
                % {"max": MAX_RECIPIENTS}
            }
        )
    for recipient in recipients:
        reason = refusal(sender, recipient)
        if reason:
            raise PermissionDenied(reason)
    for a, b in combinations(recipients, 2):
        if not may_share_conversation(a, b):
            raise PermissionDenied(
                _("A young person can be in a conversation only with moderators and centre staff: write to them on their own.")
            )  # fmt: skip
    subject = _clean_subject(subject)
    source, rendered = _render(source)
    _check_rate(sender, "pm_start", CONVERSATIONS_PER_HOUR, 3600)
    now = timezone.now()
    conversation = Conversation.objects.create(
        subject=subject, created_by=sender, created_at=now, last_message_at=now
    )
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, user=sender, joined_at=now, last_read_at=now)]
        + [Participant(conversation=conversation, user=r, joined_at=now) for r in recipients]
    )
    message = Message.objects.create(
        conversation=conversation, author=sender, source=source, html=rendered.html,
        text=rendered.text, created_at=now,
    )  # fmt: skip
    publish_on_commit(_event(message, first=True))
    return conversation


@transaction.atomic
def reply(*, author, conversation: Conversation, source: str) -> Message:
    """Add a message to a conversation the author takes part in.

    The rule is checked again against everyone still in it: a member suspended since, or a
    conversation that now includes someone they may not message, stops the reply.
    """
    place = active_participant(author, conversation)
    if place is None:
        raise PermissionDenied(_("You are not in this conversation."))
    others = [
        p.user
        for p in Participant.objects.filter(conversation=conversation, left_at__isnull=True)
        .exclude(user=author)
        .select_related("user")
    ]
    if not others:
        raise PermissionDenied(
            _("Everyone else has left this conversation, so nobody would read your reply.")
        )
    for other in others:
        reason = refusal(author, other)
        if reason:
            raise PermissionDenied(reason)
    source, rendered = _render(source)
    _check_rate(author, "pm_reply", MESSAGES_PER_MINUTE, 60)
    # Lock the conversation so replies sent at the same moment keep their order.
    Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, author=author, source=source, html=rendered.html,
        text=rendered.text, created_at=now,
    )  # fmt: skip
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    Participant.objects.filter(pk=place.pk).update(last_read_at=now)
    conversation.last_message_at = now
    publish_on_commit(_event(message, first=False))
    return message


@transaction.atomic
def leave_conversation(*, user, conversation: Conversation) -> None:
    """Leave a conversation: it goes from the member's inbox and they are told of it no more."""
    place = active_participant(user, conversation)
    if place is None:
        raise PermissionDenied(_("You are not in this conversation."))
    Participant.objects.filter(pk=place.pk).update(left_at=timezone.now())
    publish_on_commit(
        {"type": "conversation.left", "conversation_id": conversation.pk, "user_id": user.pk}
    )


@transaction.atomic
def mark_read(*, user, conversation: Conversation, at: datetime | None = None) -> None:
    """Note that the member has read the conversation up to `at` (now if not given)."""
    at = at or timezone.now()
    # One conditional update: reading never moves the mark backwards.
    updated = (
        Participant.objects.filter(conversation=conversation, user=user, left_at__isnull=True)
        .filter(Q(last_read_at__isnull=True) | Q(last_read_at__lt=at))
        .update(last_read_at=at)
    )
    if not updated and active_participant(user, conversation) is None:
        raise PermissionDenied(_("You are not in this conversation."))


def _snapshot(message: Message, reports: list[dict]) -> dict:
    author = message.author
    return {
        "message_id": message.pk,
        "conversation_id": message.conversation_id,
        "sender_id": author.pk,
        "sender": author.display_name,
        "sender_username": author.username,
        "sender_is_minor": author.is_minor,
        "text": message.source,
        "sent_at": message.created_at.isoformat(),
        "sent_at_text": date_format(timezone.localtime(message.created_at), "j M Y, H:i"),
        "reports": reports,
    }


@transaction.atomic
def report_message(*, reporter, message: Message, reason: str, note: str = "") -> MessageReport:
    """Report a private message to the moderators: a copy of it goes to the review queue.

    A safeguarding report hides the message at once (its content kept) and alerts the
    designated safeguarding leads, as a safeguarding flag on a post does.
    """
    if not can_report_message(reporter, message):
        if reporter and reporter.is_authenticated and message.author_id == reporter.pk:
            raise ValidationError({"reason": _("You cannot report your own message.")})
        raise PermissionDenied(_("You cannot report this message."))
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("Choose why you are reporting this message.")})
    note = (note or "").strip()[:2000]
    if reason == Flag.Reason.OTHER and not note:
        raise ValidationError({"note": _("Tell the moderators what is wrong.")})
    message = Message.objects.select_for_update().select_related("author").get(pk=message.pk)
    if MessageReport.objects.filter(message=message, reporter=reporter).exists():
        raise ValidationError(
            {"reason": _("You have already reported this message. A moderator will look at it.")}
        )
    report = MessageReport.objects.create(
        message=message, reporter=reporter, reason=reason, note=note
    )
    label = str(Flag.Reason(reason).label)
    is_safeguarding = reason == Flag.Reason.SAFEGUARDING
    priority = (
        ReviewItem.Priority.SAFEGUARDING if is_safeguarding
        else ReviewItem.Priority.HIGH if reason == Flag.Reason.PERSONAL_INFO
        else ReviewItem.Priority.NORMAL
    )  # fmt: skip
    entry = {"reason": label, "note": note, "reporter": reporter.display_name}
    item = (
        ReviewItem.objects.select_for_update()
        .filter(
            kind=ReviewItem.Kind.REPORTED_MESSAGE,
            state=ReviewItem.State.PENDING,
            snapshot__message_id=message.pk,
        )  # fmt: skip
        .first()
    )
    if item is None:
        item = ReviewItem.objects.create(
            kind=ReviewItem.Kind.REPORTED_MESSAGE, priority=priority, user=message.author,
            region_id=message.author.home_region_id, reasons=[label],
            snapshot=_snapshot(message, [entry]),
        )  # fmt: skip
    else:
        item.priority = min(item.priority, priority)
        item.reasons = sorted(set(item.reasons) | {label})
        item.snapshot = {**item.snapshot, "reports": [*item.snapshot.get("reports", []), entry]}
        item.save(update_fields=["priority", "reasons", "snapshot"])
    concern = None
    if is_safeguarding:
        concern = raise_message_concern(
            raised_by=reporter, author=message.author, description=note,
            snapshot=_snapshot(message, [entry]),
        )  # fmt: skip
        if not message.is_hidden:
            Message.objects.filter(pk=message.pk).update(hidden_at=timezone.now(), hidden_by=None)
    publish_on_commit({
        "type": "message.reported", "report_id": report.pk, "message_id": message.pk,
        "conversation_id": message.conversation_id, "author_id": message.author_id,
        "reporter_id": reporter.pk, "reason": reason, "item_id": item.pk,
        "concern_id": concern.pk if concern else None,
    })  # fmt: skip
    return report


@transaction.atomic
def unhide_message(*, moderator, message: Message) -> Message:
    """Put back a message a moderator hid (an appeal overturned the decision)."""
    if not sees_minors(moderator):  # moderators and centre staff
        raise PermissionDenied(_("Only moderators can put a hidden message back."))
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.is_hidden:
        message.hidden_at = None
        message.hidden_by = None
        message.save(update_fields=["hidden_at", "hidden_by"])
    return message


@transaction.atomic
def apply_review_decision(*, moderator_id: int | None, message_id: int, decision: str) -> None:
    """Carry out a moderator's decision on a reported message, made in the review queue.

    Called for moderation's `review.resolved` event (the queue never touches conversations):
    "hide" hides the message from its participants; "dismiss" leaves it up, and puts back a
    message that a safeguarding report had hidden at once. The reporters are told either way.
    """
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        return  # the conversation was deleted with its last member
    now = timezone.now()
    if decision == "hide":
        Message.objects.filter(pk=message.pk).update(
            hidden_at=message.hidden_at or now, hidden_by_id=moderator_id
        )
        outcome = MessageReport.Outcome.AGREED
    elif decision == "dismiss":
        if message.is_hidden and message.hidden_by_id is None:
            Message.objects.filter(pk=message.pk).update(hidden_at=None)
        outcome = MessageReport.Outcome.DISAGREED
    else:
        return
    pending = MessageReport.objects.filter(message=message, outcome=MessageReport.Outcome.PENDING)
    reporter_ids = list(pending.values_list("reporter_id", flat=True))
    pending.update(outcome=outcome, resolved_at=now)
    publish_on_commit({
        "type": "message.report_resolved", "message_id": message.pk,
        "conversation_id": message.conversation_id, "author_id": message.author_id,
        "decision": decision, "outcome": str(outcome), "reporter_ids": reporter_ids,
        "moderator_id": moderator_id,
    })  # fmt: skip
