"""What a webhook is told about an event: Discourse's shapes, as the webhook's owner may see.

Each builder takes the domain event and the webhook, re-reads what the event names, and
returns `[(event_name, payload)]`, or nothing when the owner may not see it. Whatever the
owner's role, nothing private goes out: only published, undeleted posts (never held or
hidden ones), no member under 18 by name or profile, no safeguarding concern, and for
SupportLine only a case's reference and status, to an owner who is SupportLine staff.
"""

from __future__ import annotations

from collections.abc import Callable

from community.accounts.permissions import can_view_profile
from community.forum import permissions as forum_permissions
from community.forum.models import Post, Status, Thread
from community.library import permissions as library_permissions
from community.library.models import Resource
from community.moderation.models import Flag
from community.supportline import permissions as supportline_permissions
from community.supportline.models import ConsultationRequest
from community.training import permissions as training_permissions
from community.training.models import Event, Registration

from .models import EventGroup, Webhook

Built = list[tuple[str, dict]]


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _author(member) -> dict:
    """Members under 18 are never named or numbered in a payload, whoever owns the webhook."""
    if member.is_minor:
        return {"username": None, "name": "A young person", "user_id": None}
    return {"username": member.username, "name": member.display_name, "user_id": member.pk}


def _in_scope(webhook: Webhook, thread: Thread) -> bool:
    space_ids = webhook.scoped_space_ids
    return not space_ids or thread.space_id in space_ids


def _public_post(webhook: Webhook, post_id: int) -> Post | None:
    """The post, if it is published and the owner may read it in a space the hook covers."""
    post = (
        Post.objects.select_related("thread", "thread__space", "author")
        .filter(pk=post_id, status=Status.PUBLISHED, deleted_at__isnull=True)
        .first()
    )
    if post is None or post.thread.deleted_at is not None or not _in_scope(webhook, post.thread):
        return None
    if not forum_permissions.can_read_post(webhook.owner, post):
        return None
    return post


def post_payload(post: Post) -> dict:
    thread = post.thread
    return {
        "id": post.pk,
        **_author(post.author),
        "created_at": iso(post.created_at),
        "updated_at": iso(post.edited_at or post.created_at),
        "cooked": post.html,
        "raw": post.source,
        "post_number": post.number,
        "post_type": 3 if post.kind == Post.Kind.NOTE else 1,
        "reply_to_post_number": post.reply_to_number,
        "topic_id": thread.pk,
        "topic_slug": thread.slug,
        "topic_title": thread.title,
        "category_id": thread.space_id,
        "version": post.revision_count + 1,
        "url": post.thread.get_absolute_url() + f"#post-{post.number}",
    }


def topic_payload(thread: Thread, first_post: Post | None) -> dict:
    created_by = _author(first_post.author) if first_post else {}
    return {
        "id": thread.pk,
        "title": thread.title,
        "slug": thread.slug,
        "category_id": thread.space_id,
        "tags": [thread.topic.slug, *sorted(t.slug for t in thread.tags.all())],
        "posts_count": thread.post_count,
        "created_at": iso(thread.created_at),
        "last_posted_at": iso(thread.last_post_at),
        "closed": thread.is_closed,
        "pinned": thread.is_pinned,
        "created_by": {"id": created_by.get("user_id"), "username": created_by.get("username")},
        "url": thread.get_absolute_url(),
    }


def _first_post(thread: Thread, webhook: Webhook) -> Post | None:
    first = thread.posts.filter(number=1).values_list("pk", flat=True).first()
    return _public_post(webhook, first) if first else None


def _post_events(event: dict, webhook: Webhook) -> Built:
    kind = event["type"]
    if kind == "post.deleted":
        # What was deleted is gone: say which post, if the owner could read its thread.
        thread = Thread.objects.filter(pk=event["thread_id"]).first()
        if thread is None or not _in_scope(webhook, thread):
            return []
        if not forum_permissions.can_read_thread(webhook.owner, thread):
            return []
        return [("post_destroyed", {"post": {"id": event["post_id"], "topic_id": thread.pk,
                                             "post_number": event["number"]}})]  # fmt: skip
    post = _public_post(webhook, event["post_id"])
    if post is None:
        return []
    name = {
        "post.created": "post_created",
        "post.approved": "post_created",
        "thread.created": "post_created",
        "post.edited": "post_edited",
        "post.restored": "post_recovered",
    }[kind]
    return [(name, {"post": post_payload(post)})]


def _topic_events(event: dict, webhook: Webhook) -> Built:
    kind = event["type"]
    if kind == "post.approved" and event.get("number") != 1:
        return []
    thread = Thread.objects.select_related("space", "topic").filter(pk=event["thread_id"]).first()
    if thread is None or not _in_scope(webhook, thread):
        return []
    if kind == "thread.deleted":
        if not forum_permissions.can_read_space(webhook.owner, thread.space):
            return []
        return [("topic_destroyed", {"topic": {"id": thread.pk, "category_id": thread.space_id}})]
    first = _first_post(thread, webhook)
    if first is None:  # held, hidden or unreadable: the topic does not exist for readers yet
        return []
    name = {
        "thread.created": "topic_created",
        "post.approved": "topic_created",
        "thread.edited": "topic_edited",
        "thread.moved": "topic_edited",
        "thread.status": "topic_status_updated",
    }[kind]
    return [(name, {"topic": topic_payload(thread, first)})]


def _user_events(event: dict, webhook: Webhook) -> Built:
    from django.contrib.auth import get_user_model

    member = get_user_model().objects.filter(pk=event["user_id"]).first()
    if member is None or member.is_minor or not can_view_profile(webhook.owner, member):
        return []
    name = {
        "account.created": "user_created",
        "member.verified": "user_updated",
        "user.suspended": "user_suspended",
        "user.silenced": "user_silenced",
    }[event["type"]]
    return [(name, {"user": {
        "id": member.pk, "username": member.username, "name": member.display_name,
        "role": member.role, "verified": member.is_verified, "created_at": iso(member.date_joined),
        "suspended_till": iso(member.suspended_until),
    }})]  # fmt: skip


def _flag_events(event: dict, webhook: Webhook) -> Built:
    if event.get("reason") == Flag.Reason.SAFEGUARDING or event.get("concern_id"):
        return []  # safeguarding stays with the designated leads
    if not forum_permissions.is_moderator(webhook.owner):
        return []
    thread = Thread.objects.filter(pk=event["thread_id"]).first()
    if thread is None or not _in_scope(webhook, thread):
        return []
    if not forum_permissions.can_read_thread(webhook.owner, thread):
        return []
    return [("flag_created", {"flag": {
        "id": event["flag_id"], "post_id": event["post_id"], "topic_id": thread.pk,
        "post_number": event["number"], "reason": event["reason"],
    }})]  # fmt: skip


def _library_events(event: dict, webhook: Webhook) -> Built:
    resource = Resource.objects.filter(pk=event["resource_id"]).first()
    if resource is None or not resource.is_public:
        return []
    if not library_permissions.public_resources().filter(pk=resource.pk).exists():
        return []
    if not library_permissions.can_read_resource(webhook.owner, resource):
        return []
    version = resource.current_version
    name = {"library.published": "library_resource_published",
            "library.archived": "library_resource_archived"}[event["type"]]  # fmt: skip
    return [(name, {"library_resource": {
        "id": resource.pk, "title": version.title, "summary": version.summary,
        "version": version.number, "type": resource.type,
        "evidence_rating": resource.evidence_rating, "evidence_type": resource.evidence_type,
        "state": resource.state, "published_at": iso(version.published_at),
        "url": resource.get_absolute_url(),
    }})]  # fmt: skip


def _registration_events(event: dict, webhook: Webhook) -> Built:
    training_event = Event.objects.filter(pk=event["event_id"]).first()
    if training_event is None or not training_permissions.can_view_event(
        webhook.owner, training_event
    ):
        return []
    registration = Registration.objects.filter(
        event=training_event, user_id=event["user_id"]
    ).select_related("user").first()  # fmt: skip
    registrant = None
    # Who registered is personal data: only for event staff, and never a child.
    if registration and training_permissions.is_event_staff(webhook.owner):
        if not registration.user.is_minor:
            registrant = {"id": registration.user.pk, "username": registration.user.username}
    name = {"training.registered": "event_registration_created",
            "training.registration_cancelled": "event_registration_cancelled"}[event["type"]]  # fmt: skip
    return [(name, {"event_registration": {
        "event_id": training_event.pk, "event_title": training_event.title,
        "starts_at": iso(training_event.starts_at),
        "status": registration.status if registration else event.get("status"),
        "confirmed_count": training_event.confirmed_count,
        "waitlist_count": training_event.waitlist_count, "user": registrant,
    }})]  # fmt: skip


def _supportline_events(event: dict, webhook: Webhook) -> Built:
    # Cases are private: only an owner who is SupportLine staff hears of them, and then only
    # the reference and status, never the question, the requester or the messages.
    if not supportline_permissions.is_supportline_staff(webhook.owner):
        return []
    case = ConsultationRequest.objects.filter(pk=event["case_id"]).first()
    if case is None or not supportline_permissions.can_view_case(webhook.owner, case):
        return []
    return [("supportline_status_changed", {"supportline_case": {
        "id": case.pk, "reference": case.reference, "status": case.status,
        "change": event.get("kind"), "region": case.region.slug if case.region_id else None,
        "created_at": iso(case.created_at), "first_response_due_at": iso(case.first_response_due_at),
    }})]  # fmt: skip


# Which domain events each group hears, and how it builds its payloads.
RULES: list[tuple[tuple[str, ...], EventGroup, Callable[[dict, Webhook], Built]]] = [
    (("thread.created", "post.created", "post.approved", "post.edited", "post.restored",
      "post.deleted"), EventGroup.POST, _post_events),
    (("thread.created", "post.approved", "thread.edited", "thread.moved", "thread.status",
      "thread.deleted"), EventGroup.TOPIC, _topic_events),
    (("account.created", "member.verified", "user.suspended", "user.silenced"), EventGroup.USER,
     _user_events),
    (("post.flagged",), EventGroup.FLAG, _flag_events),
    (("library.published", "library.archived"), EventGroup.LIBRARY_RESOURCE, _library_events),
    (("training.registered", "training.registration_cancelled"), EventGroup.EVENT_REGISTRATION,
     _registration_events),
    (("supportline.case_changed",), EventGroup.SUPPORTLINE, _supportline_events),
]  # fmt: skip
HEARD_TYPES = frozenset(t for types, _group, _builder in RULES for t in types)


def build(event: dict, webhook: Webhook) -> list[tuple[str, str, dict]]:
    """Every (event name, group, payload) this webhook should receive for the domain event."""
    built = []
    for types, group, builder in RULES:
        if event.get("type") in types and group in webhook.event_groups:
            built.extend((name, group, payload) for name, payload in builder(event, webhook))
    return built
