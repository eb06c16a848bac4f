"""Reads for the feedback inbox, and the counts the insight dashboard shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet
from django.http import Http404

from . import permissions
from .models import FeedbackResponse

SMALL_NUMBER = 5  # counts below this are suppressed: a few responses could identify a family
INBOX_PAGE = 50


def inbox(*, viewer, status: str = "", topic=None, region=None) -> list[FeedbackResponse]:
    if not permissions.can_read_feedback(viewer):
        raise Http404("No such page")
    qs = FeedbackResponse.objects.select_related(
        "region", "local_authority", "topic"
    ).prefetch_related("practice_topics")
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=FeedbackResponse.Status.ARCHIVED)
    if topic is not None:
        qs = qs.filter(practice_topics=topic)
    if region is not None:
        qs = qs.filter(region=region)
    return list(qs.order_by("-safeguarding", "-created_at", "-pk")[:INBOX_PAGE])


def get_response(*, viewer, response_id: int) -> FeedbackResponse:
    if not permissions.can_read_feedback(viewer):
        raise Http404("No such response")
    response = (
        FeedbackResponse.objects.select_related("region", "local_authority", "topic")
        .filter(pk=response_id)
        .first()
    )
    if response is None:
        raise Http404("No such response")
    return response


def usable_responses(*, viewer, ids) -> list[FeedbackResponse]:
    if not permissions.can_manage_feedback(viewer):
        raise Http404("No such page")
    return list(FeedbackResponse.objects.filter(pk__in=list(ids)).order_by("created_at", "pk"))


@dataclass(frozen=True)
class FeedbackCount:
    """A count for the insight dashboard; `count` is None where it was too small to show."""

    topic: str | None
    region: str | None
    count: int | None

    @property
    def suppressed(self) -> bool:
        return self.count is None


def _suppress(n: int) -> int | None:
    return n if n >= SMALL_NUMBER else None


def feedback_counts(
    *, by: tuple[str, ...] = ("topic", "region"), since: datetime | None = None,
    qs: QuerySet | None = None,
) -> list[FeedbackCount]:  # fmt: skip
    """Responses counted by practice topic and/or region (names), numbers under five
    suppressed. Archived responses (spam, duplicates) are left out. One query."""
    fields = {"topic": "topic__name", "region": "region__name"}
    keys = [fields[b] for b in by]
    qs = (qs if qs is not None else FeedbackResponse.objects.all()).exclude(
        status=FeedbackResponse.Status.ARCHIVED
    )
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    rows = qs.order_by().values(*keys).annotate(n=Count("pk")).order_by(*keys)
    return [
        FeedbackCount(
            topic=row.get("topic__name"), region=row.get("region__name"), count=_suppress(row["n"])
        )
        for row in rows
    ]


def what_families_said(*, viewer, resource) -> list[FeedbackResponse]:
    """The responses a resource quotes, for whoever may read the resource; one query.
    Held or archived ones drop out (a response can be held again after it was shared)."""
    from community.library import permissions as library_permissions

    if not library_permissions.can_read_resource(viewer, resource):
        return []
    return list(
        FeedbackResponse.objects.filter(
            used_in_resources=resource,
            status__in=[FeedbackResponse.Status.NEW, FeedbackResponse.Status.REVIEWED],
        ).order_by("created_at", "pk")
    )


def member_feedback_for_export(user) -> list[dict]:
    """What the member told the centre through "Tell us", for "download my data".

    Responses sent without signing in are not tied to anyone, so they cannot be included.
    What screening noted for the safeguarding leads is left out (as a safeguarding record,
    it is not disclosed through an export).
    """
    rows = (
        FeedbackResponse.objects.filter(author=user)
        .select_related("region", "local_authority", "topic")
        .prefetch_related("practice_topics")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": r.pk,
            "who": r.who,
            "what_you_need": r.need,
            "what_worked": r.worked,
            "what_did_not_work": r.not_worked,
            "region": r.region.name if r.region else None,
            "local_authority": r.local_authority.name if r.local_authority else None,
            "topic": r.topic.name if r.topic else None,
            "credit_consent": r.credit_consent,
            "credit_name": r.credit_name,
            "status": r.status,
            "practice_topics_tagged_by_staff": [t.name for t in r.practice_topics.all()],
            "used_in_a_thread": r.used_in_thread_id is not None,
            "sent_at": r.created_at,
        }
        for r in rows
    ]
