"""Reads for SupportLine's pages: each a fixed number of queries, starting from the
visibility rule."""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.utils import timezone

from community.forum.models import Topic

from . import permissions
from .models import (
    AvailabilitySlot,
    CaseEvent,
    CaseMessage,
    ConsultationRequest,
    ExpertProfile,
    SatisfactionSurvey,
    Theme,
)
from .workdays import LONDON, working_days_between

Status = ConsultationRequest.Status
QUEUE_PAGE_SIZE = 50


def _cases(viewer) -> QuerySet[ConsultationRequest]:
    return (
        permissions.visible_cases(viewer)
        .select_related("requester", "region", "local_authority", "owner", "assigned_expert")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
    )


def visible_case(*, viewer, reference: str) -> ConsultationRequest | None:
    """The case, if this viewer may see it; None (a 404) for anyone else or no such case."""
    return _cases(viewer).select_related("booked_slot").filter(reference=reference).first()


@dataclass
class CasePage:
    case: ConsultationRequest
    messages: list[CaseMessage]
    events: list[CaseEvent]
    free_slots: list[AvailabilitySlot] = field(default_factory=list)
    experts: list[ExpertProfile] = field(default_factory=list)
    survey: SatisfactionSurvey | None = None


def case_messages(case: ConsultationRequest) -> list[CaseMessage]:
    return list(case.messages.select_related("author").order_by("created_at", "pk"))


def free_slots(case: ConsultationRequest) -> list[AvailabilitySlot]:
    """The assigned expert's future times that nobody has booked."""
    if not case.assigned_expert_id:
        return []
    return list(
        AvailabilitySlot.objects.filter(
            expert_id=case.assigned_expert_id,
            starts_at__gt=timezone.now(),
            case__isnull=True,
        ).order_by("starts_at")[:30]
    )


def experts_for(case: ConsultationRequest) -> list[ExpertProfile]:
    """Active experts covering at least one of the case's topics, with what they cover."""
    topic_ids = {t.pk for t in case.topics.all()}
    experts = list(
        ExpertProfile.objects.filter(is_active=True, specialisms__in=topic_ids)
        .select_related("user")
        .prefetch_related("specialisms")
        .distinct()
    )
    for expert in experts:
        expert.matching = ", ".join(t.name for t in expert.specialisms.all() if t.pk in topic_ids)
    return experts


def case_page(*, viewer, case: ConsultationRequest) -> CasePage:
    """Everything the case page shows this viewer (the case is already known to be visible)."""
    page = CasePage(
        case=case,
        messages=case_messages(case),
        events=list(case.events.select_related("actor").order_by("created_at", "pk")),
        survey=SatisfactionSurvey.objects.filter(case=case).first()
        if case.status == Status.CLOSED
        else None,
    )
    if case.status == Status.ASSIGNED and permissions.can_book(viewer, case):
        page.free_slots = free_slots(case)
    if permissions.can_assign(viewer, case):
        page.experts = experts_for(case)
    return page


def my_requests(*, viewer) -> list[ConsultationRequest]:
    """The viewer's own requests, newest first."""
    if not viewer.is_authenticated:
        return []
    return list(
        ConsultationRequest.objects.filter(requester=viewer)
        .select_related("region", "assigned_expert", "booked_slot")
        .order_by("-created_at")
    )


def expert_cases(*, viewer) -> list[ConsultationRequest]:
    if not viewer.is_authenticated:
        return []
    return list(
        permissions.cases_experts_may_work_on(
            ConsultationRequest.objects.filter(assigned_expert=viewer)
        )
        .select_related("region", "booked_slot")
        .order_by("-last_activity_at")
    )


def triage_queue(*, viewer, filters: dict, page: int = 1) -> tuple[list[ConsultationRequest], bool]:
    """Cases for SupportLine staff: new ones first, then by first-response deadline."""
    qs = _cases(viewer)
    status = filters.get("status") or ""
    if status == "all":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=ConsultationRequest.OPEN_STATUSES)
    if filters.get("region"):
        qs = qs.filter(region=filters["region"])
    if filters.get("topic"):
        qs = qs.filter(topics=filters["topic"])
    if filters.get("stage"):
        qs = qs.filter(stage=filters["stage"])
    if filters.get("urgency"):
        qs = qs.filter(urgency=filters["urgency"])
    qs = qs.annotate(
        is_new=Case(
            When(status=Status.NEW, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("is_new", "first_response_due_at", "pk")
    start = (max(page, 1) - 1) * QUEUE_PAGE_SIZE
    rows = list(qs[start : start + QUEUE_PAGE_SIZE + 1])
    now = timezone.now()
    for case in rows:
        case.overdue = case.is_overdue(now)
    return rows[:QUEUE_PAGE_SIZE], len(rows) > QUEUE_PAGE_SIZE


def expert_slots(*, expert) -> list[AvailabilitySlot]:
    return list(
        AvailabilitySlot.objects.filter(expert=expert, ends_at__gt=timezone.now())
        .select_related("case")
        .order_by("starts_at")
    )


# The staff report ------------------------------------------------------------------------

REPORT_DIMENSIONS = {
    "region": "Region",
    "topic": "Topic",
    "stage": "Stage",
    "month": "Month",
}


@dataclass
class ReportRow:
    label: str
    requests: int = 0
    open: int = 0
    closed: int = 0
    declined: int = 0
    response_days: list[int] = field(default_factory=list)
    resolution_days: list[int] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)

    @property
    def median_response_days(self) -> float | None:
        return statistics.median(self.response_days) if self.response_days else None

    @property
    def median_resolution_days(self) -> float | None:
        return statistics.median(self.resolution_days) if self.resolution_days else None

    @property
    def average_rating(self) -> float | None:
        return round(statistics.mean(self.ratings), 1) if self.ratings else None


def _local_day(moment: datetime):
    return moment.astimezone(LONDON).date()


def report(*, viewer, by: str) -> list[ReportRow]:
    """Requests grouped by region, topic, stage or month, with median first-response and
    resolution times in working days. Three queries at any size."""
    if by not in REPORT_DIMENSIONS:
        raise ValueError(by)
    cases = list(
        permissions.visible_cases(viewer)
        .select_related("region", "survey")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("name")))
        .only(
            "status",
            "stage",
            "created_at",
            "first_responded_at",
            "closed_at",
            "region__name",
            "survey__rating",
        )
    )
    rows: dict[str, ReportRow] = {}
    for case in cases:
        if by == "region":
            labels = [case.region.name]
        elif by == "topic":
            labels = [t.name for t in case.topics.all()]
        elif by == "stage":
            labels = [str(case.get_stage_display())]
        else:
            labels = [timezone.localtime(case.created_at).strftime("%Y-%m")]
        for label in labels:
            row = rows.setdefault(label, ReportRow(label=label))
            row.requests += 1
            if case.status == Status.CLOSED:
                row.closed += 1
            elif case.status == Status.DECLINED:
                row.declined += 1
            else:
                row.open += 1
            created = _local_day(case.created_at)
            if case.first_responded_at:
                row.response_days.append(
                    working_days_between(created, _local_day(case.first_responded_at))
                )
            if case.status == Status.CLOSED and case.closed_at:
                row.resolution_days.append(
                    working_days_between(created, _local_day(case.closed_at))
                )
            survey = getattr(case, "survey", None)
            if survey is not None:
                row.ratings.append(survey.rating)
    ordered = sorted(rows.values(), key=lambda r: r.label)
    return ordered


def _fmt(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def report_csv(rows: list[ReportRow], *, by: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            REPORT_DIMENSIONS[by],
            "Requests",
            "Open",
            "Closed",
            "Declined",
            "Median working days to first response",
            "Median working days to close",
            "Average satisfaction (1-5)",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.label,
                r.requests,
                r.open,
                r.closed,
                r.declined,
                _fmt(r.median_response_days),
                _fmt(r.median_resolution_days),
                _fmt(r.average_rating),
            ]
        )
    return out.getvalue()


def themes() -> list[Theme]:
    return list(
        Theme.objects.prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name"))
        ).order_by("-created_at")
    )


def themes_csv(items: list[Theme]) -> str:
    """The anonymised themes, for seeding a library resource or an event: no personal data."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Title", "Summary", "Topics", "Stage", "Closed cases", "Could seed", "Written"]
    )
    for t in items:
        writer.writerow(
            [
                t.title,
                t.summary,
                "; ".join(topic.name for topic in t.topics.all()),
                t.get_stage_display() if t.stage else "",
                t.case_count,
                t.get_suggested_use_display(),
                timezone.localtime(t.created_at).strftime("%Y-%m"),
            ]
        )
    return out.getvalue()


def closed_case_count() -> int:
    return ConsultationRequest.objects.filter(status=Status.CLOSED).count()


@dataclass
class HelpfulExpert:
    member: object
    accepted_answers: int


def most_helpful_experts(*, viewer, limit: int = 5) -> list[HelpfulExpert]:
    """SupportLine experts ranked by their replies accepted as answers, in threads this viewer
    may read (so a private group's answers are counted only for its members). Two queries."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from community.forum import permissions as forum_permissions
    from community.forum.models import Status as PostStatus

    rows = list(
        forum_permissions.visible_threads(viewer)
        .filter(
            accepted_answer__author__expert_profile__is_active=True,
            accepted_answer__status=PostStatus.PUBLISHED,
            accepted_answer__deleted_at__isnull=True,
        )
        .order_by()
        .values("accepted_answer__author")
        .annotate(n=Count("pk"))
        .order_by("-n", "accepted_answer__author")[:limit]
    )
    members = get_user_model().objects.in_bulk([r["accepted_answer__author"] for r in rows])
    return [
        HelpfulExpert(members[r["accepted_answer__author"]], r["n"])
        for r in rows
        if r["accepted_answer__author"] in members
    ]


def accepted_answer_count(*, viewer, expert) -> int:
    """How many of this expert's replies were accepted as answers, in threads the viewer reads."""
    from community.forum import permissions as forum_permissions
    from community.forum.models import Status as PostStatus

    return (
        forum_permissions.visible_threads(viewer)
        .filter(
            accepted_answer__author=expert,
            accepted_answer__status=PostStatus.PUBLISHED,
            accepted_answer__deleted_at__isnull=True,
        )
        .count()
    )
