"""Reads for the private message pages, each a fixed number of queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext as _

from community.accounts.permissions import visible_members

from .models import Conversation, Message, MessageReport, Participant

INBOX_PAGE_SIZE = 30
MESSAGES_PAGE_SIZE = 50
# Before anything on the network: "never read" compares as read up to this moment.
_NEVER = Value(datetime(2000, 1, 1, tzinfo=UTC))


@dataclass
class InboxRow:
    conversation: Conversation
    others: list
    unread: int


def inbox(*, viewer, page: int = 1) -> tuple[list[InboxRow], bool]:
    """The member's conversations, latest first, with how many messages they have not read.

    Two queries at any size: the member's places with the unread counts, then everyone's places
    in those conversations (for the names).
    """
    unread = (
        Message.objects.filter(
            conversation=OuterRef("conversation_id"),
            created_at__gt=OuterRef("read_up_to"),
            hidden_at__isnull=True,
        )
        .exclude(author=viewer)
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    start = (max(page, 1) - 1) * INBOX_PAGE_SIZE
    places = list(
        Participant.objects.filter(user=viewer, left_at__isnull=True)
        .select_related("conversation")
        .annotate(read_up_to=Coalesce("last_read_at", _NEVER))
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        .prefetch_related(
            Prefetch(
                "conversation__participants",
                queryset=Participant.objects.select_related("user").order_by("joined_at", "pk"),
                to_attr="everyone",
            )
        )
        .order_by("-conversation__last_message_at", "-conversation_id")[
            start : start + INBOX_PAGE_SIZE + 1
        ]
    )
    rows = [
        InboxRow(
            conversation=place.conversation,
            others=[p.user for p in place.conversation.everyone if p.user_id != viewer.pk],
            unread=place.unread,
        )
        for place in places[:INBOX_PAGE_SIZE]
    ]
    return rows, len(places) > INBOX_PAGE_SIZE


@dataclass
class ConversationPage:
    conversation: Conversation
    place: Participant
    participants: list[Participant]
    messages: list[Message]
    reported_ids: set[int]
    page: int
    pages: int
    first_unread_id: int | None


def conversation_page(
    *, viewer, conversation: Conversation, page: int | None = None
) -> ConversationPage:
    """One page of a conversation (the latest by default) for a participant.

    The caller has checked `can_read_conversation`. Four queries at any size.
    """
    participants = list(
        Participant.objects.filter(conversation=conversation)
        .select_related("user")
        .order_by("joined_at", "pk")
    )
    place = next(p for p in participants if p.user_id == viewer.pk)
    total = Message.objects.filter(conversation=conversation).count()
    pages = max((total + MESSAGES_PAGE_SIZE - 1) // MESSAGES_PAGE_SIZE, 1)
    page = pages if page is None else min(max(page, 1), pages)
    start = (page - 1) * MESSAGES_PAGE_SIZE
    messages = list(
        Message.objects.filter(conversation=conversation)
        .select_related("author")
        .order_by("created_at", "pk")[start : start + MESSAGES_PAGE_SIZE]
    )
    reported_ids = set(
        MessageReport.objects.filter(
            reporter=viewer, message_id__in=[m.pk for m in messages]
        ).values_list("message_id", flat=True)
    )
    first_unread = next(
        (m.pk for m in messages
         if m.author_id != viewer.pk and (place.last_read_at is None or m.created_at > place.last_read_at)),
        None,
    )  # fmt: skip
    return ConversationPage(
        conversation, place, participants, messages, reported_ids, page, pages, first_unread
    )


_NAME_SPLIT = re.compile(r"[\s,;]+")


def parse_usernames(text: str) -> list[str]:
    """Usernames from what a member typed: separated by commas or spaces, "@" optional."""
    names = [n.lstrip("@") for n in _NAME_SPLIT.split(text or "")]
    return list(dict.fromkeys(n for n in names if n))


def recipients_by_username(*, sender, usernames: list[str]) -> list:
    """The members with these usernames that the sender may find.

    A name the sender may not see (a child's, for an adult) is answered exactly as a name that
    does not exist, so the lookup never tells that a child has an account.
    """
    wanted = {name.lower(): name for name in usernames}
    found = {
        user.lower_username: user
        for user in visible_members(sender)
        .annotate(lower_username=Lower("username"))
        .filter(lower_username__in=list(wanted))
    }
    missing = [name for key, name in wanted.items() if key not in found]
    if missing:
        raise ValidationError(
            {"to": _("There is no member called %(names)s. Check the username on their profile.")
             % {"names": ", ".join(f"“{n}”" for n in missing)}}
        )  # fmt: skip
    return [found[key] for key in wanted]


def member_messages_for_export(user) -> list[dict]:
    """The member's private conversations for "download my data": what they wrote, and when.

    Other members' messages are their personal data, so only the conversation's subject,
    dates and the member's own messages and reports are included.
    """
    places = (
        Participant.objects.filter(user=user)
        .select_related("conversation")
        .order_by("conversation__created_at", "pk")
    )
    conversation_ids = [p.conversation_id for p in places]
    written: dict[int, list[dict]] = {}
    for m in Message.objects.filter(author=user, conversation_id__in=conversation_ids).order_by(
        "created_at", "pk"
    ):
        written.setdefault(m.conversation_id, []).append(
            {"id": m.pk, "text": m.source, "sent_at": m.created_at,
             "hidden_by_a_moderator": m.hidden_at is not None}
        )  # fmt: skip
    reports: dict[int, list[dict]] = {}
    for r in (
        MessageReport.objects.filter(reporter=user)
        .select_related("message")
        .order_by("created_at", "pk")
    ):
        reports.setdefault(r.message.conversation_id, []).append(
            {"message_id": r.message_id, "reason": r.reason, "note": r.note,
             "outcome": r.outcome, "reported_at": r.created_at}
        )  # fmt: skip
    return [
        {
            "id": p.conversation_id,
            "subject": p.conversation.subject,
            "started_by_you": p.conversation.created_by_id == user.pk,
            "started_at": p.conversation.created_at,
            "joined_at": p.joined_at,
            "last_read_at": p.last_read_at,
            "left_at": p.left_at,
            "messages_you_wrote": written.get(p.conversation_id, []),
            "messages_you_reported": reports.get(p.conversation_id, []),
        }
        for p in places
    ]
