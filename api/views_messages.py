"""A private message as Discourse's topic: read with `GET /t/{id}.json`, answered with
`POST /posts.json` and its `topic_id`, through the conversations app's rule and actions.

Discourse numbers private messages among its topics. Our conversations have ids of their
own, so the API gives each one the topic id `PM_TOPIC_BASE + conversation id` (and each
message the post id `PM_TOPIC_BASE + message id`): a number no thread reaches, so
`/t/{id}.json` never mistakes one for the other. Only the conversation's participants read
it (`conversations.permissions.visible_conversations`); to anyone else, moderators included,
it does not exist (404), as on the site, where moderators see only what was reported.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from community.conversations import actions as conversation_actions
from community.conversations import permissions as conversation_permissions
from community.conversations.models import Conversation, Message, Participant

from . import serializers as s
from . import shapes

# Above any thread's id the network will reach, below the API's largest accepted number.
PM_TOPIC_BASE = 1_000_000_000
HIDDEN_TEXT = {
    True: "A moderator hid this message.",
    False: "This message was reported and is hidden while a moderator looks at it.",
}


def topic_id(conversation_id: int) -> int:
    return PM_TOPIC_BASE + conversation_id


def post_id(message_id: int) -> int:
    return PM_TOPIC_BASE + message_id


def is_message_topic(number: int) -> bool:
    return number > PM_TOPIC_BASE


def _conversation(viewer, number: int) -> Conversation:
    conversation = (
        conversation_permissions.visible_conversations(viewer)
        .filter(pk=number - PM_TOPIC_BASE)
        .first()
    )
    if conversation is None:
        raise Http404
    return conversation


def _message(viewer, message: Message, number: int, conversation: Conversation) -> dict:
    who = s.author(viewer, message.author)
    shown = who["id"] != s.HIDDEN_MEMBER_ID
    hidden = message.is_hidden
    return {
        "id": post_id(message.pk),
        "name": who["name"],
        "username": who["username"],
        "display_username": who["name"],
        "avatar_template": s.AVATAR,
        "created_at": s.iso(message.created_at),
        "updated_at": s.iso(message.created_at),
        # A hidden message keeps its words for the record; participants see why it is hidden.
        "cooked": f"<p><em>{HIDDEN_TEXT[bool(message.hidden_by_id)]}</em></p>"
        if hidden
        else message.html,
        "post_number": number,
        "post_type": 1,
        "posts_count": 0,
        "readers_count": 0,
        "yours": message.author_id == viewer.pk,
        "topic_id": topic_id(conversation.pk),
        "topic_slug": "message",
        "version": 1,
        "can_edit": False,
        "can_delete": False,
        "can_view_edit_history": False,
        "read": True,
        "moderator": shown and message.author.is_moderator,
        "staff": shown and message.author.is_moderator,
        "admin": shown and message.author.is_superuser,
        "user_id": who["id"],
        "hidden": hidden,
        "trust_level": message.author.trust_level if shown else 0,
        "actions_summary": [],
    }


def topic(viewer, number: int, post_number: int = 1) -> dict:
    """A conversation as Discourse's private message topic, from `post_number` on."""
    conversation = _conversation(viewer, number)
    places = list(
        Participant.objects.filter(conversation=conversation)
        .select_related("user")
        .order_by("joined_at", "pk")
    )
    ids = list(
        Message.objects.filter(conversation=conversation)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    per_page = settings.FORUM_POSTS_PER_PAGE
    start = max(min(post_number - 1, len(ids) - per_page), 0)
    wanted = ids[start : start + per_page]
    messages = list(
        Message.objects.filter(pk__in=wanted).select_related("author").order_by("created_at", "pk")
    )
    posts = [
        shapes.POST_IN_TOPIC.project(_message(viewer, m, start + i + 1, conversation))
        for i, m in enumerate(messages)
    ]
    others = [p.user for p in places if p.user_id != viewer.pk and p.left_at is None]
    creator = next((p.user for p in places if p.user_id == conversation.created_by_id), None)
    last = messages[-1].author if messages else creator
    may_reply = conversation_permissions.can_reply(viewer, conversation, others)
    values = {
        "id": topic_id(conversation.pk),
        "title": conversation.subject,
        "fancy_title": conversation.subject,
        "slug": "message",
        "archetype": "private_message",
        "posts_count": len(ids),
        "reply_count": max(len(ids) - 1, 0),
        "highest_post_number": len(ids),
        "created_at": s.iso(conversation.created_at),
        "last_posted_at": s.iso(conversation.last_message_at),
        "visible": True,
        "closed": False,
        "archived": False,
        "user_id": s.author(viewer, creator)["id"] if creator else 0,
        "chunk_size": per_page,
        "participant_count": len([p for p in places if p.left_at is None]),
        "draft_key": f"topic_{topic_id(conversation.pk)}",
        "tags": [],
        "post_stream": {"posts": posts, "stream": [post_id(pk) for pk in ids]},
        "details": shapes.TOPIC_DETAILS.project(
            {
                "created_by": s.author(viewer, creator) if creator else None,
                "last_poster": s.author(viewer, last) if last else None,
                "can_create_post": may_reply,
                "can_edit": False,
                "can_delete": False,
                "notification_level": 3,
                "participants": [s.author(viewer, p.user) for p in places if p.left_at is None],
            }
        ),
    }
    return shapes.TOPIC.project(values)


def post(viewer, number: int) -> dict:
    """One message as Discourse's post (`GET /posts/{id}.json`), for its participants only."""
    message = (
        Message.objects.select_related("author", "conversation")
        .filter(
            pk=number - PM_TOPIC_BASE,
            conversation__in=conversation_permissions.visible_conversations(viewer),
        )
        .first()
    )
    if message is None:
        raise Http404
    earlier = Message.objects.filter(conversation_id=message.conversation_id).filter(
        Q(created_at__lt=message.created_at) | Q(created_at=message.created_at, pk__lt=message.pk)
    )
    values = _message(viewer, message, earlier.count() + 1, message.conversation)
    values["raw"] = "" if message.is_hidden else message.source
    return shapes.POST_DETAIL.project(values)


def reply(viewer, number: int, raw: str) -> dict:
    """Answer a private message (`POST /posts.json` with its `topic_id`)."""
    conversation = _conversation(viewer, number)
    message = conversation_actions.reply(author=viewer, conversation=conversation, source=raw)
    count = Message.objects.filter(conversation=conversation).count()
    values = _message(viewer, message, count, conversation)
    values.update(raw=message.source, posts_count=count)
    return shapes.CREATED_POST.project(values)


def created(viewer, conversation: Conversation) -> dict:
    """The first message of a conversation just started, as Discourse answers a new PM."""
    message = conversation.messages.order_by("pk").first()
    values = _message(viewer, message, 1, conversation)
    values.update(raw=message.source, posts_count=1)
    return shapes.CREATED_POST.project(values)
