"""Who is told what about members' rights: exports, appeals, visitors' urgent reports."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime

from community.forum.models import Post

from .. import kinds
from ..recording import handles, notify


def _moderators():
    return get_user_model().objects.filter(
        Q(is_superuser=True) | Q(role__in=get_user_model().MODERATING_ROLES), is_active=True
    )


@handles("privacy.export_ready")
def export_ready(event: dict) -> None:
    notify(
        [event["user_id"]],
        kinds.EXPORT_READY.name,
        data={"url": reverse("privacy:download_export", args=[event["export_id"]]), "title": ""},
    )


@handles("privacy.deletion_requested")
def deletion_scheduled(event: dict) -> None:
    # The event carries the date, so notifications never read the privacy app's models.
    due_at = parse_datetime(event["due_at"])
    notify(
        [event["user_id"]],
        kinds.DELETION_SCHEDULED.name,
        data={"url": reverse("privacy:delete_account"),
              "when": date_format(localtime(due_at), "j F Y")},
    )  # fmt: skip


def _appealed_title(event: dict) -> str:
    """The thread's title for a post; for a private message, never its subject or words."""
    if event.get("message_id"):
        return ""
    return Post.objects.select_related("thread").get(pk=event["post_id"]).thread.title


@handles("appeal.opened")
def appeal_opened(event: dict) -> None:
    """Every moderator but the one whose decision is appealed (they may not decide it)."""
    title = _appealed_title(event)
    appellant = get_user_model().objects.get(pk=event["appellant_id"])
    moderators = _moderators().exclude(pk=event.get("decided_by_id")).values_list("pk", flat=True)
    about_a_message = bool(event.get("message_id"))
    notify(
        moderators,
        (kinds.MESSAGE_APPEAL_OPENED if about_a_message else kinds.APPEAL_OPENED).name,
        data={"url": reverse("privacy:decide_appeal", args=[event["appeal_id"]]),
              "title": title, "actor": appellant.display_name},
        actor_id=appellant.pk,
    )  # fmt: skip


@handles("appeal.decided")
def appeal_decided(event: dict) -> None:
    if event.get("message_id"):
        url = reverse("privacy:appeal_message", args=[event["message_id"]])
        thing = "the message"
    else:
        url = reverse("privacy:appeal", args=[event["post_id"]])
        thing = "the post"
    back = f"{thing} is back" if event["state"] == "overturned" else "the decision stands"
    about_a_message = bool(event.get("message_id"))
    notify(
        [event["appellant_id"]],
        (kinds.MESSAGE_APPEAL_DECIDED if about_a_message else kinds.APPEAL_DECIDED).name,
        data={"url": url, "title": _appealed_title(event), "outcome": back},
        actor_id=event["moderator_id"],
    )  # fmt: skip


@handles("post.reported_by_visitor")
def urgent_visitor_report(event: dict) -> None:
    """Safeguarding and self-harm reports from visitors alert the safeguarding leads at once."""
    if not event.get("urgent"):
        return
    leads = get_user_model().objects.filter(
        Q(is_safeguarding_lead=True) | Q(role="staff") | Q(is_superuser=True), is_active=True
    )
    post = Post.objects.select_related("thread").get(pk=event["post_id"])
    notify(
        leads.values_list("pk", flat=True),
        kinds.VISITOR_REPORT.name,
        data={"url": reverse("moderation:queue"), "title": post.thread.title},
        thread_id=post.thread_id,
        post_id=post.pk,
    )
