"""Times across the clocks changing, and the iCalendar files parsed back with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core.exceptions import ValidationError

from community.training import actions
from community.training.forms import EventForm, london_time
from community.training.models import LONDON
from community.training.selectors import month_calendar
from tests.factories import any_topic, make_user

from .builders import london, make_event, make_staff

pytestmark = pytest.mark.django_db

SPRING_2026 = datetime(2026, 3, 29)  # clocks go forward at 01:00 GMT
AUTUMN_2026 = datetime(2026, 10, 25)  # clocks go back at 02:00 BST


def _form(**overrides) -> EventForm:
    data = {
        "title": "Parenting support across the change",
        "description": "A session held on the day the clocks change.",
        "format": "online",
        "starts_at": "2026-03-29T10:00",
        "ends_at": "2026-03-29T11:30",
        "audience": "everyone",
        "capacity": "20",
    }
    data.update(overrides)
    return EventForm(data)


def test_times_entered_in_summer_are_stored_as_bst():
    form = _form(starts_at="2026-03-29T10:00", ends_at="2026-03-29T11:00")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_at"].astimezone(UTC) == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)


def test_times_entered_in_winter_are_stored_as_gmt():
    form = _form(starts_at="2026-03-28T10:00", ends_at="2026-03-28T11:00")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_at"].astimezone(UTC) == datetime(
        2026, 3, 28, 10, 0, tzinfo=UTC
    )


def test_a_time_the_clocks_skip_is_refused_with_a_reason():
    form = _form(starts_at="2026-03-29T01:30", ends_at="2026-03-29T03:00")

    assert not form.is_valid()
    assert "clocks change" in form.errors["starts_at"][0]


def test_a_time_that_happens_twice_is_refused_with_a_reason():
    with pytest.raises(ValidationError, match="clocks"):
        london_time(datetime(2026, 10, 25, 1, 30))


def test_an_event_across_the_autumn_change_lasts_its_real_length():
    form = _form(starts_at="2026-10-24T23:00", ends_at="2026-10-25T03:00")

    assert form.is_valid(), form.errors
    # 23:00 BST to 03:00 GMT is five hours, not four.
    assert form.cleaned_data["ends_at"] - form.cleaned_data["starts_at"] == timedelta(hours=5)


def test_the_edit_form_shows_stored_times_in_london_time():
    event = make_event(starts_at=london(2026, 7, 1, 9, 30))

    html = EventForm(initial=EventForm.initial_for(event)).as_p()

    assert 'value="2026-07-01T09:30"' in html


def test_month_calendar_puts_events_on_their_london_day():
    # 23:30 on 31 March BST is 22:30 UTC the same day; 00:30 on 1 April BST is 23:30 UTC on 31 March.
    late = make_event(title="Late session", starts_at=london(2026, 3, 31, 23, 30), hours=0.5)
    early = make_event(title="Early session", starts_at=london(2026, 4, 1, 0, 30), hours=0.5)

    march = month_calendar(viewer=make_user(), year=2026, month=3)
    april = month_calendar(viewer=make_user(), year=2026, month=4)

    march_days = {d.date.day: d.events for w in march.weeks for d in w if d.in_month}
    april_days = {d.date.day: d.events for w in april.weeks for d in w if d.in_month}
    assert march_days[31] == [late]
    assert april_days[1] == [early]


def _parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def test_event_ics_keeps_london_wall_clock_times_on_both_sides_of_the_change(client):
    winter = make_event(title="Winter session", starts_at=london(2026, 3, 28, 10, 0))
    summer = make_event(title="Summer session", starts_at=london(2026, 3, 30, 10, 0))

    for event, offset in ((winter, timedelta(0)), (summer, timedelta(hours=1))):
        response = client.get(f"/events/{event.pk}/event.ics")
        assert response["Content-Type"].startswith("text/calendar")
        cal = _parse(response.content)
        (vevent,) = cal.walk("VEVENT")
        start = vevent.decoded("DTSTART")
        assert start.hour == 10 and start.utcoffset() == offset
        assert vevent["DTSTART"].params["TZID"] == "Europe/London"
        assert str(vevent["SUMMARY"]) == event.title
        assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]


def test_cancelled_event_ics_says_cancelled_with_a_higher_sequence(client):
    staff = make_staff()
    event = make_event(staff=staff)
    actions.cancel_event(actor=staff, event=event, reason="Speaker unavailable.")

    (vevent,) = _parse(client.get(f"/events/{event.pk}/event.ics").content).walk("VEVENT")

    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 1


def test_region_and_topic_feeds_hold_their_events(client):
    from community.accounts.models import Region

    topic = any_topic()
    london_region = Region.objects.get(slug="london")
    member = make_user(home_region=london_region)
    token = actions.feed_token_for(user=member).token
    regional = make_event(title="London meet-up", region=london_region)
    tagged = make_event(title="Topic session", topics=(topic,))
    make_event(title="Elsewhere", region=Region.objects.get(slug="north-west"))

    region_cal = _parse(client.get(f"/events/feeds/region/london.ics?token={token}").content)
    topic_cal = _parse(client.get(f"/events/feeds/topic/{topic.slug}.ics").content)

    assert [str(e["SUMMARY"]) for e in region_cal.walk("VEVENT")] == [regional.title]
    assert [str(e["SUMMARY"]) for e in topic_cal.walk("VEVENT")] == [tagged.title]
    assert str(topic_cal.walk("VEVENT")[0]["CATEGORIES"].cats[0]) == topic.name


def test_my_events_feed_lists_my_registrations_with_the_joining_link(client):
    member = make_user()
    mine = make_event(title="My own session", online_url="https://meet.example/abc")
    make_event(title="Somebody else's session")
    actions.register_for_event(user=member, event=mine)
    token = actions.feed_token_for(user=member).token

    response = client.get(f"/events/feeds/mine/{token}.ics")

    (vevent,) = _parse(response.content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "My own session"
    assert "https://meet.example/abc" in str(vevent["DESCRIPTION"])
    assert response["Cache-Control"] == "private, no-store"


def test_resetting_the_feed_token_cuts_the_old_address_off(client):
    member = make_user()
    old = actions.feed_token_for(user=member).token

    actions.reset_feed_token(user=member)

    assert client.get(f"/events/feeds/mine/{old}.ics").status_code == 404
    assert client.get(f"/events/feeds/region/london.ics?token={old}").status_code == 404


def test_event_times_show_in_london_time_on_the_page(client):
    event = make_event(starts_at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC))

    html = client.get(event.get_absolute_url()).content.decode()

    assert "Monday 1 June 2026, 09:00" in html
    assert "(BST)" in html
    assert event.starts_local.tzinfo == LONDON
