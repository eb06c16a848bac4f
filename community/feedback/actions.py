"""Feedback from families: receive and screen it, review and tag it, turn it into a thread."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community import ratelimits
from community.events import publish_on_commit
from community.forum import actions as forum_actions
from community.forum.models import Space, Thread, Topic
from community.moderation.log import log

from . import permissions, screening
from .models import FeedbackResponse

MAX_TEXT = 2000
PER_HOUR = 5


def _clean(text: str) -> str:
    return (text or "").strip()[:MAX_TEXT]


@transaction.atomic
def submit_feedback(
    *, author, who: str, need: str = "", worked: str = "", not_worked: str = "",
    region=None, local_authority=None, topic=None, credit_consent: bool = False,
    credit_name: str = "", client_key: str = "",
) -> FeedbackResponse:  # fmt: skip
    """Take a family's feedback: screened like a post, then into the staff's inbox."""
    signed_in = bool(author and author.is_authenticated)
    need, worked, not_worked = _clean(need), _clean(worked), _clean(not_worked)
    if not (need or worked or not_worked):
        raise ValidationError(
            {"need": _("Tell us at least one thing: what you need, what worked or what did not.")}
        )
    if who not in FeedbackResponse.Who.values:
        raise ValidationError({"who": _("Tell us who you are.")})
    if (
        local_authority is not None
        and region is not None
        and local_authority.region_id != region.pk
    ):
        raise ValidationError(
            {"local_authority": _("That council is not in the region you chose.")}
        )
    wait = ratelimits.hit(
        "feedback", f"user:{author.pk}" if signed_in else f"ip:{client_key}",
        limit=getattr(settings, "FEEDBACK_PER_HOUR", PER_HOUR), window=3600,
    )  # fmt: skip
    if wait:
        raise ratelimits.RateLimited(
            {"need": _("You have sent us a lot in the last hour. Please try again later: what you wrote is still here.")},
            wait_seconds=wait,
        )  # fmt: skip
    credit_name = " ".join((credit_name or "").split())[:80]
    if credit_consent and not credit_name and signed_in:
        credit_name = author.display_name
    if credit_consent and not credit_name:
        raise ValidationError({"credit_name": _("Write the name we can show, or untick the box.")})
    result = screening.screen("\n".join([need, worked, not_worked, credit_name]))
    response = FeedbackResponse.objects.create(
        author=author if signed_in else None, who=who, need=need, worked=worked,
        not_worked=not_worked, region=region or (local_authority.region if local_authority else None),
        local_authority=local_authority, topic=topic, credit_consent=credit_consent,
        credit_name=credit_name if credit_consent else "",
        status=FeedbackResponse.Status.HELD if result.held_reasons else FeedbackResponse.Status.NEW,
        held_reasons=result.held_reasons, matches=result.matches, safeguarding=result.safeguarding,
    )  # fmt: skip
    if topic is not None:
        response.practice_topics.add(topic)
    publish_on_commit(
        {
            "type": "feedback.received",
            "response_id": response.pk,
            "status": response.status,
            "safeguarding": response.safeguarding,
            "region_id": response.region_id,
            "topic_id": response.topic_id,
        }
    )
    return response


def _staff(actor) -> None:
    if not permissions.can_manage_feedback(actor):
        raise PermissionDenied(_("Only moderators and centre staff can do that."))


@transaction.atomic
def review_feedback(
    *, actor, response: FeedbackResponse, status: str, practice_topics: Iterable[Topic] = ()
) -> FeedbackResponse:
    """Tag a response with practice topics, and release, mark reviewed or archive it."""
    _staff(actor)
    if status not in (
        FeedbackResponse.Status.REVIEWED, FeedbackResponse.Status.ARCHIVED,
        FeedbackResponse.Status.HELD,
    ):  # fmt: skip
        raise ValidationError({"status": _("Choose reviewed, held or archived.")})
    before = response.status
    response.status = status
    response.save(update_fields=["status"])
    response.practice_topics.set(list(practice_topics))
    log(
        actor=actor, action="feedback.reviewed", target=response,
        before={"status": before}, after={"status": status},
    )  # fmt: skip
    publish_on_commit({"type": "feedback.reviewed", "response_id": response.pk, "status": status})
    return response


def _quoted(text: str) -> str:
    # Members' words are quoted, never a way to mention (and so notify) anyone.
    return " ".join(text.replace("@", "@\u200b").split())


def discussion_source(intro: str, responses: Sequence[FeedbackResponse]) -> str:
    """The thread's first post: the staff's words, then each response credited only by consent."""
    parts = [intro.strip()] if intro.strip() else []
    for response in responses:
        lines = []
        for label, text in (
            (_("What they need"), response.need), (_("What worked"), response.worked),
            (_("What did not work"), response.not_worked),
        ):  # fmt: skip
            if text:
                lines.append(f"> **{label}:** {_quoted(text)}")
        lines.append(f"> — {_quoted(response.credit)}")
        parts.append("\n>\n".join(lines))
    return "\n\n".join(parts)


@transaction.atomic
def start_discussion_from_feedback(
    *, actor, responses: Sequence[FeedbackResponse], space: Space, topic: Topic, title: str,
    intro: str = "",
) -> Thread:  # fmt: skip
    """Turn a set of responses into a discussion thread, through the forum's own action."""
    _staff(actor)
    responses = list(responses)
    if not responses:
        raise ValidationError({"responses": _("Choose at least one response.")})
    if any(r.status in (FeedbackResponse.Status.HELD, FeedbackResponse.Status.ARCHIVED)
           for r in responses):  # fmt: skip
        raise ValidationError(
            {"responses": _("Held or archived responses cannot be shared: review them first.")}
        )
    thread = forum_actions.start_thread(
        author=actor, space=space, topic=topic, title=title,
        source=discussion_source(intro, responses),
    )  # fmt: skip
    FeedbackResponse.objects.filter(pk__in=[r.pk for r in responses]).update(
        used_in_thread=thread, status=FeedbackResponse.Status.REVIEWED
    )
    for response in responses:
        log(actor=actor, action="feedback.shared", target=response, after={"thread_id": thread.pk})
    return thread


SHAREABLE = (FeedbackResponse.Status.NEW, FeedbackResponse.Status.REVIEWED)


@transaction.atomic
def add_to_resource(*, actor, responses: Sequence[FeedbackResponse], resource) -> None:
    """Quote responses in a library resource's "What families said" section."""
    from community.library import permissions as library_permissions

    _staff(actor)
    if not library_permissions.can_edit_resource(actor, resource):
        raise PermissionDenied(_("You cannot change this resource."))
    responses = list(responses)
    if not responses:
        raise ValidationError({"responses": _("Choose at least one response.")})
    if any(r.status not in SHAREABLE for r in responses):
        raise ValidationError(
            {"responses": _("Held or archived responses cannot be shared: review them first.")}
        )
    for response in responses:
        response.used_in_resources.add(resource)
        if response.status == FeedbackResponse.Status.NEW:
            FeedbackResponse.objects.filter(pk=response.pk).update(
                status=FeedbackResponse.Status.REVIEWED
            )
        log(actor=actor, action="feedback.shared", target=response,
            after={"resource_id": resource.pk})  # fmt: skip
    publish_on_commit(
        {"type": "feedback.added_to_resource", "resource_id": resource.pk,
         "response_ids": [r.pk for r in responses]}
    )  # fmt: skip
