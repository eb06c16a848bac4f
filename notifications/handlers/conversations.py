"""Who is told what about private messages: the other participants, reporters, the author of a
hidden message, and the safeguarding leads. Never the words of a message: these kinds are not
emailed, and the safeguarding alert only points at the concern's page (leads and staff only)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode

from community.conversations.models import Conversation, Participant
from community.conversations.permissions import readers_of

from .. import kinds
from ..recording import handles, notify

OUTCOME_TEXT = {
    "agreed": "a moderator agreed and hid it. Thank you.",
    "disagreed": "a moderator looked and left it.",
}


def _readers(conversation_id: int, user_ids) -> list[int]:
    """Keep only members who may read the conversation (`can_read_conversation`, in bulk)."""
    wanted = [uid for uid in dict.fromkeys(user_ids) if uid]
    readers = set(readers_of(conversation_id).filter(pk__in=wanted).values_list("pk", flat=True))
    return [uid for uid in wanted if uid in readers]


def _data(conversation: Conversation, **extra) -> dict:
    return {"title": conversation.subject, "url": conversation.get_absolute_url(), **extra}


@handles("conversation.message")
def tell_participants(event: dict) -> None:
    conversation = Conversation.objects.get(pk=event["conversation_id"])
    author = get_user_model().objects.get(pk=event["author_id"])
    others = Participant.objects.filter(conversation=conversation).exclude(user_id=author.pk)
    # Everyone else still in it: the bulk form of can_read_conversation.
    recipients = _readers(conversation.pk, others.values_list("user_id", flat=True))
    notify(
        recipients,
        kinds.PRIVATE_MESSAGE.name,
        data=_data(conversation, actor=author.display_name),
        actor_id=author.pk,
    )


@handles("message.reported")
def safeguarding_alert(event: dict) -> None:
    if event.get("reason") != "safeguarding":
        return
    leads = (
        get_user_model()
        .objects.filter(
            Q(is_safeguarding_lead=True) | Q(role="staff") | Q(is_superuser=True), is_active=True
        )
        .values_list("pk", flat=True)
    )
    if event.get("concern_id"):
        url = reverse("moderation:concern", args=[event["concern_id"]])
    else:  # reported before concerns were recorded for messages
        url = f"{reverse('moderation:queue')}?{urlencode({'kind': 'reported_message', 'priority': 0})}"
    notify(leads, kinds.MESSAGE_SAFEGUARDING.name, data={"title": "", "url": url})


@handles("message.report_resolved")
def tell_reporters_and_author(event: dict) -> None:
    conversation = Conversation.objects.get(pk=event["conversation_id"])
    url = f"{conversation.get_absolute_url()}#message-{event['message_id']}"
    reporter_ids = [
        uid for uid in get_user_model().objects.filter(
            pk__in=event.get("reporter_ids") or [], is_active=True
        ).values_list("pk", flat=True)
    ]  # fmt: skip
    readers = set(_readers(conversation.pk, reporter_ids))
    outcome = OUTCOME_TEXT[event["outcome"]]
    # A reporter who has left the conversation is told too, with a link they can still open.
    for ids, link in (
        ([u for u in reporter_ids if u in readers], url),
        ([u for u in reporter_ids if u not in readers], reverse("notifications:list")),
    ):
        notify(
            ids,
            kinds.MESSAGE_REPORT_OUTCOME.name,
            data=_data(conversation, url=link, outcome=outcome),
            actor_id=event.get("moderator_id"),
        )
    if event["decision"] == "hide":
        notify(
            _readers(conversation.pk, [event["author_id"]]),
            kinds.MESSAGE_HIDDEN.name,
            data=_data(conversation, url=url),
            actor_id=event.get("moderator_id"),
        )
