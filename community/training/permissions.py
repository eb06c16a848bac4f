"""Who may see and do what with events and proposals.

The decision for regional events: the programme is open to read for every signed-in
member (knowing what other regions run is useful), and a signed-out visitor sees
national events only. Registering for a regional event is for members whose home region
is that region or who joined that region's group; centre staff are exempt. The audience
of an event narrows who may register further (a young people's session is for young
people). The joining link of an online event is shown only to people with a place.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from community.forum.permissions import member_space_ids

from .models import Event, Proposal, Registration

_ROLE_AUDIENCES = {
    Event.Audience.PROFESSIONALS: {"practitioner", "commissioner", "expert"},
    Event.Audience.PARENTS_CARERS: {"parent_carer"},
    Event.Audience.YOUNG_PEOPLE: {"young_person"},
}


def _is_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_event_staff(user) -> bool:
    return _is_member(user) and user.is_centre_staff


def visible_events(user, qs: QuerySet[Event] | None = None) -> QuerySet[Event]:
    qs = Event.objects.all() if qs is None else qs
    if _is_member(user):
        return qs
    return qs.filter(region__isnull=True)


# A copy of what `visible_events` tests, kept beside each event in another table (the search
# index's documents).
NATIONAL = "national"  # everyone, signed in or not
REGIONAL = "regional"  # signed-in members


def event_audience(event: Event) -> str:
    """Who may see the event, as a copy of it records it (see NATIONAL, REGIONAL)."""
    return NATIONAL if event.region_id is None else REGIONAL


def visible_events_by_columns(user, columns: Mapping[str, str]) -> Q:
    """The column form of `visible_events`: the same rule as a filter on a table that copies
    each event's audience (`event_audience`) into a column of its own (`columns["audience"]`),
    so that table is filtered without a join to events."""
    if _is_member(user):
        return Q()
    return Q(**{columns["audience"]: NATIONAL})


def can_view_event(user, event: Event) -> bool:
    return _is_member(user) or event.region_id is None


def viewers_of_event(event: Event) -> QuerySet:
    """Members who may see the event: the bulk form of `can_view_event`, for notifying."""
    return get_user_model().objects.filter(is_active=True)


def belongs_to_region(user, event: Event) -> bool:
    """National events belong to everyone; a regional one to its region's members and group."""
    if event.region_id is None or is_event_staff(user):
        return True
    if user.home_region_id == event.region_id:
        return True
    group_id = _regional_group_id(event)
    return group_id is not None and group_id in member_space_ids(user)


def _regional_group_id(event: Event) -> int | None:
    from community.forum.models import Space

    cached = getattr(event, "_group_id", False)
    if cached is False:
        cached = (
            Space.objects.filter(region_id=event.region_id).values_list("pk", flat=True).first()
        )
        event._group_id = cached
    return cached


def in_audience(user, event: Event) -> bool:
    roles = _ROLE_AUDIENCES.get(event.audience)
    return roles is None or is_event_staff(user) or user.role in roles


def registration_refusal(user, event: Event, now=None) -> str | None:
    """Why this member may not take a place, in words for them; None when they may."""
    now = now or timezone.now()
    if not _is_member(user):
        return _("Sign in to register.")
    if event.is_cancelled:
        return _("This event has been cancelled.")
    if event.starts_at <= now:
        return _("This event has already started.")
    if event.registration_deadline and event.registration_deadline < now:
        return _("Registration for this event has closed.")
    if not belongs_to_region(user, event):
        return _(
            "This event is for members in %(region)s. Join the %(region)s group to register."
        ) % {"region": event.region.name}
    if not in_audience(user, event):
        return _("This event is for: %(audience)s.") % {"audience": event.get_audience_display()}
    return None


def can_register(user, event: Event) -> bool:
    return registration_refusal(user, event) is None


def can_see_joining_link(user, event: Event, registration: Registration | None) -> bool:
    if is_event_staff(user):
        return True
    return registration is not None and registration.status == Registration.Status.CONFIRMED


def can_give_feedback(user, event: Event, registration: Registration | None) -> bool:
    """Attendees, once the event has ended: those marked present, or with a place when
    attendance was not taken."""
    if not _is_member(user) or registration is None or event.is_cancelled or not event.is_past:
        return False
    return (
        registration.status == Registration.Status.CONFIRMED and registration.attended is not False
    )


def visible_proposals(user, qs: QuerySet[Proposal] | None = None) -> QuerySet[Proposal]:
    qs = Proposal.objects.all() if qs is None else qs
    if not _is_member(user):
        return qs.none()
    if is_event_staff(user):
        return qs
    return qs.filter(
        Q(status__in=[Proposal.Status.OPEN, Proposal.Status.SCHEDULED]) | Q(proposer=user)
    )


def can_propose(user) -> bool:
    return _is_member(user)


def can_support(user, proposal: Proposal) -> bool:
    return _is_member(user) and proposal.status == Proposal.Status.OPEN
