"""Feedback responses for the insight dashboard, registered with its registry (apps.py).

Responses received in the period through "Tell us" (signed in or not), leaving out those
staff archived (spam, duplicates), by the practice topic and region the family chose and by
who they said they are. Counts only; the dashboard suppresses small numbers.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from community.insight.filters import Filters
from community.insight.registry import Measure, Table

from .models import FeedbackResponse

Who = FeedbackResponse.Who
NOT_GIVEN = _("Not given")


def _columns(f: Filters) -> list[tuple[str, str]]:
    # Young people are never counted at the grain of a local authority.
    return [
        (value, label)
        for value, label in Who.choices
        if not (value == Who.YOUNG_PERSON and f.local_authority is not None)
    ]


def responses(f: Filters):
    qs = FeedbackResponse.objects.exclude(status=FeedbackResponse.Status.ARCHIVED).filter(
        f.in_period("created_at"), f.topic_is("topic")
    )
    if f.region is not None:
        qs = qs.filter(region=f.region)
    if f.local_authority is not None:
        qs = qs.filter(local_authority=f.local_authority).exclude(who=Who.YOUNG_PERSON)
    return qs


def _by(f: Filters, field: str, header: str) -> Table:
    columns = _columns(f)
    rows = (
        responses(f)
        .values(field)
        .annotate(**{f"w_{value}": Count("pk", filter=Q(who=value)) for value, _l in columns})
        .order_by(field)
    )
    note = ""
    if f.local_authority is not None:
        note = str(_("Young people are left out when a local authority is chosen."))
    return Table(
        row_header=header,
        columns=[str(label) for _value, label in columns],
        rows=[
            (r[field] or str(NOT_GIVEN), [r[f"w_{value}"] for value, _l in columns]) for r in rows
        ],
        columns_add_up=True,
        note=note,
    )


def responses_by_topic(f: Filters) -> Table:
    return _by(f, "topic__name", str(_("Practice topic")))


def responses_by_region(f: Filters) -> Table:
    return _by(f, "region__name", str(_("Region")))


HONOURS = frozenset({"period", "region", "local_authority", "topic"})
MEASURES = [
    Measure(
        "families.feedback", "families", _("Families' feedback by practice topic"),
        _("Responses to “Tell us” received in the period (not those staff archived as spam or "
          "duplicates), by the practice topic the family chose and who they said they are. "
          "Region and local authority are those the family gave."),
        responses_by_topic, honours=HONOURS, order=50,
    ),
    Measure(
        "families.feedback_by_region", "families", _("Families' feedback by region"),
        _("The same responses by the region the family gave."),
        responses_by_region, honours=HONOURS, order=51,
    ),
]  # fmt: skip
