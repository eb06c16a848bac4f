"""Calendar invitations (.ics) for a booked consultation, built with `icalendar`."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from community.siteaddress import site_url

from .models import ConsultationRequest


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    return address


def consultation_invitation(case: ConsultationRequest) -> bytes:
    """An iCalendar invitation to the case's booked consultation, for requester and expert.

    It carries the reference and a link to the case, never the question itself: calendars
    are often shared with colleagues.
    """
    slot = case.booked_slot
    if slot is None:
        raise ValueError("The case has no booked consultation.")
    site = site_url()
    calendar = Calendar()
    calendar.add("prodid", "-//National Centre for Family Hubs//SupportLine//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"{case.reference}-{slot.pk}@supportline.familyhubs")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.ends_at)
    event.add("summary", f"SupportLine consultation {case.reference}")
    event.add(
        "description",
        f"Free expert consultation from the National Centre for Family Hubs.\n"
        f"Contact by: {case.get_preferred_contact_display()}.\n"
        f"The case conversation: {site}{case.get_absolute_url()}",
    )
    event.add("location", str(case.get_preferred_contact_display()))
    event.add("url", f"{site}{case.get_absolute_url()}")
    event.add("organizer", _address(settings.SUPPORTLINE_EMAIL, "SupportLine"))
    for person in (case.requester, case.assigned_expert):
        if person is not None:
            attendee = _address(person.email, person.display_name or person.username)
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            attendee.params["partstat"] = vText("NEEDS-ACTION")
            event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
