"""The measures this app computes from the domain, one aggregate query each (two for the
top threads), and placeholders for what the network does not collect yet.

Conventions, said once in every definition a reader sees:
- a post or thread counts when it is published and not deleted, in a thread that is too;
- "region" and "local authority" of activity are those of the member's profile;
- young people's activity is never broken down by local authority: with a local authority
  chosen it is left out of every figure.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, Subquery, Sum, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.accounts.models import User
from community.forum.models import Post, Space, Status, Thread
from community.library.models import Credit, Resource
from community.library.permissions import public_resources
from community.moderation.models import Flag, ReviewItem, SafeguardingConcern
from community.privacy.models import Appeal
from community.supportline.models import ConsultationRequest
from community.training.models import Event, Proposal, Registration

from .filters import Filters
from .registry import ALL_FILTERS, Measure, Table

Role = User.Role
PROFESSIONAL = [Role.PRACTITIONER, Role.COMMISSIONER, Role.EXPERT]
FAMILY = [Role.PARENT_CARER, Role.YOUNG_PERSON]
YOUTH_AGE_BANDS = [User.AgeBand.AGE_13_15, User.AgeBand.AGE_16_17, User.AgeBand.AGE_18_25]
NO_REGION = _("Region not recorded")
TOP_THREADS = 10


def _young(member: str) -> Q:
    return Q(**{f"{member}__role": Role.YOUNG_PERSON}) | Q(
        **{f"{member}__age_band__in": list(User.MINOR_AGE_BANDS)}
    )


def _people(f: Filters, member: str, roles: list[str] | None = None) -> Q:
    """Members in the chosen place and role (and of `roles`); no young people at LA level."""
    q = f.member_place(member) & f.member_role(member)
    if roles is not None:
        q &= Q(**{f"{member}__role__in": roles})
    if f.local_authority is not None:
        q &= ~_young(member)
    return q


def _member_filters(f: Filters, roles: list[str]) -> Q:
    """`_people` for a queryset of members themselves."""
    q = Q(role__in=[r for r in roles if not f.role or r == f.role])
    if f.region is not None:
        q &= Q(home_region=f.region)
    if f.local_authority is not None:
        q &= Q(local_authority=f.local_authority) & ~Q(role=Role.YOUNG_PERSON)
        q &= ~Q(age_band__in=list(User.MINOR_AGE_BANDS))
    return q


def _posts(f: Filters):
    """Published posts written in the period, in published threads."""
    return Post.objects.filter(
        f.in_period("created_at"),
        f.topic_is("thread__topic"),
        kind=Post.Kind.POST,
        status=Status.PUBLISHED,
        deleted_at__isnull=True,
        thread__status=Status.PUBLISHED,
        thread__deleted_at__isnull=True,
    )


def _label(value, choices: dict, missing=NO_REGION) -> str:
    if value is None or value == "":
        return str(missing)
    return str(choices.get(value, value))


# Providers say --------------------------------------------------------------------------------


def active_providers(f: Filters) -> Table:
    # From members (a few hundred rows) with a semi-join to their posts: far cheaper than
    # counting distinct authors over every post of the period.
    posted = _posts(f).filter(author=OuterRef("pk"))
    rows = (
        User.objects.filter(Exists(posted))
        .filter(_member_filters(f, PROFESSIONAL))
        .values("home_region__name")
        .annotate(members=Count("pk"), authorities=Count("local_authority", distinct=True))
        .order_by("home_region__name")
    )
    return Table(
        row_header=str(_("Region")),
        columns=[str(_("Active practitioners")), str(_("Active local authorities"))],
        rows=[
            (r["home_region__name"] or str(NO_REGION), [r["members"], r["authorities"]])
            for r in rows
        ],
    )


def _post_counts(f: Filters) -> list[dict]:
    """One pass over the period's posts, counted by topic, the author's region and role, and
    whether the post started its thread. The providers' and families' tables are sums of
    these groups: scanning the posts once instead of three times keeps the page fast."""
    if "post_counts" not in f.memo:
        f.memo["post_counts"] = list(
            _posts(f)
            .filter(_people(f, "author"))
            .values("thread__topic__name", "author__home_region__name", "author__role")
            .annotate(
                threads=Count("pk", filter=Q(number=1)),
                replies=Count("pk", filter=Q(number__gt=1)),
            )
            .order_by()
        )
    return f.memo["post_counts"]


def _sum_by(groups: list[dict], by: str, columns: list[str]) -> list[tuple[str, list[int]]]:
    totals: dict[str, list[int]] = {}
    for group in groups:
        label = group[by] or str(NO_REGION)
        row = totals.setdefault(label, [0] * len(columns))
        for index, column in enumerate(columns):
            row[index] += group[column]
    return sorted(totals.items())


def _threads_and_replies(f: Filters, by: str, header: str) -> Table:
    groups = [g for g in _post_counts(f) if g["author__role"] in PROFESSIONAL]
    return Table(
        row_header=header,
        columns=[str(_("Threads started")), str(_("Replies"))],
        rows=_sum_by(groups, by, ["threads", "replies"]),
    )


def threads_by_topic(f: Filters) -> Table:
    return _threads_and_replies(f, "thread__topic__name", str(_("Practice topic")))


def threads_by_region(f: Filters) -> Table:
    return _threads_and_replies(f, "author__home_region__name", str(_("Region")))


def _time_buckets(qs, moment: str, start: str) -> dict[str, int]:
    """Count rows by how long after `start` the `moment` came (null: not yet)."""

    def by(delta: timedelta) -> Q:
        return Q(**{f"{moment}__lte": F(start) + delta})

    never = Q(**{f"{moment}__isnull": True})
    hour, day, week = by(timedelta(hours=1)), by(timedelta(days=1)), by(timedelta(days=7))
    # ~x on a null moment is null in SQL, so every bucket but "never" also says "not null".
    return qs.aggregate(
        hour=Count("pk", filter=hour),
        day=Count("pk", filter=day & ~hour & ~never),
        week=Count("pk", filter=week & ~day & ~never),
        later=Count("pk", filter=~week & ~never),
        never=Count("pk", filter=never),
    )


def first_reply(f: Filters) -> Table:
    # The first published reply by number, found through the (thread, number) index; wrapped
    # in Min so that Django groups by thread and counts the buckets over that subquery,
    # computing each thread's first reply once.
    first = (
        Post.objects.filter(
            thread=OuterRef("pk"),
            number__gt=1,
            kind=Post.Kind.POST,
            status=Status.PUBLISHED,
            deleted_at__isnull=True,
        )
        .order_by("number")
        .values("created_at")[:1]
    )
    threads = Thread.objects.filter(
        f.in_period("created_at"),
        f.topic_is("topic"),
        _people(f, "author", PROFESSIONAL),
        status=Status.PUBLISHED,
        deleted_at__isnull=True,
    ).annotate(first_reply_at=Min(Subquery(first)))
    b = _time_buckets(threads, "first_reply_at", "created_at")
    return Table(
        row_header=str(_("First reply")),
        columns=[str(_("Threads"))],
        rows=[
            (str(_("Within an hour")), [b["hour"]]),
            (str(_("Within a day")), [b["day"]]),
            (str(_("Within a week")), [b["week"]]),
            (str(_("After a week")), [b["later"]]),
            (str(_("Unanswered (no reply yet)")), [b["never"]]),
        ],
    )


def _listed_threads(f: Filters):
    """Threads whose titles may appear in a report: open to every member, not pre-moderated
    (families' spaces), listed, published, and not started by a young person."""
    return Thread.objects.filter(
        f.topic_is("topic"),
        _people(f, "author", PROFESSIONAL),
        space__visibility__in=[Space.Visibility.PUBLIC, Space.Visibility.MEMBERS],
        space__premoderated=False,
        is_unlisted=False,
        status=Status.PUBLISHED,
        deleted_at__isnull=True,
    ).exclude(_young("author"))


def top_threads(f: Filters) -> Table:
    from community.forum.models import Reaction

    # From the threads' own reply counters: a few thousand thread rows, not every post.
    top = [
        {"thread_id": t["pk"], "thread__title": t["title"], "replies": max(t["post_count"] - 1, 0)}
        for t in _listed_threads(f)
        .filter(last_post_at__gte=f.start_at, created_at__lt=f.end_before)
        .order_by("-post_count", "pk")
        .values("pk", "title", "post_count")[:TOP_THREADS]
    ]
    reactions = dict(
        Reaction.objects.filter(
            f.in_period("created_at"), post__thread_id__in=[t["thread_id"] for t in top]
        )
        .values("post__thread_id")
        .annotate(n=Count("pk"))
        .values_list("post__thread_id", "n")
    )
    return Table(
        row_header=str(_("Thread")),
        columns=[str(_("Replies")), str(_("Reactions"))],
        rows=[(t["thread__title"], [t["replies"], reactions.get(t["thread_id"], 0)]) for t in top],
        rows_add_up=False,
        note=str(_("Threads open to every member only; titles, never names.")),
    )


# Families say ---------------------------------------------------------------------------------


def _family_roles(f: Filters) -> list[str]:
    roles = [r for r in FAMILY if not f.role or f.role == r]
    if f.local_authority is not None:
        roles = [r for r in roles if r != Role.YOUNG_PERSON]
    return roles


def families_by_topic(f: Filters) -> Table:
    roles = _family_roles(f)
    per_topic: dict[str, dict[str, int]] = {}
    for g in _post_counts(f):
        if g["author__role"] in roles:
            counts = per_topic.setdefault(g["thread__topic__name"], dict.fromkeys(roles, 0))
            counts[g["author__role"]] += g["threads"] + g["replies"]
    labels = dict(Role.choices)
    return Table(
        row_header=str(_("Practice topic")),
        columns=[str(labels[r]) for r in roles],
        rows=[(topic, [counts[r] for r in roles]) for topic, counts in sorted(per_topic.items())],
        columns_add_up=len(roles) > 1,
        note=str(_("Threads and replies together."))
        + (
            " " + str(_("Young people are left out when a local authority is chosen."))
            if f.local_authority is not None
            else ""
        ),
    )


def young_people_by_region(f: Filters) -> Table:
    bands = list(YOUTH_AGE_BANDS)
    columns = [str(dict(User.AgeBand.choices)[b]) for b in bands]
    if f.local_authority is not None or (f.role and f.role != Role.YOUNG_PERSON):
        return Table(
            row_header=str(_("Region")),
            columns=columns,
            note=str(_("Not shown by local authority, nor for other roles.")),
        )
    rows = (
        _posts(f)
        .filter(f.member_place("author"), author__role=Role.YOUNG_PERSON)
        .values("author__home_region__name")
        .annotate(
            **{f"b{i}": Count("pk", filter=Q(author__age_band=b)) for i, b in enumerate(bands)}
        )
        .order_by("author__home_region__name")
    )
    return Table(
        row_header=str(_("Region")),
        columns=columns,
        rows=[
            (
                r["author__home_region__name"] or str(NO_REGION),
                [r[f"b{i}"] for i in range(len(bands))],
            )
            for r in rows
        ],
        columns_add_up=True,
        note=str(_("Posts by young people, by region and age band only.")),
    )


def held_by_screening(f: Filters) -> Table:
    roles = _family_roles(f)
    rows = (
        ReviewItem.objects.filter(
            f.in_period("created_at"),
            f.topic_is("post__thread__topic"),
            _people(f, "post__author", roles),
            kind=ReviewItem.Kind.HELD_POST,
        )
        .values("post__author__role")
        .annotate(n=Count("pk"))
        .order_by("post__author__role")
    )
    labels = dict(Role.choices)
    return Table(
        row_header=str(_("Written by")),
        columns=[str(_("Posts held"))],
        rows=[(_label(r["post__author__role"], labels), [r["n"]]) for r in rows],
    )


# Evidence -------------------------------------------------------------------------------------


def _library(f: Filters):
    """Resources in the library at the end of the period: published and not archived."""
    qs = public_resources().filter(published_at__lt=f.end_before)
    if f.topic is not None:
        qs = qs.filter(Exists(Resource.topics.through.objects.filter(
            resource_id=OuterRef("pk"), topic_id=f.topic.pk)))  # fmt: skip
    if f.region is not None:
        for_region = Resource.regions.through.objects.filter(
            resource_id=OuterRef("pk"), region_id=f.region.pk
        )
        qs = qs.filter(Q(is_national=True) | Exists(for_region))
    return qs


def _by_choice(qs, field: str, choices, *, row_header: str, column: str) -> Table:
    """One row per choice of ``field`` that occurs, in the choices' order (one query)."""
    counts = dict(qs.values(field).annotate(n=Count("pk")).values_list(field, "n"))
    return Table(
        row_header=row_header,
        columns=[column],
        rows=[(str(label), [counts[value]]) for value, label in choices if value in counts],
    )


def _by_topic(through_qs, owner: str, f: Filters, *, row_header: str, column: str, note: str):
    """One row per practice topic of a many-to-many ``topics`` (one query); an owner with
    several topics counts under each, so the rows do not add up to the total."""
    rows = (
        through_qs.filter(f.topic_is("topic"))
        .values("topic__name")
        .annotate(n=Count(owner, distinct=True))
        .order_by("topic__name")
    )
    return Table(
        row_header=row_header,
        columns=[column],
        rows=[(r["topic__name"], [r["n"]]) for r in rows],
        rows_add_up=False,
        note=note,
    )


def resources_by_rating(f: Filters) -> Table:
    return _by_choice(
        _library(f),
        "evidence_rating",
        Resource.EvidenceRating.choices,
        row_header=str(_("Evidence rating")),
        column=str(_("Resources")),
    )


def resources_by_topic(f: Filters) -> Table:
    return _by_topic(
        Resource.topics.through.objects.filter(resource__in=_library(f)),
        "resource",
        f,
        row_header=str(_("Practice topic")),
        column=str(_("Resources")),
        note=str(_("A resource with several topics counts under each.")),
    )


def review_status(f: Filters) -> Table:
    end = f.end
    soon = end + timedelta(days=30)
    b = _library(f).aggregate(
        overdue=Count("pk", filter=Q(next_review_at__lt=end)),
        due=Count("pk", filter=Q(next_review_at__gte=end, next_review_at__lte=soon)),
        fine=Count("pk", filter=Q(next_review_at__gt=soon)),
        none=Count("pk", filter=Q(next_review_at__isnull=True)),
    )
    return Table(
        row_header=str(_("Review")),
        columns=[str(_("Resources"))],
        rows=[
            (str(_("Overdue")), [b["overdue"]]),
            (str(_("Due within 30 days")), [b["due"]]),
            (str(_("Not due yet")), [b["fine"]]),
            (str(_("No review date")), [b["none"]]),
        ],
    )


def co_produced(f: Filters) -> Table:
    credited = Credit.objects.filter(resource=OuterRef("pk"))
    b = _library(f).aggregate(
        co=Count("pk", filter=Q(type=Resource.Type.CO_PRODUCED) | Q(Exists(credited))),
    )
    return Table(
        row_header=str(_("Resources")),
        columns=[str(_("Resources"))],
        rows=[(str(_("Co-produced resources in the library")), [b["co"]])],
        rows_add_up=False,
        chart_column=None,
    )


def co_producers_by_role(f: Filters) -> Table:
    rows = (
        Credit.objects.filter(resource__in=_library(f))
        .values("role")
        .annotate(people=Count("user", distinct=True), resources=Count("resource", distinct=True))
        .order_by("role")
    )
    labels = dict(Credit.Role.choices)
    return Table(
        row_header=str(_("Co-producer's role")),
        columns=[str(_("Co-producers")), str(_("Resources"))],
        rows=[(_label(r["role"], labels), [r["people"], r["resources"]]) for r in rows],
        rows_add_up=False,
        note=str(_("Credited co-producers of resources in the library, by role; never names.")),
    )


# Services -------------------------------------------------------------------------------------


def events_by_region(f: Filters) -> Table:
    qs = Event.objects.filter(f.in_period("starts_at"), status=Event.Status.SCHEDULED)
    if f.region is not None:
        qs = qs.filter(region=f.region)
    if f.topic is not None:
        qs = qs.filter(Exists(Event.topics.through.objects.filter(
            event_id=OuterRef("pk"), topic_id=f.topic.pk)))  # fmt: skip
    confirmed = Q(registrations__status=Registration.Status.CONFIRMED)
    rows = (
        qs.values("region__name")
        .annotate(
            events=Count("pk", distinct=True),
            confirmed=Count("registrations", filter=confirmed),
            waitlisted=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
            ),
            no_shows=Count("registrations", filter=confirmed & Q(registrations__attended=False)),
        )
        .order_by("region__name")
    )
    return Table(
        row_header=str(_("Region")),
        columns=[
            str(_("Events")),
            str(_("Places taken")),
            str(_("Waitlisted")),
            str(_("No-shows")),
        ],
        rows=[
            (
                r["region__name"] or str(_("National")),
                [r["events"], r["confirmed"], r["waitlisted"], r["no_shows"]],
            )
            for r in rows
        ],
    )


def proposals_by_region(f: Filters) -> Table:
    rows = (
        Proposal.objects.filter(
            f.in_period("created_at"), f.topic_is("topic"), _people(f, "proposer")
        )
        .values("proposer__home_region__name")
        .annotate(proposals=Count("pk"), votes=Sum("support_count"))
        .order_by("proposer__home_region__name")
    )
    return Table(
        row_header=str(_("Region")),
        columns=[str(_("Proposals")), str(_("Votes"))],
        rows=[
            (r["proposer__home_region__name"] or str(NO_REGION), [r["proposals"], r["votes"] or 0])
            for r in rows
        ],
    )


def _requests(f: Filters):
    qs = ConsultationRequest.objects.filter(f.in_period("created_at"), f.member_role("requester"))
    if f.region is not None:
        qs = qs.filter(region=f.region)
    if f.local_authority is not None:
        qs = qs.filter(local_authority=f.local_authority).exclude(_young("requester"))
    if f.topic is not None:
        qs = qs.filter(Exists(ConsultationRequest.topics.through.objects.filter(
            consultationrequest_id=OuterRef("pk"), topic_id=f.topic.pk)))  # fmt: skip
    return qs


def requests_by_status(f: Filters) -> Table:
    return _by_choice(
        _requests(f),
        "status",
        ConsultationRequest.Status.choices,
        row_header=str(_("Status")),
        column=str(_("Requests")),
    )


def requests_by_theme(f: Filters) -> Table:
    return _by_topic(
        ConsultationRequest.topics.through.objects.filter(consultationrequest__in=_requests(f)),
        "consultationrequest",
        f,
        row_header=str(_("Theme (practice topic)")),
        column=str(_("Requests")),
        note=str(_("A request about several topics counts under each.")),
    )


def first_response(f: Filters) -> Table:
    now = timezone.now()
    b = _requests(f).aggregate(
        kept=Count("pk", filter=Q(first_responded_at__lte=F("first_response_due_at"))),
        late=Count("pk", filter=Q(first_responded_at__gt=F("first_response_due_at"))),
        overdue=Count(
            "pk", filter=Q(first_responded_at__isnull=True, first_response_due_at__lt=now)
        ),
        waiting=Count(
            "pk", filter=Q(first_responded_at__isnull=True, first_response_due_at__gte=now)
        ),
    )
    return Table(
        row_header=str(_("First response")),
        columns=[str(_("Requests"))],
        rows=[
            (str(_("Within two working days")), [b["kept"]]),
            (str(_("Later than two working days")), [b["late"]]),
            (str(_("No response yet, overdue")), [b["overdue"]]),
            (str(_("No response yet, not due")), [b["waiting"]]),
        ],
    )


# Safety ---------------------------------------------------------------------------------------


def flags_by_reason(f: Filters) -> Table:
    rows = (
        Flag.objects.filter(
            f.in_period("created_at"),
            f.topic_is("post__thread__topic"),
            f.member_place("post__author"),
            ~_young("post__author") if f.local_authority is not None else Q(),
        )
        .values("reason")
        .annotate(
            agreed=Count("pk", filter=Q(outcome=Flag.Outcome.AGREED)),
            disagreed=Count("pk", filter=Q(outcome=Flag.Outcome.DISAGREED)),
            pending=Count("pk", filter=Q(outcome=Flag.Outcome.PENDING)),
        )
        .order_by("reason")
    )
    labels = {value: str(label).split(":")[0] for value, label in Flag.Reason.choices}
    return Table(
        row_header=str(_("Reason")),
        columns=[str(_("Agreed")), str(_("Left up")), str(_("Waiting"))],
        rows=[
            (_label(r["reason"], labels), [r["agreed"], r["disagreed"], r["pending"]]) for r in rows
        ],
        columns_add_up=True,
        chart_column=None,
    )


def concerns(f: Filters) -> Table:
    b = SafeguardingConcern.objects.aggregate(
        opened=Count("pk", filter=f.in_period("created_at")),
        closed=Count("pk", filter=f.in_period("closed_at")),
        still_open=Count(
            "pk",
            filter=Q(created_at__lt=f.end_before)
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=f.end_before)),
        ),
    )
    return Table(
        row_header=str(_("Safeguarding concerns")),
        columns=[str(_("Concerns"))],
        rows=[
            (str(_("Opened in the period")), [b["opened"]]),
            (str(_("Closed in the period")), [b["closed"]]),
            (str(_("Open at the end of the period")), [b["still_open"]]),
        ],
        rows_add_up=False,
    )


def concern_first_action(f: Filters) -> Table:
    # The first action is the first note or the closing, whichever came first.
    qs = (
        SafeguardingConcern.objects.filter(f.in_period("created_at"))
        .annotate(first_note_at=Min("notes__created_at"))
        .annotate(
            first_action_at=Case(
                When(first_note_at__isnull=True, then=F("closed_at")),
                When(closed_at__isnull=True, then=F("first_note_at")),
                When(first_note_at__lt=F("closed_at"), then=F("first_note_at")),
                default=F("closed_at"),
            )
        )
    )
    b = _time_buckets(qs, "first_action_at", "created_at")
    return Table(
        row_header=str(_("First action")),
        columns=[str(_("Concerns"))],
        rows=[
            (str(_("Within an hour")), [b["hour"]]),
            (str(_("Within a day")), [b["day"]]),
            (str(_("Within a week")), [b["week"]]),
            (str(_("After a week")), [b["later"]]),
            (str(_("No action recorded yet")), [b["never"]]),
        ],
    )


def appeals(f: Filters) -> Table:
    return _by_choice(
        Appeal.objects.filter(f.in_period("created_at")),
        "state",
        Appeal.State.choices,
        row_header=str(_("Outcome")),
        column=str(_("Appeals")),
    )


PERIOD = frozenset({"period"})
PLACE_ROLE_TOPIC = ALL_FILTERS
NO_ROLE = frozenset({"period", "region", "local_authority", "topic"})

MEASURES: list[Measure] = [
    Measure(
        "providers.active", "providers", _("Active practitioners and local authorities"),
        _("Practitioners, commissioners and experts who published at least one post in the "
          "period, and the local authorities they work for, by the region on their profile."),
        active_providers, order=10,
    ),
    Measure(
        "providers.threads_by_topic", "providers", _("Threads and replies by practice topic"),
        _("Threads started and replies published in the period by practitioners, "
          "commissioners and experts, by the thread's practice topic."),
        threads_by_topic, order=20,
    ),
    Measure(
        "providers.threads_by_region", "providers", _("Threads and replies by region"),
        _("The same threads and replies, by the region on the author's profile."),
        threads_by_region, order=30,
    ),
    Measure(
        "providers.first_reply", "providers", _("Time to first reply and unanswered threads"),
        _("Threads practitioners, commissioners and experts started in the period, by how long "
          "the first published reply took; “unanswered” threads have no reply yet."),
        first_reply, order=40,
    ),
    Measure(
        "providers.top_threads", "providers", _("Top threads by replies and reactions"),
        _("Among threads with a post in the period that every member can read (not the "
          "families' pre-moderated spaces, not private groups), the 10 with the most replies "
          "(all their replies, from the thread's counter), with the reactions given to their "
          "posts in the period."),
        top_threads, order=50,
    ),
    Measure(
        "families.posts_by_topic", "families", _("Posts from parents, carers and young people"),
        _("Threads and replies published in the period by parents, carers and young people, by "
          "practice topic."),
        families_by_topic, order=10,
    ),
    Measure(
        "families.young_people", "families", _("Young people's posts by region and age band"),
        _("Posts published in the period by young people, by region and age band: the finest "
          "grain young people's activity is ever shown at."),
        young_people_by_region, honours=frozenset({"period", "region", "role", "topic"}), order=20,
    ),
    Measure(
        "families.held", "families", _("Posts held by screening"),
        _("Posts by parents, carers and young people held for a moderator's approval in the "
          "period (pre-moderated spaces, personal details, watched words): counts only."),
        held_by_screening, order=30,
    ),
    Measure(
        "families.polls", "families", _("Poll participation"),
        _("How many members answered polls in the period, by role."), None, order=40,
    ),
    Measure(
        "families.feedback", "families", _("Families' feedback on services"),
        _("Feedback parents, carers and young people gave through the families' feedback form, "
          "by practice topic."), None, order=50,
    ),
    Measure(
        "evidence.by_rating", "evidence", _("Library resources by evidence rating"),
        _("Resources in the library (published, not archived) at the end of the period, by "
          "Foundations' evidence rating. With a region chosen: national resources and those for "
          "that region."),
        resources_by_rating, honours=frozenset({"period", "region", "topic"}), order=10,
    ),
    Measure(
        "evidence.by_topic", "evidence", _("Library resources by practice topic"),
        _("The same resources by practice topic."),
        resources_by_topic, honours=frozenset({"period", "region", "topic"}), order=20,
    ),
    Measure(
        "evidence.review", "evidence", _("Resources due for review or overdue"),
        _("The same resources by their next review date, against the end of the period."),
        review_status, honours=frozenset({"period", "region", "topic"}), order=30,
    ),
    Measure(
        "evidence.co_produced", "evidence", _("Co-produced resources"),
        _("Resources in the library that are co-produced: of the co-produced type or crediting "
          "at least one co-producer."),
        co_produced, honours=frozenset({"period", "region", "topic"}), order=40,
    ),
    Measure(
        "evidence.co_producers", "evidence", _("Who co-produced them, by role"),
        _("Members credited as co-producers of those resources, by the role they were credited "
          "in, and how many resources each role worked on."),
        co_producers_by_role, honours=frozenset({"period", "region", "topic"}), order=50,
    ),
    Measure(
        "evidence.views", "evidence", _("Resource views and downloads"),
        _("How often resources were opened and their files downloaded in the period. The "
          "library does not count views or downloads yet."), None, order=60,
    ),
    Measure(
        "services.events", "services", _("Events and attendance by region"),
        _("Events (not cancelled) starting in the period, by the event's region (or national), "
          "with places taken, people on the waitlist, and no-shows (places taken, marked as not "
          "attending)."),
        events_by_region, honours=frozenset({"period", "region", "topic"}), order=10,
    ),
    Measure(
        "services.proposals", "services", _("Training proposals and their votes by region"),
        _("Training topics members proposed in the period, by the proposer's region, with the "
          "votes of support each has had so far."),
        proposals_by_region, order=20,
    ),
    Measure(
        "services.requests_by_status", "services", _("SupportLine requests by status"),
        _("Consultation requests made in the period, by their status now; region and local "
          "authority are those given on the request."),
        requests_by_status, order=30,
    ),
    Measure(
        "services.requests_by_theme", "services", _("SupportLine requests by theme"),
        _("The same requests by the practice topics they were about."),
        requests_by_theme, order=40,
    ),
    Measure(
        "services.first_response", "services", _("First response against the promise"),
        _("The same requests by whether the first response came within two working days "
          "(weekends and English bank holidays not counted), the SupportLine's promise."),
        first_response, order=50,
    ),
    Measure(
        "safety.flags", "safety", _("Flags by reason"),
        _("Posts flagged by members in the period, by reason and what moderators decided."),
        flags_by_reason, honours=frozenset({"period", "region", "local_authority", "topic"}),
        order=10,
    ),
    Measure(
        "safety.concerns", "safety", _("Safeguarding concerns opened and closed"),
        _("Safeguarding concerns opened and closed in the period, and those still open at its "
          "end."),
        concerns, honours=PERIOD, order=20,
    ),
    Measure(
        "safety.first_action", "safety", _("Time to first action on safeguarding concerns"),
        _("Concerns opened in the period by how long until their first action: the first note "
          "by a safeguarding lead, or closing the concern."),
        concern_first_action, honours=PERIOD, order=30,
    ),
    Measure(
        "safety.appeals", "safety", _("Appeals and their outcomes"),
        _("Appeals against moderators' decisions made in the period, by outcome."),
        appeals, honours=PERIOD, order=40,
    ),
]  # fmt: skip
