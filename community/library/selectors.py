"""Reads for the library's pages, each a fixed number of queries."""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from community import markup
from community.accounts.models import Region
from community.forum.models import Post, Status, Thread, Topic

from . import actions, permissions
from .models import (
    Audience,
    Credit,
    Resource,
    ResourceVersion,
    UsefulnessRating,
)

State = Resource.State
SORTS = {"newest": ("-published_at", "-pk"), "useful": ("-useful_count", "-published_at", "-pk")}
REVIEWED_WITHIN = {"6": 6, "12": 12, "24": 24}


@dataclass(frozen=True)
class LibraryFilters:
    """What the library page was asked for; unknown values are dropped, never an error page."""

    topic: str = ""
    region: str = ""
    type: str = ""
    audience: str = ""
    evidence: str = ""
    reviewed: str = ""
    tag: str = ""
    sort: str = "newest"

    @classmethod
    def from_query(cls, query) -> LibraryFilters:
        def value(name: str, allowed=None) -> str:
            raw = (query.get(name) or "").strip()[:80]
            return raw if allowed is None or raw in allowed else ""

        sort = value("sort", SORTS)
        return cls(
            topic=value("topic"),
            region=value("region"),
            type=value("type", Resource.Type.values),
            audience=value("audience"),
            evidence=value("evidence", Resource.EvidenceRating.values),
            reviewed=value("reviewed", REVIEWED_WITHIN),
            tag=value("tag"),
            sort=sort or "newest",
        )

    @property
    def active(self) -> bool:
        return any(
            (self.topic, self.region, self.type, self.audience, self.evidence, self.reviewed)
        ) or bool(self.tag)


@dataclass
class LibraryPage:
    resources: list[Resource]
    total: int
    page: int
    has_next: bool
    filters: LibraryFilters
    topics: list[Topic]
    regions: list[Region]
    audiences: list[Audience]


def _filtered(qs: QuerySet[Resource], f: LibraryFilters) -> QuerySet[Resource]:
    if f.topic:
        qs = qs.filter(topics__slug=f.topic)
    if f.region == "national":
        qs = qs.filter(is_national=True)
    elif f.region:
        qs = qs.filter(regions__slug=f.region)
    if f.type:
        qs = qs.filter(type=f.type)
    if f.audience:
        qs = qs.filter(audiences__slug=f.audience)
    if f.evidence:
        qs = qs.filter(evidence_rating=f.evidence)
    if f.reviewed:
        since = actions.add_months(timezone.localdate(), -REVIEWED_WITHIN[f.reviewed])
        qs = qs.filter(last_reviewed_at__date__gte=since)
    if f.tag:
        qs = qs.filter(tags__slug=f.tag)
    return qs


def library_page(*, viewer, filters: LibraryFilters, page: int = 1) -> LibraryPage:
    """Published resources matching the facets, with the facets' choices. Seven queries."""
    per_page = settings.LIBRARY_RESOURCES_PER_PAGE
    page = max(page, 1)
    qs = _filtered(permissions.public_resources(), filters)
    total = qs.count()
    rows = list(
        qs.select_related("current_version")
        .defer("source", "html", "current_version__source", "current_version__html")
        .prefetch_related("topics")
        .order_by(*SORTS[filters.sort])[(page - 1) * per_page : page * per_page]
    )
    return LibraryPage(
        resources=rows,
        total=total,
        page=page,
        has_next=page * per_page < total,
        filters=filters,
        topics=list(Topic.objects.all()),
        regions=list(Region.objects.all()),
        audiences=list(Audience.objects.all()),
    )


def feed_resources(limit: int = 30) -> list[Resource]:
    """The newest published resources, for the RSS and Atom feeds (visible to anyone)."""
    return list(
        permissions.public_resources()
        .select_related("current_version")
        .order_by("-current_version__published_at", "-pk")[:limit]
    )


@dataclass
class ResourcePage:
    resource: Resource
    version: ResourceVersion | None
    credits: list[Credit]
    my_rating: UsefulnessRating | None
    can_work: bool
    # Only for the owner, reviewers, moderators and staff:
    working_contributions: list[dict] = field(default_factory=list)
    left_out: list[Credit] = field(default_factory=list)
    decisions: list = field(default_factory=list)
    awaiting: list = field(default_factory=list)
    feedback: list = field(default_factory=list)
    log: list = field(default_factory=list)


def _resource_qs() -> QuerySet[Resource]:
    return Resource.objects.select_related(
        "current_version", "owner", "source_thread__space"
    ).prefetch_related("topics", "regions", "audiences", "age_stages", "tags", "reviewers")


def get_resource(*, viewer, resource_id: int) -> Resource:
    """The resource if this viewer may read it; 404 otherwise (never reveal a draft exists)."""
    resource = _resource_qs().filter(pk=resource_id).first()
    if resource is None or not permissions.can_read_resource(viewer, resource):
        raise Http404("No such resource")
    return resource


def resource_page(*, viewer, resource: Resource) -> ResourcePage:
    """A resource as this viewer sees it: the current version, and the working copy for workers."""
    credits = list(resource.credits.select_related("user"))
    for credit in credits:
        credit.name_shown = permissions.shows_name(credit)  # the one rule, for the template
    credits = [c for c in credits if c.name_shown or permissions.can_work_on(viewer, resource)]
    my_rating = None
    if viewer.is_authenticated:
        my_rating = UsefulnessRating.objects.filter(resource=resource, user=viewer).first()
    result = ResourcePage(
        resource=resource,
        version=resource.current_version,
        credits=credits,
        my_rating=my_rating,
        can_work=permissions.can_work_on(viewer, resource),
    )
    if result.can_work:
        result.working_contributions = actions.working_contributions(resource)
        included = {item["credit"] for item in result.working_contributions}
        quoted = set(resource.contributions.values_list("credit_id", flat=True))
        result.left_out = [c for c in credits if c.pk in quoted and c.pk not in included]
        result.decisions = list(resource.decisions.select_related("reviewer")[:50])
        if resource.state == State.IN_REVIEW:
            result.awaiting = actions.awaiting_approval(resource)
        result.feedback = list(resource.feedback.select_related("user")[:50])
        result.log = list(resource.log.select_related("actor")[:50])
    return result


@dataclass
class VersionView:
    version: ResourceVersion
    diff: list[tuple[str, str]]


def _lines(version: ResourceVersion) -> list[str]:
    lines = [_("Title: %(t)s") % {"t": version.title}, _("Summary: %(s)s") % {"s": version.summary}]
    lines.append("")
    lines.extend(version.source.splitlines())
    for item in version.contributions:
        lines.append("")
        lines.append(_("Quote from %(name)s:") % {"name": item.get("name", "")})
        lines.extend(f"> {line}" for line in item.get("source", "").splitlines())
    return lines


def resource_history(*, viewer, resource: Resource) -> list[VersionView]:
    """Every published version, newest first, each with a line diff against the one before."""
    versions = list(resource.versions.select_related("published_by").order_by("number"))
    views: list[VersionView] = []
    previous: list[str] = []
    for version in versions:
        current = _lines(version)
        diff = [
            (line[0], line[2:])
            for line in difflib.ndiff(previous, current)
            if line[:1] in ("+", "-", " ")
        ]
        views.append(VersionView(version=version, diff=diff))
        previous = current
    return list(reversed(views))


def get_version(*, viewer, resource: Resource, number: int) -> ResourceVersion:
    version = resource.versions.select_related("published_by").filter(number=number).first()
    if version is None:
        raise Http404("No such version")
    return version


@dataclass
class DueRow:
    resource: Resource
    overdue: bool


def due_resources(
    *, viewer, today: datetime.date | None = None, within_days: int = 30
) -> list[DueRow]:
    """Published resources due for review within a month or overdue, soonest first (staff only)."""
    if not permissions.can_see_due_list(viewer):
        raise PermissionDenied(_("Only moderators and centre staff can see reviews due."))
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    rows = (
        Resource.objects.filter(current_version__isnull=False, next_review_at__lte=horizon)
        .exclude(state=State.ARCHIVED)
        .select_related("owner", "current_version")
        .prefetch_related("reviewers")
        .order_by("next_review_at", "pk")
    )
    return [DueRow(resource=r, overdue=r.next_review_at < today) for r in rows]


def library_work(*, viewer) -> dict[str, list[Resource]]:
    """What the viewer is working on: drafts they own, and reviews waiting for them."""
    if not viewer.is_authenticated:
        return {"owned": [], "reviewing": [], "all_open": []}
    base = Resource.objects.select_related("owner", "current_version").order_by("-created_at")
    open_states = [State.DRAFT, State.IN_REVIEW, State.REVIEW_DUE]
    result = {
        "owned": list(base.filter(owner=viewer, state__in=open_states)[:100]),
        "reviewing": list(base.filter(reviewers=viewer, state=State.IN_REVIEW)[:100]),
        "all_open": [],
    }
    if permissions.is_moderator(viewer):
        result["all_open"] = list(base.filter(state__in=open_states)[:100])
    return result


def resources_from_thread(*, viewer, thread_id: int) -> list[Resource]:
    """Library resources curated from a thread that this viewer may open (one query)."""
    return list(
        permissions.visible_resources(
            viewer, Resource.objects.filter(source_thread_id=thread_id)
        ).select_related("current_version")
    )


def quotable_posts(*, viewer, thread: Thread) -> list[Post]:
    """The posts a moderator may choose from when curating a thread."""
    if not permissions.can_curate_thread(viewer, thread):
        raise PermissionDenied(_("Only moderators can turn threads into library resources."))
    return list(
        thread.posts.filter(status=Status.PUBLISHED, deleted_at__isnull=True)
        .select_related("author")
        .order_by("number")
    )


def get_credit(*, viewer, credit_id: int) -> Credit:
    """A credit for its own person to answer; 404 for anyone else."""
    credit = (
        Credit.objects.select_related("resource__current_version", "user")
        .prefetch_related(Prefetch("contributions", to_attr="quoted"))
        .filter(pk=credit_id)
        .first()
    )
    if credit is None or not permissions.can_answer_credit(viewer, credit):
        raise Http404("No such credit")
    # The words as they would be quoted, drawn as the resource draws them (Markdown rendered).
    for contribution in credit.quoted:
        contribution.html = markup.render(contribution.source).html
    return credit


def my_credits(*, viewer) -> list[Credit]:
    if not viewer.is_authenticated:
        return []
    return list(
        Credit.objects.filter(user=viewer)
        .select_related("resource__current_version")
        .order_by("-created_at")[:200]
    )
