"""Training events as a kind of site search result, through training's visibility rule.

Signed-out visitors find national events only; members find every event. Cancelled
events stay findable, marked as cancelled with the reason in their text, because the
event page (which says so) is what someone looking for a place they booked needs.
Dates in the query (`after:`, `before:`) are the day an event starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from community.accounts.models import Region
from community.forum.models import Topic
from community.search.query import ParsedQuery
from community.search.registry import Hit, IndexEntry, choice_label

from . import permissions
from .models import LONDON, Event

# Every event that changes what is indexed for a training event (`update_event` publishes
# training.event_updated on every change, so training.event_changed is not needed too).
EVENT_EVENTS = (
    "training.event_created",
    "training.event_updated",
    "training.event_cancelled",
)


# Where the field training's rule tests is copied on an event's document.
DOCUMENT_COLUMNS = {"audience": "audience"}


def _day_start(day) -> datetime:
    # Event days are London days, whatever the server's zone.
    return datetime.combine(day, time.min, tzinfo=LONDON)


class TrainingEventProvider:
    kind = "event"
    reindex_on = dict.fromkeys(EVENT_EVENTS, "event_id")

    def candidates(self, viewer, query: ParsedQuery) -> Q | None:
        """The viewer's findable events as a filter on their documents: training's rule in its
        column form (the copy of each event's audience); the rarer filters as subqueries."""
        # Events have no author, tags, bookmarks or thread status to filter by.
        if query.username or query.tags or query.in_bookmarks or query.in_mine or query.status:
            return None
        q = permissions.visible_events_by_columns(viewer, DOCUMENT_COLUMNS)
        events, narrowed = Event.objects.all(), False
        if query.category:
            if (topic_id := query.named(Topic)) is not None:
                events, narrowed = events.filter(topics=topic_id), True
            elif (region_id := query.named(Region)) is not None:
                events, narrowed = events.filter(region=region_id), True
            else:  # a space that is not a region's: events do not live in spaces
                return None
        # Dates are the day an event starts, which its document does not carry.
        if query.before:
            events, narrowed = events.filter(starts_at__lt=_day_start(query.before)), True
        if query.after:
            events, narrowed = events.filter(starts_at__gte=_day_start(query.after)), True
        if narrowed:
            q &= Q(object_id__in=events.values("pk"))
        return q

    def load(self, viewer, ids: Iterable[int]) -> dict[int, Hit]:
        # Checked against the events themselves, not only their documents' copy.
        events = permissions.visible_events(
            viewer, Event.objects.filter(pk__in=list(ids))
        ).select_related("region")
        now = timezone.now()
        hits = {}
        for event in events:
            context = [event.where, choice_label(Event.Format, event.format)]
            if event.is_cancelled:
                context.append(_("Cancelled"))
            hits[event.pk] = Hit(
                kind=self.kind,
                object_id=event.pk,
                title=event.title,
                url=event.get_absolute_url(),
                created_at=event.starts_local,
                label=_("Event"),
                date_label=self._date_label(event, now),
                context=" · ".join(str(part) for part in context),
                obj=event,
                extra={
                    "starts_at": event.starts_at,
                    "ends_at": event.ends_at,
                    "region": event.region.slug if event.region_id else None,
                    "format": event.format,
                    "cancelled": event.is_cancelled,
                },
            )
        return hits

    @staticmethod
    def _date_label(event: Event, now: datetime) -> str:
        if event.is_cancelled:
            return _("Was to start")
        return _("Took place") if event.ends_at <= now else _("Starts")

    def entries(self, ids: Iterable[int] | None = None) -> Iterable[IndexEntry]:
        qs = Event.objects.order_by("pk")
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        rows = qs.values_list(
            "pk", "title", "description_text", "hosts", "status", "cancellation_reason",
            "created_at", "region_id",
        )  # fmt: skip
        for pk, title, text, hosts, status, reason, created_at, region_id in rows.iterator(
            chunk_size=2000
        ):
            parts = [text, hosts]
            if status == Event.Status.CANCELLED:
                parts.insert(0, _("Cancelled: %(reason)s") % {"reason": reason})
            yield IndexEntry(
                object_id=pk,
                title=title,
                body="\n\n".join(p for p in parts if p),
                # When it was announced: "latest" order puts new announcements first.
                created_at=created_at,
                attributes={"audience": permissions.event_audience(Event(region_id=region_id))},
            )
