"""Who is told what about moderation: safeguarding leads, flaggers, authors."""

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


def _post_data(post: Post, **extra) -> dict:
    return {
        "title": post.thread.title,
        "slug": post.thread.slug,
        "number": post.number,
        "actor": "",
        **extra,
    }


@handles("post.flagged")
def safeguarding_alert(event: dict) -> None:
    if not event.get("concern_id"):
        return
    leads = (
        get_user_model()
        .objects.filter(
            Q(is_safeguarding_lead=True) | Q(role="staff") | Q(is_superuser=True), is_active=True
        )
        .values_list("pk", flat=True)
    )
    post = Post.objects.select_related("thread").get(pk=event["post_id"])
    notify(
        leads,
        kinds.SAFEGUARDING.name,
        data=_post_data(post, url=reverse("moderation:concern", args=[event["concern_id"]])),
        thread_id=post.thread_id,
        post_id=post.pk,
    )


@handles("thread.created", "post.created", "post.edited")
def tell_author_why_held(event: dict) -> None:
    reasons = [r for r in event.get("held_reasons") or [] if r != "premoderated space"]
    if not reasons:
        return
    post = Post.objects.select_related("thread").get(pk=event["post_id"])
    notify([post.author_id], kinds.POST_HELD.name, data=_post_data(post, reason=" ".join(reasons)),
           thread_id=post.thread_id, post_id=post.pk)  # fmt: skip


OUTCOME_TEXT = {
    "agreed": "a moderator agreed and acted on it. Thank you.",
    "disagreed": "a moderator looked and left the post up.",
}


@handles("review.resolved")
def tell_flaggers_and_author(event: dict) -> None:
    if not event.get("post_id"):
        return  # not about a post (a reported private message): its own handler tells people
    post = Post.objects.select_related("thread").get(pk=event["post_id"])
    outcome = event.get("outcome")
    if outcome and event.get("flagger_ids"):
        notify(
            event["flagger_ids"],
            kinds.FLAG_OUTCOME.name,
            data=_post_data(post, outcome=OUTCOME_TEXT[outcome], url=reverse("notifications:list")),
            actor_id=event.get("moderator_id"),
        )
    if event["decision"] in ("hide", "delete", "reject") and post.kind == "post":
        notify(
            [post.author_id],
            kinds.POST_HIDDEN.name,
            data=_post_data(post, url=reverse("privacy:appeal", args=[post.pk])),
            actor_id=event.get("moderator_id"),
        )


@handles("account.approved")
def tell_member_account_approved(event: dict) -> None:
    notify(
        [event["user_id"]],
        kinds.ACCOUNT_APPROVED.name,
        data={"url": reverse("account_login"), "title": ""},
        actor_id=event.get("moderator_id"),
    )


@handles("user.silenced")
def tell_silenced_member(event: dict) -> None:
    until = date_format(localtime(parse_datetime(event["until"])), "j F Y")
    notify([event["user_id"]], kinds.SILENCED.name,
           data={"until": until, "reason": event["reason"], "title": "", "url": reverse("notifications:list")})  # fmt: skip
