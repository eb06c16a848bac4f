"""Every change to a SupportLine case: checked, written in one transaction, logged in the
case's audit trail and published (notifications and emails follow from the events)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from community.events import publish_on_commit
from community.markup import render

from . import emails, permissions
from .models import (
    AvailabilitySlot,
    CaseEvent,
    CaseMessage,
    ConsultationRequest,
    ExpertProfile,
    ReferenceSequence,
    SatisfactionSurvey,
    Theme,
)
from .workdays import due_by

Status = ConsultationRequest.Status
REQUEST_FIELDS = (
    "organisation",
    "local_authority",
    "region",
    "stage",
    "question",
    "urgency",
    "preferred_contact",
    "contact_phone",
    "preferred_times",
)


# Said wherever a young person is turned away; the page they see says where to get help.
NOT_FOR_YOUNG_PEOPLE = _lazy(
    "SupportLine is for adults who work with or for family hubs, so it cannot take requests "
    "from anyone under 18."
)


def first_response_days() -> int:
    return getattr(settings, "SUPPORTLINE_FIRST_RESPONSE_WORKING_DAYS", 2)


def _next_reference(now: datetime) -> str:
    """SL-<year>-<five digits>, counted per year; the row lock keeps numbers unique."""
    year = timezone.localtime(now).year
    ReferenceSequence.objects.get_or_create(year=year)
    ReferenceSequence.objects.filter(year=year).update(last=F("last") + 1)
    number = ReferenceSequence.objects.values_list("last", flat=True).get(year=year)
    return f"SL-{year}-{number:05d}"


def _log(
    case: ConsultationRequest,
    *,
    actor,
    kind: str,
    from_status: str = "",
    note: str = "",
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=case.status,
        note=note,
    )
    publish_on_commit(
        {
            "type": "supportline.case_changed",
            "case_id": case.pk,
            "case_event_id": event.pk,
            "kind": kind,
            "actor_id": actor.pk if actor else None,
            "status": case.status,
        }
    )
    return event


def _locked(case: ConsultationRequest) -> ConsultationRequest:
    """The case row, locked for this transaction and read afresh, so two staff acting at
    once cannot both move it from the same status."""
    return (
        ConsultationRequest.objects.select_for_update(of=("self",))
        .select_related("requester", "assigned_expert", "owner", "booked_slot")
        .get(pk=case.pk)
    )


@transaction.atomic
def submit_request(
    *, requester, data: dict, topics: Iterable, via_invitation: bool = False
) -> ConsultationRequest:
    """File a consultation request with a reference number, and confirm it to the requester."""
    if not (requester and requester.is_authenticated):
        raise PermissionDenied(_("Sign in to ask SupportLine."))
    if not permissions.can_request_consultation(requester):
        raise PermissionDenied(NOT_FOR_YOUNG_PEOPLE)
    topics = list(topics)
    if not topics:
        raise ValidationError(_("Choose at least one topic."))
    now = timezone.now()
    fields = {name: data[name] for name in REQUEST_FIELDS if name in data}
    case = ConsultationRequest(
        requester=requester,
        reference=_next_reference(now),
        created_at=now,
        last_activity_at=now,
        first_response_due_at=due_by(now, first_response_days()),
        via_invitation=via_invitation,
        **fields,
    )
    case.question_html = render(case.question).html
    case.full_clean(exclude=["topics", "question_html"])
    case.save()
    case.topics.set(topics)
    _log(case, actor=requester, kind=CaseEvent.Kind.SUBMITTED)
    publish_on_commit(
        {
            "type": "supportline.case_submitted",
            "case_id": case.pk,
            "requester_id": requester.pk,
            "reference": case.reference,
        }
    )
    return case


def _username_for(email: str) -> str:
    base = slugify(email.split("@", 1)[0])[:20] or "member"
    return f"{base}-{secrets.token_hex(3)}"


@transaction.atomic
def invite_and_submit(
    *, email: str, display_name: str, age_band: str, data: dict, topics: Iterable
) -> ConsultationRequest | None:
    """File a visitor's request under a new account they are invited to take up by email.

    If the address already has an account, nothing is filed: the address's owner is told to
    sign in and ask there, so nobody can attach a request to someone else's account. The
    caller shows the same page either way, so the form reveals no one's membership.
    """
    user_model = get_user_model()
    email = user_model.objects.normalize_email(email).strip()
    existing = user_model.objects.filter(email__iexact=email).values_list("email", flat=True)
    if existing:
        # Written to the address on the account, as the member spelt it.
        known = existing[0]
        transaction.on_commit(lambda: emails.send_existing_account_notice.enqueue(known))
        return None
    from allauth.account.models import EmailAddress

    user = user_model(
        email=email,
        username=_username_for(email),
        display_name=display_name,
        organisation=data.get("organisation", ""),
        local_authority=data.get("local_authority"),
        home_region=data.get("region"),
        age_band=age_band,
    )
    if age_band not in user_model.AgeBand.values or not permissions.can_request_consultation(user):
        raise ValidationError(NOT_FOR_YOUNG_PEOPLE)
    # No password until they take up the invitation; the email link proves the address.
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same address, submitted twice at once
        return None
    address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    case = submit_request(requester=user, data=data, topics=topics, via_invitation=True)
    transaction.on_commit(lambda: emails.send_invitation.enqueue(address.pk, case.pk))
    return case


@transaction.atomic
def take_case(*, case: ConsultationRequest, actor) -> ConsultationRequest:
    """Make the acting staff member the case's owner (the one reminded if it runs late)."""
    case = _locked(case)
    if not permissions.can_take(actor, case):
        raise PermissionDenied(_("Only SupportLine staff can take an open case."))
    case.owner = actor
    case.save(update_fields=["owner"])
    _log(case, actor=actor, kind=CaseEvent.Kind.TAKEN, from_status=case.status)
    return case


def _respond(case: ConsultationRequest, now: datetime) -> list[str]:
    if case.first_responded_at is None:
        case.first_responded_at = now
        return ["first_responded_at"]
    return []


@transaction.atomic
def triage_case(*, case: ConsultationRequest, actor, note: str = "") -> ConsultationRequest:
    """Accept a new request for consultation: it counts as the first response."""
    case = _locked(case)
    if not permissions.can_triage(actor, case):
        raise PermissionDenied(_("Only a new request can be triaged, by SupportLine staff."))
    now = timezone.now()
    previous = case.status
    case.status = Status.TRIAGED
    case.owner = case.owner or actor
    case.last_activity_at = now
    changed = ["status", "owner", "last_activity_at", *_respond(case, now)]
    case.save(update_fields=changed)
    _log(case, actor=actor, kind=CaseEvent.Kind.TRIAGED, from_status=previous, note=note.strip())
    return case


def matching_experts(case: ConsultationRequest):
    """Active experts with at least one specialism among the case's topics."""
    topic_ids = [t.pk for t in case.topics.all()]
    return (
        ExpertProfile.objects.filter(is_active=True, specialisms__in=topic_ids)
        .select_related("user")
        .distinct()
    )


@transaction.atomic
def assign_expert(*, case: ConsultationRequest, actor, expert) -> ConsultationRequest:
    """Give a triaged case to an expert whose specialisms cover one of its topics."""
    case = _locked(case)
    if not permissions.can_assign(actor, case):
        raise PermissionDenied(_("Only a triaged case can be assigned, by SupportLine staff."))
    if not matching_experts(case).filter(user=expert).exists():
        raise ValidationError(_("Choose an expert who specialises in one of the case's topics."))
    previous = case.status
    case.status = Status.ASSIGNED
    case.assigned_expert = expert
    case.last_activity_at = timezone.now()
    case.save(update_fields=["status", "assigned_expert", "last_activity_at"])
    _log(
        case,
        actor=actor,
        kind=CaseEvent.Kind.ASSIGNED,
        from_status=previous,
        note=expert.display_name,
    )
    return case


@transaction.atomic
def decline_case(*, case: ConsultationRequest, actor, reason: str) -> ConsultationRequest:
    """Decline the request, telling the requester why."""
    case = _locked(case)
    if not permissions.can_decline(actor, case):
        raise PermissionDenied(_("This case cannot be declined now."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the requester a reason."))
    now = timezone.now()
    previous = case.status
    case.status = Status.DECLINED
    case.decline_reason = reason
    case.closed_at = now
    case.last_activity_at = now
    case.owner = case.owner or actor
    changed = ["status", "decline_reason", "closed_at", "last_activity_at", "owner"]
    case.save(update_fields=changed + _respond(case, now))
    _log(case, actor=actor, kind=CaseEvent.Kind.DECLINED, from_status=previous, note=reason)
    return case


@transaction.atomic
def book_slot(*, case: ConsultationRequest, actor, slot: AvailabilitySlot) -> ConsultationRequest:
    """Book one of the assigned expert's free future slots for the consultation."""
    case = _locked(case)
    if not permissions.can_book(actor, case):
        raise PermissionDenied(_("A slot can be booked once an expert is assigned."))
    slot = AvailabilitySlot.objects.select_for_update().filter(pk=slot.pk).first()
    if (
        slot is None
        or slot.expert_id != case.assigned_expert_id
        or slot.starts_at <= timezone.now()
        or ConsultationRequest.objects.filter(booked_slot=slot).exists()
    ):
        raise ValidationError(_("That time is no longer available: choose another."))
    previous = case.status
    case.status = Status.BOOKED
    case.booked_slot = slot
    case.last_activity_at = timezone.now()
    case.save(update_fields=["status", "booked_slot", "last_activity_at"])
    when = timezone.localtime(slot.starts_at).strftime("%A %-d %B %Y, %H:%M")
    _log(case, actor=actor, kind=CaseEvent.Kind.BOOKED, from_status=previous, note=when)
    return case


@transaction.atomic
def close_case(*, case: ConsultationRequest, actor, outcome: str) -> ConsultationRequest:
    """Close the case with its outcome; the requester is then asked for a short survey."""
    case = _locked(case)
    if not permissions.can_close(actor, case):
        raise PermissionDenied(_("This case cannot be closed now."))
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError(_("Record the outcome before closing."))
    now = timezone.now()
    previous = case.status
    case.status = Status.CLOSED
    case.outcome = outcome
    case.closed_at = now
    case.last_activity_at = now
    case.save(
        update_fields=["status", "outcome", "closed_at", "last_activity_at", *_respond(case, now)]
    )
    _log(case, actor=actor, kind=CaseEvent.Kind.CLOSED, from_status=previous, note=outcome)
    return case


@transaction.atomic
def post_message(*, case: ConsultationRequest, author, source: str) -> CaseMessage:
    """Add a message to the case conversation; a reply from the centre is a first response."""
    case = _locked(case)
    if not permissions.can_reply_to_case(author, case):
        raise PermissionDenied(_("This conversation is closed."))
    source = source.strip()
    if len(source) < 2:
        raise ValidationError(_("Write a message."))
    now = timezone.now()
    message = CaseMessage.objects.create(
        case=case, author=author, source=source, html=render(source).html, created_at=now
    )
    changed = ["message_count", "last_activity_at"]
    case.message_count = F("message_count") + 1
    case.last_activity_at = now
    if author.pk != case.requester_id:
        changed += _respond(case, now)
    case.save(update_fields=changed)
    publish_on_commit(
        {
            "type": "supportline.message_posted",
            "case_id": case.pk,
            "message_id": message.pk,
            "author_id": author.pk,
        }
    )
    return message


@transaction.atomic
def answer_survey(
    *, case: ConsultationRequest, actor, rating: int, would_recommend: bool, comments: str = ""
) -> SatisfactionSurvey:
    """Record the requester's satisfaction with a closed case (once)."""
    case = _locked(case)
    answered = SatisfactionSurvey.objects.filter(case=case).exists()
    if not permissions.can_answer_survey(actor, case, answered=answered):
        raise PermissionDenied(_("The survey is for the requester, once the case is closed."))
    survey = SatisfactionSurvey.objects.create(
        case=case, rating=rating, would_recommend=would_recommend, comments=comments.strip()
    )
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.SURVEYED,
        from_status=case.status,
        to_status=case.status,
    )
    return survey


@transaction.atomic
def remind_overdue_cases(*, now: datetime | None = None) -> list[ConsultationRequest]:
    """Remind the owners (or, for cases nobody has taken, all SupportLine staff) of open cases
    past their first-response deadline; at most once a day per case."""
    now = now or timezone.now()
    cases = list(
        ConsultationRequest.objects.select_for_update()
        .filter(
            status__in=ConsultationRequest.OPEN_STATUSES,
            first_responded_at__isnull=True,
            first_response_due_at__lt=now,
        )
        .exclude(last_reminded_at__gt=now - timedelta(hours=23))
    )
    for case in cases:
        case.last_reminded_at = now
        case.save(update_fields=["last_reminded_at"])
        _log(case, actor=None, kind=CaseEvent.Kind.REMINDED, from_status=case.status)
    return cases


@transaction.atomic
def add_slot(*, expert, starts_at: datetime, ends_at: datetime) -> AvailabilitySlot:
    """Offer a consultation time."""
    if not permissions.is_expert(expert):
        raise PermissionDenied(_("Only experts publish availability."))
    if ends_at <= starts_at:
        raise ValidationError(_("The end must be after the start."))
    if starts_at <= timezone.now():
        raise ValidationError(_("Offer a time in the future."))
    if ends_at - starts_at > timedelta(hours=4):
        raise ValidationError(_("A consultation slot can be at most 4 hours long."))
    overlapping = AvailabilitySlot.objects.filter(
        expert=expert, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if overlapping.exists():
        raise ValidationError(_("That overlaps a time you already offer."))
    return AvailabilitySlot.objects.create(expert=expert, starts_at=starts_at, ends_at=ends_at)


@transaction.atomic
def withdraw_slot(*, expert, slot: AvailabilitySlot) -> None:
    """Take back a time nobody has booked."""
    if slot.expert_id != expert.pk:
        raise PermissionDenied(_("That is not your slot."))
    if ConsultationRequest.objects.filter(booked_slot=slot).exists():
        raise ValidationError(_("That time is booked: talk to the requester in the case."))
    slot.delete()


# Personal data a theme must not carry: the same kinds the network detects in posts.
PERSONAL_DATA_PATTERNS = {
    _("an email address"): re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    _("a phone number"): re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b"),
    _("a postcode"): re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
    _("an NHS number"): re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b"),
    _("a SupportLine reference"): re.compile(r"\bSL-\d{4}-\d+\b", re.IGNORECASE),
}


def personal_data_in(text: str) -> list[str]:
    """What kinds of personal data (or case references) the text seems to contain."""
    return [str(label) for label, pattern in PERSONAL_DATA_PATTERNS.items() if pattern.search(text)]


@transaction.atomic
def create_theme(
    *,
    actor,
    title: str,
    summary: str,
    topics: Iterable,
    stage: str,
    case_count: int,
    suggested_use: str,
) -> Theme:
    """Record an anonymised theme drawn from closed cases."""
    if not permissions.is_supportline_staff(actor):
        raise PermissionDenied(_("Only SupportLine staff write themes."))
    found = personal_data_in(f"{title}\n{summary}")
    if found:
        raise ValidationError(
            _("Remove personal data before saving: the text seems to contain %(what)s.")
            % {"what": ", ".join(found)}
        )
    closed = ConsultationRequest.objects.filter(status=Status.CLOSED).count()
    if case_count < 1 or case_count > closed:
        raise ValidationError(
            _("A theme draws on between 1 and %(closed)d closed cases.") % {"closed": closed}
        )
    theme = Theme.objects.create(
        title=title.strip(),
        summary=summary.strip(),
        stage=stage,
        case_count=case_count,
        suggested_use=suggested_use,
        created_by=actor,
    )
    theme.topics.set(list(topics))
    return theme
