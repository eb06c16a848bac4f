"""Who may read and write in a private conversation.

Only its participants: moderators and staff do not read other members' private conversations.
A reported message reaches the review queue as a copy taken when it was reported, and that copy
is all a moderator sees. Who may message whom is the members' privacy rule
(`community.accounts.permissions.can_message`).
"""

from __future__ import annotations

from django.db.models import QuerySet

from community.accounts.permissions import can_message, sees_minors

from .models import Conversation, Message, Participant


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def visible_conversations(user, qs: QuerySet | None = None) -> QuerySet[Conversation]:
    """Conversations this member takes part in and has not left."""
    qs = Conversation.objects.all() if qs is None else qs
    if not _signed_in(user):
        return qs.none()
    return qs.filter(participants__user=user, participants__left_at__isnull=True)


def active_participant(user, conversation: Conversation) -> Participant | None:
    if not _signed_in(user):
        return None
    return Participant.objects.filter(
        conversation=conversation, user=user, left_at__isnull=True
    ).first()


def can_read_conversation(user, conversation: Conversation) -> bool:
    return active_participant(user, conversation) is not None


def may_share_conversation(a, b) -> bool:
    """Whether two members may be in one conversation: a child only with moderators and staff.

    Unlike `can_message` this ignores who is suspended: it is about who may read whom.
    """
    if a.is_minor or b.is_minor:
        return sees_minors(a) or sees_minors(b)
    return True


def can_reply(user, conversation: Conversation, others: list) -> bool:
    """A participant may write while the rule allows them to message everyone else still in it."""
    return (
        can_read_conversation(user, conversation)
        and bool(others)
        and all(can_message(user, other) for other in others)
    )


def can_report_message(user, message: Message) -> bool:
    """Every participant may report a message someone else wrote."""
    return (
        _signed_in(user)
        and message.author_id != user.pk
        and can_read_conversation(user, message.conversation)
    )


def readers_of(conversation_id: int) -> QuerySet:
    """The bulk form of `can_read_conversation`: active members still in the conversation."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True,
        conversation_places__conversation_id=conversation_id,
        conversation_places__left_at__isnull=True,
    )
