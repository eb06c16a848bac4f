"""iCalendar (RFC 5545) for events, made with the maintained `icalendar` library.

Times go out with TZID=Europe/London and a VTIMEZONE, so calendar clients show them at
the right wall-clock time on both sides of the clocks changing.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from community.siteaddress import site_url

from .models import LONDON, Event

PRODID = "-//National Centre for Family Hubs//Family Hubs Network events//EN"


def _site() -> str:
    return site_url()


def uid_of(event: Event) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "familyhubs.example"
    return f"event-{event.pk}@{host}"


def _location(event: Event) -> str:
    parts = []
    if event.has_venue:
        parts.append(", ".join(p for p in [event.venue, " ".join(event.address.split())] if p))
    if event.is_online:
        parts.append("Online")
    return "; ".join(parts)


def _component(event: Event, *, with_joining_link: bool = False) -> icalendar.Event:
    url = _site() + event.get_absolute_url()
    description = event.description_text or event.description
    if event.hosts:
        description += f"\n\nHosts and speakers: {event.hosts}"
    if with_joining_link and event.online_url:
        description += f"\n\nJoin online: {event.online_url}"
    if event.is_cancelled:
        description = f"CANCELLED: {event.cancellation_reason}\n\n{description}"
    description += f"\n\nDetails and registration: {url}"
    # The classic add() API: it works the same on icalendar 6 and 7.
    component = icalendar.Event()
    component.add("uid", uid_of(event))
    component.add("dtstamp", timezone.now())
    component.add("dtstart", event.starts_at.astimezone(LONDON))
    component.add("dtend", event.ends_at.astimezone(LONDON))
    component.add("summary", ("Cancelled: " if event.is_cancelled else "") + event.title)
    component.add("description", description)
    location = _location(event)
    if location:
        component.add("location", location)
    component.add("url", url)
    component.add("sequence", event.sequence)
    component.add("last-modified", event.updated_at)
    component.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    topics = [t.name for t in event.topics.all()]
    if topics:
        component.add("categories", topics)
    return component


def calendar_bytes(
    events: Iterable[Event],
    *,
    name: str,
    method: str | None = None,
    joining_links: set[int] = frozenset(),
) -> bytes:
    """One calendar holding these events, with the time zone definitions they use."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/London")
    if method:
        cal.add("method", method)
    for event in events:
        cal.add_component(_component(event, with_joining_link=event.pk in joining_links))
    cal.add_missing_timezones()
    return cal.to_ical()
