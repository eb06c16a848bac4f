"""Reads for the event pages: each a fixed number of queries whatever the data size."""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from community.accounts.models import Region, User

from . import permissions
from .models import LONDON, Event, Material, Proposal, Registration, Support

UPCOMING_LIMIT = 50
PAST_PER_PAGE = 30


def _base(viewer) -> QuerySet[Event]:
    return permissions.visible_events(viewer).select_related("region").prefetch_related("topics")


def _attach_my_status(viewer, events: list[Event]) -> None:
    """Mark each event with the viewer's registration status, in one query."""
    mine = {}
    if viewer.is_authenticated and events:
        mine = dict(
            Registration.objects.filter(user=viewer, event__in=[e.pk for e in events])
            .exclude(status=Registration.Status.CANCELLED)
            .values_list("event_id", "status")
        )
    for event in events:
        event.my_status = mine.get(event.pk)


def upcoming_events(
    *, viewer, region: Region | None = None, topic=None, national: bool = False
) -> list[Event]:
    """Events still to finish, soonest first, cut by region or topic."""
    qs = _base(viewer).filter(ends_at__gt=timezone.now())
    if national:
        qs = qs.filter(region__isnull=True)
    elif region is not None:
        qs = qs.filter(region=region)
    if topic is not None:
        qs = qs.filter(topics=topic)
    events = list(qs.order_by("starts_at", "pk")[:UPCOMING_LIMIT])
    _attach_my_status(viewer, events)
    return events


def past_events(*, viewer, page: int = 1) -> tuple[list[Event], bool]:
    start = (max(page, 1) - 1) * PAST_PER_PAGE
    rows = list(
        _base(viewer)
        .filter(ends_at__lte=timezone.now())
        .order_by("-starts_at", "-pk")[start : start + PAST_PER_PAGE + 1]
    )
    return rows[:PAST_PER_PAGE], len(rows) > PAST_PER_PAGE


def my_events(*, viewer) -> list[Event]:
    events = list(
        _base(viewer)
        .filter(
            registrations__user=viewer,
            registrations__status__in=[
                Registration.Status.CONFIRMED,
                Registration.Status.WAITLISTED,
            ],
            ends_at__gt=timezone.now() - timedelta(days=30),
        )
        .order_by("starts_at", "pk")
    )
    _attach_my_status(viewer, events)
    return events


@dataclass
class Day:
    date: date
    in_month: bool
    events: list[Event] = field(default_factory=list)


@dataclass
class Month:
    year: int
    month: int
    weeks: list[list[Day]]

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)


def month_calendar(*, viewer, year: int, month: int) -> Month:
    """The weeks of a month (Monday first), each day with the events starting that day in
    London time."""
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        raise Http404("No such month")
    weeks_of_dates = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first_day, last_day = weeks_of_dates[0][0], weeks_of_dates[-1][-1]
    # Midnight in London, whichever side of the clocks changing each end falls.
    start = datetime.combine(first_day, time.min, tzinfo=LONDON)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=LONDON)
    events = list(
        _base(viewer).filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "pk")
    )
    by_day: dict[date, list[Event]] = defaultdict(list)
    for event in events:
        by_day[event.starts_local.date()].append(event)
    weeks = [
        [Day(date=d, in_month=d.month == month, events=by_day.get(d, [])) for d in week]
        for week in weeks_of_dates
    ]
    return Month(year=year, month=month, weeks=weeks)


@dataclass
class EventPage:
    event: Event
    registration: Registration | None
    materials: list[Material]
    my_feedback: bool


def get_event(*, viewer, event_id: int) -> Event:
    event = _base(viewer).select_related("discussion_thread").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event")
    return event


def event_page(*, viewer, event_id: int) -> EventPage:
    event = get_event(viewer=viewer, event_id=event_id)
    registration = None
    my_feedback = False
    if viewer.is_authenticated:
        registration = Registration.objects.filter(event=event, user=viewer).first()
        if registration and registration.status == Registration.Status.CANCELLED:
            registration = None
        my_feedback = event.feedback.filter(user=viewer).exists() if event.is_past else False
    if registration and registration.status == Registration.Status.WAITLISTED:
        registration.position = (
            Registration.objects.filter(
                event=event,
                status=Registration.Status.WAITLISTED,
                queued_at__lt=registration.queued_at,
            ).count()
            + 1
        )
    return EventPage(
        event=event,
        registration=registration,
        materials=list(event.materials.select_related("resource")),
        my_feedback=my_feedback,
    )


def registrations_for_staff(*, event: Event) -> list[Registration]:
    return list(
        Registration.objects.filter(event=event)
        .select_related("user__home_region", "user__local_authority")
        .order_by("status", "queued_at", "pk")
    )


@dataclass
class FeedbackSummary:
    count: int
    average: float | None
    items: list


def feedback_summary(*, event: Event) -> FeedbackSummary:
    items = list(event.feedback.select_related("user").order_by("-created_at"))
    average = round(sum(f.rating for f in items) / len(items), 1) if items else None
    return FeedbackSummary(count=len(items), average=average, items=items)


def proposals_page(*, viewer) -> tuple[list[Proposal], set[int]]:
    """Open and scheduled proposals, most supported first, with the viewer's votes."""
    proposals = list(
        permissions.visible_proposals(viewer)
        .select_related("topic", "proposer", "event")
        .order_by("status", "-support_count", "created_at")
    )
    supported = set(
        Support.objects.filter(user=viewer, proposal__in=[p.pk for p in proposals]).values_list(
            "proposal_id", flat=True
        )
    )
    return proposals, supported


@dataclass
class Demand:
    proposal: Proposal
    by_region: list[tuple[str, int]]
    by_role: list[tuple[str, int]]


def demand_ranking(*, viewer) -> list[Demand]:
    """Open proposals ranked by support, each broken down by supporters' region and role."""
    proposals = list(
        permissions.visible_proposals(viewer)
        .filter(status=Proposal.Status.OPEN)
        .select_related("topic", "proposer")
        .prefetch_related(
            Prefetch(
                "supports",
                queryset=Support.objects.select_related("user__home_region"),
                to_attr="all_supports",
            )
        )
        .order_by("-support_count", "created_at")
    )
    roles = dict(User.Role.choices)
    ranking = []
    for proposal in proposals:
        regions = Counter(
            s.user.home_region.name if s.user.home_region_id else "No region given"
            for s in proposal.all_supports
        )
        by_role = Counter(str(roles.get(s.user.role, s.user.role)) for s in proposal.all_supports)
        ranking.append(
            Demand(
                proposal=proposal,
                by_region=sorted(regions.items(), key=lambda kv: (-kv[1], kv[0])),
                by_role=sorted(by_role.items(), key=lambda kv: (-kv[1], kv[0])),
            )
        )
    return ranking
