"""What "download my data" contains: one JSON file per part, zipped."""

from __future__ import annotations

import io
import json
import zipfile

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

README = """Your data from the Family Hubs Network
========================================

Each JSON file holds one kind of information we keep about you:

profile.json                 your account and profile
email_addresses.json         the email addresses on your account
threads.json, posts.json     what you wrote, with every earlier version of your posts
reactions.json, bookmarks.json
notification_settings.json   your email preferences and what you follow or mute
event_registrations.json     training and events you signed up for
consultation_requests.json   SupportLine requests and the messages you wrote in them
consents.json                every consent choice you made, with the wording you saw
reports.json                 posts you reported, and your appeals
private_messages.json        your private conversations, if you have any
poll_votes.json              how you voted in polls (only your own choices)
feedback.json                what you told the centre through "Tell us" while signed in
other.json                   group memberships, library credits and training proposals

Dates and times are in UTC (ISO 8601). Questions: see the privacy notice on the site.
"""


def _rows(qs, fields=None) -> list[dict]:
    """Model rows as plain dicts (primary key included), through Django's serialiser."""
    out = []
    for item in serializers.serialize("python", qs, fields=fields):
        out.append({"id": item["pk"], **item["fields"]})
    return out


def member_data(user) -> dict[str, object]:
    """Everything the network keeps about this member, by file name."""
    from allauth.account.models import EmailAddress

    from community.forum.models import (
        Bookmark,
        Draft,
        Membership,
        Post,
        PostRevision,
        Reaction,
        Thread,
    )
    from community.library.models import Credit
    from community.moderation.models import Flag
    from community.supportline.models import CaseMessage, ConsultationRequest
    from community.training.models import Proposal, Registration
    from notifications.emails import preferences_for
    from notifications.models import Subscription

    from .models import Appeal, Consent

    profile_fields = [
        "username", "email", "display_name", "role", "organisation", "local_authority",
        "home_region", "age_band", "is_verified", "trust_level", "date_joined", "last_login",
    ]  # fmt: skip
    posts = Post.objects.filter(author=user).select_related("thread").order_by("created_at", "pk")
    post_rows = [
        {
            "id": p.pk, "thread_id": p.thread_id, "thread_title": p.thread.title,
            "number": p.number, "text": p.source, "status": p.status,
            "created_at": p.created_at, "edited_at": p.edited_at, "deleted_at": p.deleted_at,
            "revisions": [],
        }
        for p in posts
    ]  # fmt: skip
    by_id = {row["id"]: row for row in post_rows}
    for revision in PostRevision.objects.filter(post__author=user).order_by("post", "number"):
        by_id[revision.post_id]["revisions"].append(
            {"number": revision.number, "before": revision.source_before,
             "after": revision.source_after, "reason": revision.reason,
             "edited_at": revision.created_at, "edited_by_you": revision.editor_id == user.pk}
        )  # fmt: skip
    prefs = preferences_for(user)
    requests = ConsultationRequest.objects.filter(requester=user).order_by("pk")
    return {
        "profile": _rows([user], profile_fields)[0],
        "email_addresses": _rows(EmailAddress.objects.filter(user=user), ["email", "verified", "primary"]),
        "threads": _rows(Thread.objects.filter(author=user).order_by("pk"), ["title", "space", "topic", "created_at", "status"]),
        "posts": post_rows,
        "reactions": _rows(Reaction.objects.filter(user=user).order_by("pk"), ["post", "kind", "created_at"]),
        "bookmarks": _rows(Bookmark.objects.filter(user=user).order_by("pk"), ["post", "created_at"]),
        "notification_settings": {
            "email_when_away": prefs.email_when_away,
            "digest": prefs.digest,
            "following": _rows(Subscription.objects.filter(user=user).order_by("pk"), ["target", "target_id", "level"]),
        },
        "event_registrations": [
            {"event": r.event.title, "starts_at": r.event.starts_at, "status": r.status,
             "asked_at": r.queued_at, "confirmed_at": r.confirmed_at, "cancelled_at": r.cancelled_at}
            for r in Registration.objects.filter(user=user).select_related("event").order_by("pk")
        ],
        "consultation_requests": {
            "requests": _rows(requests),
            "messages_you_wrote": _rows(CaseMessage.objects.filter(author=user).order_by("pk")),
        },
        "consents": _rows(Consent.objects.filter(user=user).order_by("created_at", "pk"), ["kind", "granted", "text_version", "text", "created_at"]),
        "reports": {
            "flags": _rows(Flag.objects.filter(flagger=user).order_by("pk"), ["post", "reason", "note", "outcome", "created_at"]),
            "appeals": _rows(Appeal.objects.filter(appellant=user).order_by("pk"), ["post", "statement", "state", "outcome_reason", "created_at", "resolved_at"]),
        },
        "private_messages": _private_messages(user),
        "poll_votes": _poll_votes(user),
        "feedback": _feedback(user),
        "other": {
            "group_memberships": _rows(Membership.objects.filter(user=user), ["space", "joined_at"]),
            "unsent_drafts": _rows(Draft.objects.filter(user=user).order_by("pk"), ["thread", "space", "title", "source", "updated_at"]),
            "has_a_photo": bool(user.avatar),
            "library_credits": _rows(Credit.objects.filter(user=user), ["resource", "role", "consent", "responded_at"]),
            "training_proposals": _rows(Proposal.objects.filter(proposer=user), ["title", "description", "status", "created_at"]),
        },
    }  # fmt: skip


def _private_messages(user) -> list[dict]:
    from django.apps import apps

    if not apps.is_installed("community.conversations"):
        return []
    from community.conversations.selectors import member_messages_for_export

    return member_messages_for_export(user)


def _poll_votes(user) -> list[dict]:
    from django.apps import apps

    if not apps.is_installed("community.polls"):
        return []
    from community.polls.selectors import member_votes_for_export

    return member_votes_for_export(user)


def _feedback(user) -> list[dict]:
    from django.apps import apps

    if not apps.is_installed("community.feedback"):
        return []
    from community.feedback.selectors import member_feedback_for_export

    return member_feedback_for_export(user)


def build_zip(user) -> bytes:
    """The ZIP the member downloads."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        for name, content in member_data(user).items():
            archive.writestr(
                f"{name}.json",
                json.dumps(content, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
            )
        archive.writestr("exported_at.txt", timezone.now().isoformat())
    return buffer.getvalue()
