"""Who may see and change SupportLine cases.

A case is private to three kinds of people, and every read path (pages, message
fragments, calendar files, notifications, emails) asks `can_view_case` or
`visible_cases`:

- its requester;
- the expert assigned to it;
- SupportLine staff: superusers, and members with the centre staff role who are also in
  the "SupportLine staff" group (created by migration 0002, managed in the admin). Centre
  staff outside the group, and moderators, do not read cases: consultations can hold
  commercially or personally sensitive detail that general moderation has no need to see.

Anyone else gets a 404, never a 403, so a case's existence is not revealed.

SupportLine is for adults working with or for family hubs: nobody under 18 may ask it
(`can_request_consultation`, asked by every way a request is filed), and a case whose
requester is a child (one filed before that rule, or by a member whose age band was
corrected later) is never given to an expert: experts neither see, are assigned, message
nor meet such a case; only SupportLine staff handle it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .models import ConsultationRequest

SUPPORTLINE_GROUP = "SupportLine staff"
Status = ConsultationRequest.Status


def _is_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_request_consultation(member) -> bool:
    """The one rule for asking SupportLine: signed-in (or being invited) adults only.

    Asked by the member form, the visitor form (of the account it is about to create), the
    action every request goes through, and any future way in.
    """
    return bool(member is not None and member.is_authenticated and not member.is_minor)


def _expert_may_work_on(case: ConsultationRequest) -> bool:
    """An expert never works with a child: only adults' cases reach an expert."""
    return can_request_consultation(case.requester)


def _child_requester_q() -> Q:
    return Q(requester__age_band__in=list(get_user_model().MINOR_AGE_BANDS))


def cases_experts_may_work_on(qs: QuerySet[ConsultationRequest]) -> QuerySet[ConsultationRequest]:
    """The bulk form of the rule that an expert never works with a child."""
    return qs.exclude(_child_requester_q())


def is_supportline_staff(user) -> bool:
    """Superusers, or centre staff in the SupportLine staff group (one query per user object)."""
    if not _is_member(user):
        return False
    if user.is_superuser:
        return True
    if user.role != user.Role.STAFF:
        return False
    cached = getattr(user, "_supportline_staff", None)
    if cached is None:
        cached = user.groups.filter(name=SUPPORTLINE_GROUP).exists()
        user._supportline_staff = cached
    return cached


def is_expert(user) -> bool:
    """A member with an active expert profile (one query per user object)."""
    if not _is_member(user):
        return False
    cached = getattr(user, "_supportline_expert", None)
    if cached is None:
        from .models import ExpertProfile

        cached = ExpertProfile.objects.filter(user=user, is_active=True).exists()
        user._supportline_expert = cached
    return cached


def supportline_staff() -> QuerySet:
    """Every active SupportLine staff member: the bulk form of `is_supportline_staff`."""
    role = get_user_model().Role.STAFF
    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True) | Q(role=role, groups__name=SUPPORTLINE_GROUP), is_active=True
        )
        .distinct()
    )


def visible_cases(
    user, qs: QuerySet[ConsultationRequest] | None = None
) -> QuerySet[ConsultationRequest]:
    qs = ConsultationRequest.objects.all() if qs is None else qs
    if not _is_member(user):
        return qs.none()
    if is_supportline_staff(user):
        return qs
    return qs.filter(Q(requester=user) | (Q(assigned_expert=user) & ~_child_requester_q()))


def can_view_case(user, case: ConsultationRequest) -> bool:
    if not _is_member(user):
        return False
    if case.requester_id == user.pk:
        return True
    if case.assigned_expert_id == user.pk and _expert_may_work_on(case):
        return True
    return is_supportline_staff(user)


def viewers_of_case(case: ConsultationRequest) -> QuerySet:
    """Every active member who may read this case: for notifying with one query."""
    people = [case.requester_id]
    if case.assigned_expert_id and _expert_may_work_on(case):
        people.append(case.assigned_expert_id)
    role = get_user_model().Role.STAFF
    return (
        get_user_model()
        .objects.filter(
            Q(pk__in=people) | Q(is_superuser=True) | Q(role=role, groups__name=SUPPORTLINE_GROUP),
            is_active=True,
        )
        .distinct()
    )


def can_reply_to_case(user, case: ConsultationRequest) -> bool:
    return can_view_case(user, case) and case.is_open


def can_triage(user, case: ConsultationRequest) -> bool:
    return is_supportline_staff(user) and case.status == Status.NEW


def can_take(user, case: ConsultationRequest) -> bool:
    return is_supportline_staff(user) and case.is_open and case.owner_id != user.pk


def can_assign(user, case: ConsultationRequest) -> bool:
    return (
        is_supportline_staff(user) and case.status == Status.TRIAGED and _expert_may_work_on(case)
    )


def can_decline(user, case: ConsultationRequest) -> bool:
    return is_supportline_staff(user) and case.status in (
        Status.NEW,
        Status.TRIAGED,
        Status.ASSIGNED,
    )


def can_book(user, case: ConsultationRequest) -> bool:
    """The requester picks a slot; staff may book one on their behalf."""
    if case.status != Status.ASSIGNED or not _is_member(user) or not _expert_may_work_on(case):
        return False
    return case.requester_id == user.pk or is_supportline_staff(user)


def can_close(user, case: ConsultationRequest) -> bool:
    if case.status not in (Status.TRIAGED, Status.ASSIGNED, Status.BOOKED):
        return False
    return is_supportline_staff(user) or (
        _is_member(user) and case.assigned_expert_id == user.pk and _expert_may_work_on(case)
    )


def can_answer_survey(user, case: ConsultationRequest, *, answered: bool) -> bool:
    return (
        _is_member(user)
        and case.requester_id == user.pk
        and case.status == Status.CLOSED
        and not answered
    )


def can_download_invitation(user, case: ConsultationRequest) -> bool:
    return can_view_case(user, case) and case.booked_slot_id is not None
