"""Every change to the library: check permission, write in one transaction, log, publish on commit.

Quoted contributions follow the consent rule: a post is left out when its author
declined or withdrew their words, and a post by an under-18 account is left out until
they agree. Until someone agrees to be credited, their words are attributed to their
role ("A parent or carer"), never their name.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from html import escape

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from community import markup
from community.events import publish_on_commit
from community.forum.actions import normalise_tags
from community.forum.models import Status, Thread

from . import permissions
from .models import (
    Credit,
    Feedback,
    LogEntry,
    Resource,
    ResourceVersion,
    ReviewDecision,
    UsefulnessRating,
)

State = Resource.State
TITLE_MIN_LENGTH = 8
SUMMARY_MIN_LENGTH = 10
BODY_MIN_LENGTH = 10
BODY_MAX_LENGTH = 100_000
FEEDBACK_MIN_LENGTH = 5
FEEDBACK_MAX_LENGTH = 4000
REASON_MIN_LENGTH = 5

# The fields a resource form sets; the many-to-many ones take lists of objects.
SCALAR_FIELDS = (
    "title",
    "summary",
    "source",
    "type",
    "principle",
    "is_national",
    "evidence_rating",
    "evidence_type",
    "review_interval_months",
)
MANY_FIELDS = ("topics", "regions", "audiences", "age_stages")

CREDIT_ROLE_FOR_USER_ROLE = {
    "practitioner": Credit.Role.PRACTITIONER,
    "commissioner": Credit.Role.COMMISSIONER,
    "parent_carer": Credit.Role.PARENT_CARER,
    "young_person": Credit.Role.YOUNG_PERSON,
    "expert": Credit.Role.EXPERT,
    "moderator": Credit.Role.STAFF,
    "staff": Credit.Role.STAFF,
}
ANONYMOUS_ATTRIBUTION = {
    Credit.Role.PRACTITIONER: _("A practitioner"),
    Credit.Role.COMMISSIONER: _("A commissioner or hub lead"),
    Credit.Role.PARENT_CARER: _("A parent or carer"),
    Credit.Role.YOUNG_PERSON: _("A young person"),
    Credit.Role.EXPERT: _("An expert"),
    Credit.Role.STAFF: _("A member of centre staff"),
}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _log(resource: Resource, actor, action: str, *, from_state: str = "", detail: str = "") -> None:
    LogEntry.objects.create(
        resource=resource,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=resource.state,
        detail=detail,
    )


def _event(event_type: str, resource: Resource, actor, **extra) -> None:
    publish_on_commit(
        {
            "type": event_type,
            "resource_id": resource.pk,
            "actor_id": actor.pk if actor is not None else None,
            "state": resource.state,
            **extra,
        }
    )


def _lock(resource: Resource) -> Resource:
    """Re-read the resource inside the transaction, so two moderators cannot race a transition."""
    fresh = Resource.objects.select_for_update().get(pk=resource.pk)
    for field in ("state", "review_round", "current_version_id", "next_review_at"):
        setattr(resource, field, getattr(fresh, field))
    return resource


# --- Rendering -------------------------------------------------------------------------------


def _clean_fields(fields: dict) -> dict:
    unknown = set(fields) - set(SCALAR_FIELDS) - set(MANY_FIELDS) - {"tags"}
    if unknown:
        raise TypeError(f"Unknown resource fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    if "title" in fields:
        fields["title"] = " ".join((fields["title"] or "").split())
        if not TITLE_MIN_LENGTH <= len(fields["title"]) <= 200:
            errors["title"] = _("Give the resource a title of 8 to 200 characters.")
    if "summary" in fields:
        fields["summary"] = (fields["summary"] or "").strip()
        if not SUMMARY_MIN_LENGTH <= len(fields["summary"]) <= 1000:
            errors["summary"] = _("Write a summary of 10 to 1,000 characters.")
    if "source" in fields:
        fields["source"] = (fields["source"] or "").strip()
        if not BODY_MIN_LENGTH <= len(fields["source"]) <= BODY_MAX_LENGTH:
            errors["source"] = _("Write a body of at least 10 characters.")
    if "review_interval_months" in fields and not 1 <= int(fields["review_interval_months"]) <= 36:
        errors["review_interval_months"] = _("Review every 1 to 36 months.")
    if fields.get("is_national") is False and "regions" in fields and not fields["regions"]:
        errors["regions"] = _("Choose at least one region, or mark the resource as national.")
    if "tags" in fields:
        try:
            fields["tags"] = normalise_tags(fields["tags"])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return fields


def _apply_fields(resource: Resource, fields: dict) -> None:
    for name in SCALAR_FIELDS:
        if name in fields:
            setattr(resource, name, fields[name])
    if "title" in fields:
        resource.slug = slugify(fields["title"])[:80] or "resource"
    resource.save()
    for name in MANY_FIELDS:
        if name in fields:
            getattr(resource, name).set(fields[name])
    if fields.get("is_national"):
        resource.regions.clear()
    if "tags" in fields:
        resource.tags.set(fields["tags"])
    _render_working_copy(resource)


def _render_working_copy(resource: Resource) -> None:
    """Store the working copy's HTML, so the review pages output it without rendering."""
    resource.html = compose_html(resource.source, working_contributions(resource))
    Resource.objects.filter(pk=resource.pk).update(html=resource.html)


def _included(credit: Credit) -> bool:
    """The consent rule for one contributor's words."""
    if credit.words_withdrawn_at is not None or credit.consent == Credit.Consent.DECLINED:
        return False
    # Children's words need a yes; adults' are quoted (without their name) until they answer.
    return credit.consent == Credit.Consent.GIVEN or not credit.user.is_minor


def _attribution(credit: Credit) -> str:
    if permissions.shows_name(credit):
        return credit.user.display_name or credit.user.username
    return str(ANONYMOUS_ATTRIBUTION[credit.role])


def working_contributions(resource: Resource) -> list[dict]:
    """The quotes the working copy would publish now, after the consent rule."""
    rows = resource.contributions.select_related("credit__user").order_by("position", "pk")
    return [
        {
            "id": c.pk,
            "credit": c.credit_id,
            "name": _attribution(c.credit),
            "role": c.credit.role,
            "source": c.source,
        }
        for c in rows
        if _included(c.credit)
    ]


def compose_html(source: str, contributions: Sequence[dict]) -> str:
    """The body, then each quoted contribution with its attribution, as sanitised HTML."""
    parts = [markup.render(source).html]
    if contributions:
        parts.append(f"<h2>{escape(_('What members said'))}</h2>")
    for item in contributions:
        quote = markup.render(item["source"]).html
        parts.append(
            f'<aside class="quote contribution"><div class="quote-title">'
            f"{escape(item['name'])}</div><blockquote>{quote}</blockquote></aside>"
        )
    return markup.sanitise("\n".join(parts))


def _refresh_after_credit_change(resource: Resource) -> None:
    _render_working_copy(resource)
    _refresh_current_version(resource)


def _refresh_current_version(resource: Resource) -> None:
    """Apply withdrawals and declines to the published version readers see now.

    The one in-place change a version gets: a contributor taking back their words or name
    must not wait for the next review. Earlier versions are left as they were published.
    """
    version = resource.current_version
    if version is None:
        return
    credits = {c.pk: c for c in resource.credits.select_related("user")}
    kept = []
    for item in version.contributions:
        credit = credits.get(item.get("credit"))
        if credit is None or not _included(credit):
            continue
        kept.append({**item, "name": _attribution(credit)})
    version.contributions = kept
    version.html = compose_html(version.source, kept)
    version.save(update_fields=["contributions", "html"])


# --- Creating and editing --------------------------------------------------------------------


@transaction.atomic
def create_resource(*, actor, **fields) -> Resource:
    """Start a draft resource owned by the actor."""
    if not permissions.can_create_resource(actor):
        raise PermissionDenied(_("Only moderators and centre staff can add library resources."))
    fields = _clean_fields(fields)
    for required in ("title", "summary", "source"):
        if required not in fields:
            raise ValidationError({required: _("This is needed.")})
    resource = Resource(owner=actor, state=State.DRAFT)
    _apply_fields(resource, fields)
    _log(resource, actor, "created")
    _event("library.created", resource, actor)
    return resource


@transaction.atomic
def update_resource(*, actor, resource: Resource, **fields) -> Resource:
    """Change the working copy; a published resource goes back to draft until it is reviewed.

    Readers keep seeing the current version meanwhile.
    """
    _lock(resource)
    if not permissions.can_edit_resource(actor, resource):
        raise PermissionDenied(_("You cannot edit this resource now."))
    fields = _clean_fields(fields)
    before = resource.state
    resource.state = State.DRAFT
    _apply_fields(resource, fields)
    _log(resource, actor, "edited", from_state=before)
    # Published even for drafts: search indexes a draft's working copy for its workers.
    _event("library.edited", resource, actor)
    return resource


@transaction.atomic
def set_next_review(*, actor, resource: Resource, next_review_at: datetime.date) -> Resource:
    """Move a resource's next review date."""
    if not permissions.can_edit_resource(actor, resource) or not resource.is_public:
        raise PermissionDenied(_("You cannot change this resource's review date."))
    if next_review_at <= timezone.localdate():
        raise ValidationError({"next_review_at": _("Choose a date in the future.")})
    resource.next_review_at = next_review_at
    resource.save(update_fields=["next_review_at"])
    _log(resource, actor, "review_date_set", detail=next_review_at.isoformat())
    return resource


# --- Curation from threads -------------------------------------------------------------------


@transaction.atomic
def curate_thread(
    *, actor, thread: Thread, post_ids: Iterable[int] | None = None, title: str = ""
) -> Resource:
    """Turn a thread, or chosen posts of it, into a draft resource quoting them.

    Each author other than the curator is proposed as a co-producer and asked to consent.
    Only published, undeleted posts are quoted.
    """
    if not permissions.can_curate_thread(actor, thread):
        raise PermissionDenied(_("Only moderators can turn threads into library resources."))
    posts = thread.posts.filter(status=Status.PUBLISHED, deleted_at__isnull=True)
    if post_ids is not None:
        post_ids = list(post_ids)
        posts = posts.filter(pk__in=post_ids)
    posts = list(posts.select_related("author").order_by("number"))
    if not posts:
        raise ValidationError({"posts": _("Choose at least one published post to quote.")})
    region = thread.space.region
    resource = Resource(
        owner=actor,
        state=State.DRAFT,
        type=Resource.Type.CO_PRODUCED,
        evidence_type=Resource.EvidenceType.PRACTICE,
        is_national=region is None,
        source_thread=thread,
    )
    fields = _clean_fields(
        {
            "title": title or thread.title,
            "summary": _("Curated from the network conversation “%(title)s”.")
            % {"title": thread.title},
            "source": _(
                "This resource gathers what members shared in a network conversation. "
                "Edit this introduction to say what it is, why it matters to families "
                "and how to do it."
            ),
            "topics": [thread.topic],
            "regions": [region] if region else [],
            "tags": list(thread.tags.names()),
        }
    )
    _apply_fields(resource, fields)
    credits: dict[int, Credit] = {}
    now = timezone.now()
    for position, post in enumerate(posts):
        author = post.author
        if author.pk not in credits:
            # The curator needs no asking, nor does an adult whose standing choice is yes;
            # a standing no keeps their name off while they are asked about their words.
            standing = permissions.standing_credit_choice(author)
            agreed = author.pk == actor.pk or (standing is True and not author.is_minor)
            credits[author.pk] = Credit.objects.create(
                resource=resource,
                user=author,
                role=CREDIT_ROLE_FOR_USER_ROLE.get(author.role, Credit.Role.PRACTITIONER),
                consent=Credit.Consent.GIVEN if agreed else Credit.Consent.PENDING,
                responded_at=now if agreed else None,
                credit_withdrawn_at=now if standing is False and not agreed else None,
            )
        resource.contributions.create(
            credit=credits[author.pk], post=post, source=post.source, position=position
        )
    _render_working_copy(resource)
    _log(
        resource,
        actor,
        "curated",
        detail=_("From thread %(id)d, posts %(numbers)s")
        % {"id": thread.pk, "numbers": ", ".join(str(p.number) for p in posts)},
    )
    pending = [c.pk for c in credits.values() if c.consent == Credit.Consent.PENDING]
    _event("library.curated", resource, actor, thread_id=thread.pk, credit_ids=pending)
    return resource


@transaction.atomic
def answer_credit(*, actor, credit: Credit, consent: bool) -> Credit:
    """Record whether a proposed co-producer agrees to be credited and quoted."""
    if not permissions.can_answer_credit(actor, credit):
        raise PermissionDenied(_("Only the person credited can answer."))
    credit.consent = Credit.Consent.GIVEN if consent else Credit.Consent.DECLINED
    credit.responded_at = timezone.now()
    if consent:
        credit.credit_withdrawn_at = None
        credit.words_withdrawn_at = None
    credit.save()
    resource = credit.resource
    _refresh_after_credit_change(resource)
    _log(resource, actor, "consent_given" if consent else "consent_declined")
    _event("library.credit_answered", resource, actor, credit_id=credit.pk, consent=consent)
    return credit


@transaction.atomic
def withdraw_credit(*, actor, credit: Credit) -> Credit:
    """Take a contributor's name off the resource; their words stay, attributed to their role."""
    if not permissions.can_answer_credit(actor, credit):
        raise PermissionDenied(_("Only the person credited can withdraw their credit."))
    credit.credit_withdrawn_at = timezone.now()
    credit.save(update_fields=["credit_withdrawn_at"])
    _refresh_after_credit_change(credit.resource)
    _log(credit.resource, actor, "credit_withdrawn")
    _event("library.credit_withdrawn", credit.resource, actor, credit_id=credit.pk)
    return credit


@transaction.atomic
def apply_standing_credit_choice(*, member, granted: bool) -> list[Resource]:
    """Carry a member's standing choice about being credited by name into every resource.

    No: their name comes off every resource at once (their words stay, attributed to their
    role), as if they had withdrawn it from each. Yes: an adult's unanswered requests count as
    agreed; a child still answers for each resource. Returns the resources changed.
    """
    now = timezone.now()
    credits = Credit.objects.select_related("resource", "user").filter(user=member)
    if granted:
        if member.is_minor:
            return []
        changed = list(credits.filter(consent=Credit.Consent.PENDING))
        for credit in changed:
            credit.consent, credit.responded_at = Credit.Consent.GIVEN, now
            credit.credit_withdrawn_at = None
            credit.save(update_fields=["consent", "responded_at", "credit_withdrawn_at"])
        action = "consent_given"
    else:
        changed = list(credits.filter(credit_withdrawn_at__isnull=True))
        for credit in changed:
            credit.credit_withdrawn_at = now
            credit.save(update_fields=["credit_withdrawn_at"])
        action = "credit_withdrawn"
    resources = []
    for credit in changed:
        resource = _lock(credit.resource)
        _refresh_after_credit_change(resource)
        _log(resource, member, action, detail=_("Their standing choice on their privacy page"))
        event = "library.credit_answered" if granted else "library.credit_withdrawn"
        _event(event, resource, member, credit_id=credit.pk, consent=granted)
        resources.append(resource)
    return resources


@transaction.atomic
def withdraw_words(*, actor, credit: Credit) -> Credit:
    """Take a contributor's quoted words out of the current version and every future one."""
    if not permissions.can_answer_credit(actor, credit):
        raise PermissionDenied(_("Only the person credited can withdraw their words."))
    credit.words_withdrawn_at = timezone.now()
    credit.save(update_fields=["words_withdrawn_at"])
    _refresh_after_credit_change(credit.resource)
    _log(credit.resource, actor, "words_withdrawn")
    _event("library.words_withdrawn", credit.resource, actor, credit_id=credit.pk)
    return credit


# --- Review workflow -------------------------------------------------------------------------


@transaction.atomic
def submit_for_review(*, actor, resource: Resource, reviewers: Sequence) -> Resource:
    """Send the working copy to reviewers, starting a new round of review."""
    _lock(resource)
    if not permissions.can_submit_for_review(actor, resource):
        raise PermissionDenied(_("You cannot send this resource for review now."))
    reviewers = list(dict.fromkeys(reviewers))
    if not reviewers:
        raise ValidationError({"reviewers": _("Choose at least one reviewer.")})
    if any(r.pk == resource.owner_id for r in reviewers):
        raise ValidationError({"reviewers": _("The owner cannot review their own resource.")})
    eligible = set(
        permissions.eligible_reviewers()
        .filter(pk__in=[r.pk for r in reviewers])
        .values_list("pk", flat=True)
    )
    if len(eligible) != len(reviewers):
        raise ValidationError(
            {"reviewers": _("Reviewers must be moderators, staff, experts or verified.")}
        )
    before = resource.state
    resource.state = State.IN_REVIEW
    resource.review_round += 1
    resource.save(update_fields=["state", "review_round"])
    resource.reviewers.set(reviewers)
    resource._reviewer_ids = {r.pk for r in reviewers}
    _log(
        resource,
        actor,
        "submitted",
        from_state=before,
        detail=", ".join(r.display_name or r.username for r in reviewers),
    )
    _event("library.submitted", resource, actor, reviewer_ids=[r.pk for r in reviewers])
    return resource


@transaction.atomic
def review_resource(*, actor, resource: Resource, approve: bool, comment: str = "") -> Resource:
    """Record a reviewer's decision; asking for changes sends the resource back to draft."""
    _lock(resource)
    if not permissions.can_review(actor, resource):
        raise PermissionDenied(_("You are not reviewing this resource."))
    comment = (comment or "").strip()
    if not approve and len(comment) < 5:
        raise ValidationError({"comment": _("Say what needs to change.")})
    if len(comment) > 4000:
        raise ValidationError({"comment": _("Keep comments under 4,000 characters.")})
    ReviewDecision.objects.create(
        resource=resource,
        reviewer=actor,
        round=resource.review_round,
        decision=(
            ReviewDecision.Decision.APPROVED
            if approve
            else ReviewDecision.Decision.CHANGES_REQUESTED
        ),
        comment=comment,
    )
    before = resource.state
    if not approve:
        resource.state = State.DRAFT
        resource.save(update_fields=["state"])
    _log(
        resource,
        actor,
        "approved" if approve else "changes_requested",
        from_state=before,
        detail=comment,
    )
    _event("library.reviewed", resource, actor, approved=approve)
    return resource


def awaiting_approval(resource: Resource) -> list:
    """Reviewers of the current round who have not approved (their latest word is not yes)."""
    latest: dict[int, str] = {}
    for reviewer_id, decision in (
        resource.decisions.filter(round=resource.review_round)
        .order_by("created_at", "pk")
        .values_list("reviewer_id", "decision")
    ):
        latest[reviewer_id] = decision
    return [
        r for r in resource.reviewers.all() if latest.get(r.pk) != ReviewDecision.Decision.APPROVED
    ]


@transaction.atomic
def publish_resource(*, actor, resource: Resource, change_note: str = "") -> Resource:
    """Publish the approved working copy: a new version if anything changed, and a new review date."""
    _lock(resource)
    if not permissions.can_publish(actor, resource):
        raise PermissionDenied(_("You cannot publish this resource now."))
    if awaiting_approval(resource):
        raise ValidationError(_("Every reviewer must approve before the resource is published."))
    contributions = working_contributions(resource)
    current = resource.current_version
    changed = current is None or (
        (current.title, current.summary, current.source, current.contributions)
        != (resource.title, resource.summary, resource.source, contributions)
    )
    now = timezone.now()
    before = resource.state
    if changed:
        number = (current.number if current else 0) + 1
        version = ResourceVersion.objects.create(
            resource=resource,
            number=number,
            title=resource.title,
            summary=resource.summary,
            source=resource.source,
            contributions=contributions,
            html=compose_html(resource.source, contributions),
            change_note=(change_note or "").strip()[:300],
            published_by=actor,
            published_at=now,
        )
        resource.current_version = version
    resource.state = State.PUBLISHED
    resource.published_at = resource.published_at or now
    resource.last_reviewed_at = now
    resource.next_review_at = add_months(timezone.localdate(), resource.review_interval_months)
    resource.archived_reason = ""
    resource.save()
    number = resource.current_version.number
    _log(
        resource,
        actor,
        "published" if changed else "republished",
        from_state=before,
        detail=_("Version %(n)d") % {"n": number},
    )
    _event("library.published", resource, actor, version=number, new_version=changed)
    return resource


@transaction.atomic
def archive_resource(*, actor, resource: Resource, reason: str) -> Resource:
    """Archive a resource with a reason; readers still find it, under a banner."""
    _lock(resource)
    if not permissions.can_archive(actor, resource):
        raise PermissionDenied(_("You cannot archive this resource."))
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError({"reason": _("Say why the resource is archived.")})
    before = resource.state
    resource.state = State.ARCHIVED
    resource.archived_reason = reason[:2000]
    resource.save(update_fields=["state", "archived_reason"])
    _log(resource, actor, "archived", from_state=before, detail=reason)
    _event("library.archived", resource, actor)
    return resource


@transaction.atomic
def unarchive_resource(*, actor, resource: Resource, reason: str = "") -> Resource:
    """Bring an archived resource back: published again if it has a version, else a draft.

    A resource whose review date passed while it was archived comes back as due for review.
    """
    _lock(resource)
    if not permissions.can_unarchive(actor, resource):
        raise PermissionDenied(_("You cannot bring this resource back from the archive."))
    before = resource.state
    if resource.current_version_id is None:
        resource.state = State.DRAFT
    elif resource.next_review_at and resource.next_review_at <= timezone.localdate():
        resource.state = State.REVIEW_DUE
    else:
        resource.state = State.PUBLISHED
    resource.archived_reason = ""
    resource.save(update_fields=["state", "archived_reason"])
    _log(resource, actor, "unarchived", from_state=before, detail=(reason or "").strip()[:2000])
    _event("library.unarchived", resource, actor)
    return resource


@transaction.atomic
def mark_due_resources(*, today: datetime.date | None = None) -> list[int]:
    """Mark published resources whose review date has come as review due, and tell their people."""
    today = today or timezone.localdate()
    due = list(
        Resource.objects.select_for_update().filter(
            state=State.PUBLISHED, next_review_at__lte=today
        )
    )
    for resource in due:
        resource.state = State.REVIEW_DUE
        resource.save(update_fields=["state"])
        _log(resource, None, "review_due", from_state=State.PUBLISHED)
        _event("library.review_due", resource, None)
    return [r.pk for r in due]


# --- Readers ---------------------------------------------------------------------------------


@transaction.atomic
def rate_resource(*, actor, resource: Resource, useful: bool) -> UsefulnessRating:
    """Record whether a reader found the resource useful; a second answer replaces the first."""
    if not permissions.can_rate(actor, resource):
        raise PermissionDenied(_("You cannot rate this resource."))
    rating, _created = UsefulnessRating.objects.update_or_create(
        resource=resource, user=actor, defaults={"useful": useful}
    )
    counts = UsefulnessRating.objects.filter(resource=resource).aggregate(
        total=Count("pk"), useful=Count("pk", filter=Q(useful=True))
    )
    Resource.objects.filter(pk=resource.pk).update(
        rating_count=counts["total"], useful_count=counts["useful"]
    )
    resource.rating_count, resource.useful_count = counts["total"], counts["useful"]
    # The lists show the counts: their pages (shared or cached) start afresh after it.
    _event("library.rated", resource, actor)
    return rating


@transaction.atomic
def leave_feedback(*, actor, resource: Resource, text: str) -> Feedback:
    """Leave feedback for the resource's owner and reviewers."""
    if not permissions.can_rate(actor, resource):
        raise PermissionDenied(_("You cannot leave feedback on this resource."))
    text = (text or "").strip()
    if not FEEDBACK_MIN_LENGTH <= len(text) <= FEEDBACK_MAX_LENGTH:
        raise ValidationError({"text": _("Write 5 to 4,000 characters of feedback.")})
    feedback = Feedback.objects.create(
        resource=resource,
        user=actor,
        text=text,
        version_number=resource.current_version.number if resource.current_version else None,
    )
    Resource.objects.filter(pk=resource.pk).update(feedback_count=F("feedback_count") + 1)
    _event("library.feedback", resource, actor, feedback_id=feedback.pk)
    return feedback
