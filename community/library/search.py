"""Library resources as a kind of site search result, through the library's visibility rule.

The index holds what readers see: the current published version's title, summary and
body (quotes included, after the consent rule). A resource never published is indexed
from its working copy, which only its owner, reviewers, moderators and staff can find.
A published resource's unpublished edits are never indexed, so a reader's search cannot
match or show words that are still in draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, time
from html import unescape

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from community.accounts.models import Region
from community.forum.models import Topic
from community.search.query import ParsedQuery
from community.search.registry import Hit, IndexEntry, choice_label

from . import permissions
from .models import Resource

State = Resource.State
TAG = re.compile(r"<[^>]*>")

# Every event that can change what is indexed for a resource (its text, or the quotes and
# names in it after a credit changes); visibility itself is applied at query time.
RESOURCE_EVENTS = (
    "library.created",
    "library.curated",
    "library.edited",
    "library.published",
    "library.archived",
    "library.credit_answered",
    "library.credit_withdrawn",
    "library.words_withdrawn",
)


# Where each field the library's rule tests is copied on a resource's document.
DOCUMENT_COLUMNS = {"audience": "audience", "owner_id": "author_id", "pk": "object_id"}


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def text_of(html: str) -> str:
    """Plain text of stored, sanitised HTML, with a space wherever a tag was."""
    return " ".join(unescape(TAG.sub(" ", html or "")).split())


class LibraryResourceProvider:
    kind = "resource"
    reindex_on = dict.fromkeys(RESOURCE_EVENTS, "resource_id")

    def candidates(self, viewer, query: ParsedQuery) -> Q | None:
        """The viewer's findable resources as a filter on their documents: the library's rule
        in its column form (the copy of each resource's audience and owner), so a common word's
        matches are not each looked up in `library_resource` (docs/bench-national.md); the
        rarer filters (topic, region, tag) as subqueries."""
        # Resources have no author in the forum's sense, no bookmarks and no thread status.
        if query.username or query.in_bookmarks or query.in_mine or query.status:
            return None
        q = permissions.visible_resources_by_columns(viewer, DOCUMENT_COLUMNS)
        if query.category:
            if (topic_id := query.named(Topic)) is not None:
                q &= Q(object_id__in=Resource.objects.filter(topics=topic_id).values("pk"))
            elif (region_id := query.named(Region)) is not None:
                q &= Q(object_id__in=Resource.objects.filter(regions=region_id).values("pk"))
            else:  # a space: resources do not live in spaces
                return None
        for tag in query.tags:
            q &= Q(object_id__in=Resource.objects.filter(tags__slug=tag).values("pk"))
        # Dates are publication dates (creation for a resource never published), read from
        # the resources themselves.
        if query.before:
            day = _day_start(query.before)
            dated = Q(published_at__lt=day) | Q(published_at__isnull=True, created_at__lt=day)
            q &= Q(object_id__in=Resource.objects.filter(dated).values("pk"))
        if query.after:
            day = _day_start(query.after)
            dated = Q(published_at__gte=day) | Q(published_at__isnull=True, created_at__gte=day)
            q &= Q(object_id__in=Resource.objects.filter(dated).values("pk"))
        return q

    def load(self, viewer, ids: Iterable[int]) -> dict[int, Hit]:
        # Checked against the resources themselves, not only their documents' copy.
        resources = permissions.visible_resources(
            viewer, Resource.objects.filter(pk__in=list(ids))
        ).select_related("current_version")
        hits = {}
        for resource in resources:
            version = resource.current_version
            context = [choice_label(Resource.Type, resource.type)]
            if resource.evidence_rating != Resource.EvidenceRating.NOT_RATED:
                context.append(
                    _("Evidence: %(rating)s")
                    % {"rating": choice_label(Resource.EvidenceRating, resource.evidence_rating)}
                )
            if version is None:
                context.append(
                    _("Not published: %(state)s") % {"state": choice_label(State, resource.state)}
                )
            elif resource.state == State.ARCHIVED:
                context.append(_("Archived"))
            hits[resource.pk] = Hit(
                kind=self.kind,
                object_id=resource.pk,
                title=version.title if version else resource.title,
                url=resource.get_absolute_url(),
                created_at=resource.published_at or resource.created_at,
                label=_("Library resource"),
                date_label=_("Published") if resource.published_at else _("Created"),
                context=" · ".join(str(part) for part in context),
                obj=resource,
                extra={
                    "type": resource.type,
                    "evidence_rating": resource.evidence_rating,
                    "published_at": resource.published_at,
                    "archived": resource.state == State.ARCHIVED,
                },
            )
        return hits

    def entries(self, ids: Iterable[int] | None = None) -> Iterable[IndexEntry]:
        qs = Resource.objects.select_related("current_version").order_by("pk")
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        for resource in qs.iterator(chunk_size=500):
            shown = resource.current_version or resource
            yield IndexEntry(
                object_id=resource.pk,
                title=shown.title,
                body=f"{shown.summary}\n\n{text_of(shown.html)}",
                created_at=resource.published_at or resource.created_at,
                attributes={
                    "audience": permissions.resource_audience(resource),
                    "author_id": resource.owner_id,
                },
            )
