"""Poll participation for the insight dashboard, registered with its registry (apps.py).

A ballot is one member's answer to one poll (however many options they ticked or ranked),
counted when it was last cast in the period, in a poll whose post every reader of the thread
may read (published, not deleted, in a published thread). Counts only: who voted for what is
never part of it. The dashboard suppresses small numbers (`insight.privacy.publish`).
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from community.accounts.models import User
from community.forum.models import Status
from community.insight.filters import Filters
from community.insight.registry import Measure, Table

from .models import PollVote

NO_REGION = _("Region not recorded")
ROLE_COLUMNS = (
    ("parents", _("Parents and carers"), Q(user__role=User.Role.PARENT_CARER)),
    ("young", _("Young people"), Q(user__role=User.Role.YOUNG_PERSON)),
    ("others", _("Practitioners and others"),
     ~Q(user__role__in=[User.Role.PARENT_CARER, User.Role.YOUNG_PERSON])),
)  # fmt: skip


def _young() -> Q:
    return Q(user__role=User.Role.YOUNG_PERSON) | Q(user__age_band__in=list(User.MINOR_AGE_BANDS))


def _columns(f: Filters) -> list[tuple[str, str, Q]]:
    # Young people are never counted at the grain of a local authority.
    return [c for c in ROLE_COLUMNS if not (c[0] == "young" and f.local_authority is not None)]


def ballots(f: Filters):
    """One row per ballot (a member's first vote row in a poll), in the filters."""
    first_row = ~Exists(
        PollVote.objects.filter(poll=OuterRef("poll"), user=OuterRef("user"), pk__lt=OuterRef("pk"))
    )
    qs = PollVote.objects.filter(
        first_row,
        f.in_period("created_at"),
        f.topic_is("poll__post__thread__topic"),
        f.member_place("user"),
        f.member_role("user"),
        poll__post__status=Status.PUBLISHED,
        poll__post__deleted_at__isnull=True,
        poll__post__thread__status=Status.PUBLISHED,
        poll__post__thread__deleted_at__isnull=True,
    )
    if f.local_authority is not None:
        qs = qs.exclude(_young())
    return qs


def _by(f: Filters, field: str, header: str, missing: str) -> Table:
    columns = _columns(f)
    rows = (
        ballots(f)
        .values(field)
        .annotate(**{key: Count("pk", filter=q) for key, _label, q in columns})
        .order_by(field)
    )
    note = str(_("Ballots: one per member per poll."))
    if f.local_authority is not None:
        note += " " + str(_("Young people are left out when a local authority is chosen."))
    return Table(
        row_header=header,
        columns=[str(label) for _key, label, _q in columns],
        rows=[(r[field] or missing, [r[key] for key, _l, _q in columns]) for r in rows],
        columns_add_up=True,
        note=note,
    )


def participation_by_topic(f: Filters) -> Table:
    return _by(f, "poll__post__thread__topic__name", str(_("Practice topic")), "")


def participation_by_region(f: Filters) -> Table:
    return _by(f, "user__home_region__name", str(_("Region")), str(NO_REGION))


MEASURES = [
    Measure(
        "families.polls", "families", _("Poll participation by practice topic"),
        _("Ballots cast in polls in the period (one per member per poll, when they last voted), "
          "in posts every reader of the thread can see, by the thread's practice topic and the "
          "voter's role. Who voted for what is never counted here."),
        participation_by_topic, order=40,
    ),
    Measure(
        "families.polls_by_region", "families", _("Poll participation by region"),
        _("The same ballots by the region on the voter's profile."),
        participation_by_region, order=41,
    ),
]  # fmt: skip
