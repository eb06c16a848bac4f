"""Who sees and does what: regional events, staff pages, feeds and files; pages' query costs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from community.accounts.models import Region
from community.forum.models import Membership
from community.training import actions, permissions
from community.training.models import Event, Registration
from tests.factories import make_user, regional_group

from .builders import make_event, make_staff

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["edit/", "cancel/", "registrations/", "registrations.csv", "message/", "materials/"]


@pytest.fixture
def london_event():
    return make_event(title="London hubs meet-up", region=Region.objects.get(slug="london"))


def test_members_of_the_region_register_for_its_events(london_event):
    member = make_user(home_region=Region.objects.get(slug="london"))

    assert actions.register_for_event(user=member, event=london_event).status == "confirmed"


def test_members_who_joined_the_regional_group_may_register(london_event):
    member = make_user(home_region=Region.objects.get(slug="north-east"))
    Membership.objects.create(user=member, space=regional_group("london"))

    assert permissions.can_register(member, london_event)


def test_members_of_other_regions_see_but_cannot_register_for_a_regional_event(
    client, london_event
):
    outsider = make_user(home_region=Region.objects.get(slug="north-east"))
    client.force_login(outsider)

    page = client.get(london_event.get_absolute_url())
    response = client.post(f"/events/{london_event.pk}/register/")

    assert page.status_code == 200
    assert "Join the London group to register" in page.content.decode()
    assert response.status_code == 403
    assert not Registration.objects.filter(event=london_event).exists()


def test_staff_may_register_for_any_region(london_event):
    assert permissions.can_register(make_staff(), london_event)


def test_audience_limits_who_registers():
    event = make_event(audience=Event.Audience.YOUNG_PEOPLE)

    assert not permissions.can_register(make_user(role="practitioner"), event)
    assert permissions.can_register(make_user(role="young_person", age_band="16-17"), event)


def test_visitors_see_national_events_but_no_regional_ones(client, london_event):
    national = make_event(title="National conference")

    listing = client.get("/events/").content.decode()

    assert national.title in listing and london_event.title not in listing
    assert client.get(london_event.get_absolute_url()).status_code == 404
    assert client.get(f"/events/{london_event.pk}/event.ics").status_code == 404
    assert b"London hubs" not in client.get("/events/feeds/region/london.ics").content
    month = london_event.starts_local
    assert (
        london_event.title
        not in client.get(f"/events/calendar/{month.year}/{month.month}/").content.decode()
    )


def test_signed_in_members_see_regional_events_in_every_list(client, london_event):
    client.force_login(make_user())
    month = london_event.starts_local

    assert london_event.title in client.get("/events/?region=london").content.decode()
    assert (
        london_event.title
        in client.get(f"/events/calendar/{month.year}/{month.month}/").content.decode()
    )


@pytest.mark.parametrize("suffix", STAFF_PAGES)
def test_members_are_refused_every_staff_page(client, suffix):
    event = make_event()
    client.force_login(make_user())

    assert client.get(f"/events/{event.pk}/{suffix}").status_code == 403


def test_members_are_refused_the_demand_page_and_scheduling(client):
    proposal = actions.propose_topic(
        user=make_user(), title="Outreach to dads", description="How to reach fathers."
    )
    client.force_login(make_user())

    assert client.get("/events/proposals/demand/").status_code == 403
    assert client.get(f"/events/proposals/{proposal.pk}/schedule/").status_code == 403
    assert client.get("/events/new/").status_code == 403


def test_visitors_are_sent_to_sign_in_for_member_pages(client):
    for path in ("/events/mine/", "/events/proposals/", "/events/new/"):
        assert client.get(path).status_code == 302


def test_the_joining_link_is_shown_only_to_people_with_a_place(client):
    event = make_event(capacity=1, online_url="https://meet.example/secret")
    holder, waiting = make_user(), make_user()
    actions.register_for_event(user=holder, event=event)
    actions.register_for_event(user=waiting, event=event)

    client.force_login(waiting)
    assert "meet.example/secret" not in client.get(event.get_absolute_url()).content.decode()
    assert b"meet.example/secret" not in client.get(f"/events/{event.pk}/event.ics").content
    client.force_login(holder)
    assert "meet.example/secret" in client.get(event.get_absolute_url()).content.decode()


def test_feedback_is_for_attendees_after_the_event(client):
    staff = make_staff()
    start = timezone.now() + timedelta(hours=2)
    event = make_event(staff=staff, starts_at=start, hours=1)
    came, absent, stranger = make_user(), make_user(), make_user()
    actions.register_for_event(user=came, event=event)
    actions.register_for_event(user=absent, event=event)
    client.force_login(came)
    assert client.get(f"/events/{event.pk}/feedback/").status_code == 403  # not over yet

    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(hours=1)
    )
    actions.mark_attendance(actor=staff, event=event, attended_ids=[came.pk])
    bad = client.post(f"/events/{event.pk}/feedback/", {"rating": "9", "most_useful": "Kept"})
    good = client.post(f"/events/{event.pk}/feedback/", {"rating": "5", "most_useful": "Examples"})

    assert bad.status_code == 400 and "Kept" in bad.content.decode()
    assert good.status_code == 302
    assert event.feedback.get().most_useful == "Examples"
    for outsider in (absent, stranger):
        client.force_login(outsider)
        assert client.get(f"/events/{event.pk}/feedback/").status_code == 403


def test_staff_export_registrations_as_csv_safe_from_formulas(client):
    staff = make_staff()
    event = make_event(staff=staff)
    actions.register_for_event(user=make_user(display_name="=HYPERLINK(1)"), event=event)
    client.force_login(staff)

    body = client.get(f"/events/{event.pk}/registrations.csv").content.decode("utf-8-sig")

    assert body.splitlines()[0].startswith("Name,Email,Role")
    assert "'=HYPERLINK(1)" in body


def test_staff_mark_attendance_from_the_registrations_page(client):
    staff = make_staff()
    event = make_event(staff=staff)
    a, b = make_user(), make_user()
    actions.register_for_event(user=a, event=event)
    actions.register_for_event(user=b, event=event)
    client.force_login(staff)

    client.post(f"/events/{event.pk}/attendance/", {"attended": [str(a.pk)]})
    bad = client.post(f"/events/{event.pk}/attendance/", {"attended": ["x"]})

    assert dict(Registration.objects.values_list("user_id", "attended")) == {
        a.pk: True,
        b.pk: False,
    }
    assert bad.status_code == 400


def test_bad_event_form_keeps_the_text_and_says_why(client):
    client.force_login(make_staff())

    response = client.post(
        "/events/new/",
        {
            "title": "Kept title here",
            "description": "A description that is kept.",
            "format": "in_person",
            "starts_at": "2030-03-31T10:00",
            "ends_at": "2030-03-31T09:00",
            "audience": "everyone",
            "capacity": "5",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Kept title here" in html
    assert "must end after it starts" in html
    assert "venue and its address" in html


def test_staff_schedule_an_event_through_the_form(client):
    client.force_login(make_staff())

    response = client.post(
        "/events/new/",
        {
            "title": "Hybrid workshop",
            "description": "Working with midwives in hubs.",
            "format": "hybrid",
            "venue": "Leeds Civic Hall",
            "address": "Calverley Street, Leeds",
            "online_url": "https://meet.example/x",
            "starts_at": "2030-03-31T10:00",
            "ends_at": "2030-03-31T12:00",
            "audience": "professionals",
            "capacity": "40",
            "region": str(Region.objects.get(slug="yorkshire-and-the-humber").pk),
        },
    )

    event = Event.objects.get()
    assert response.status_code == 302
    assert event.region.slug == "yorkshire-and-the-humber"
    assert event.starts_local.hour == 10


def test_staff_attach_a_pdf_that_members_can_download_and_visitors_cannot_for_regional(client):
    staff = make_staff()
    event = make_event(staff=staff, region=Region.objects.get(slug="london"))
    client.force_login(staff)
    pdf = SimpleUploadedFile("slides.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    response = client.post(
        f"/events/{event.pk}/materials/", {"kind": "slides", "title": "Slides", "file": pdf}
    )
    material = event.materials.get()
    url = material.get_absolute_url()

    assert response.status_code == 302
    client.force_login(make_user())
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 404


def test_staff_open_a_discussion_thread_linked_from_the_event(client):
    staff = make_staff()
    event = make_event(staff=staff, region=Region.objects.get(slug="london"))
    client.force_login(staff)

    response = client.post(f"/events/{event.pk}/discussion/")
    event.refresh_from_db()

    assert response.status_code == 302
    assert event.discussion_thread.space.region.slug == "london"
    assert (
        event.discussion_thread.get_absolute_url()
        in client.get(event.get_absolute_url()).content.decode()
    )


def test_proposals_page_lets_members_propose_and_support(client):
    proposer = make_user()
    client.force_login(proposer)
    bad = client.post("/events/proposals/", {"title": "Kept", "description": "short"})
    client.post(
        "/events/proposals/",
        {"title": "Family hub outreach in rural areas", "description": "Transport and outreach."},
    )
    supporter = make_user()
    client.force_login(supporter)
    proposal = __import__("community.training.models", fromlist=["Proposal"]).Proposal.objects.get()

    client.post(f"/events/proposals/{proposal.pk}/support/")

    assert bad.status_code == 400 and "Kept" in bad.content.decode()
    proposal.refresh_from_db()
    assert proposal.support_count == 2


def test_unknown_filters_get_a_clear_400(client):
    assert client.get("/events/?region=atlantis").status_code == 400
    assert client.get("/events/calendar/2026/13/").status_code == 404


def _events(n: int, staff, region=None) -> None:
    topic = __import__("tests.factories", fromlist=["any_topic"]).any_topic()
    for i in range(n):
        make_event(
            staff=staff,
            title=f"Event number {i}",
            starts_at=timezone.now() + timedelta(days=1 + i % 20),
            region=region,
            topics=(topic,),
        )


@pytest.mark.parametrize(
    "path",
    [
        "/events/",
        "/events/past/",
        "/events/mine/",
        "CALENDAR",
        "/events/proposals/",
        "/events/proposals/demand/",
    ],
)
def test_pages_cost_the_same_queries_at_two_sizes(client, django_assert_max_num_queries, path):
    staff = make_staff()
    client.force_login(staff)
    month = timezone.now() + timedelta(days=5)
    url = f"/events/calendar/{month.year}/{month.month}/" if path == "CALENDAR" else path

    def fill(n):
        _events(n, staff)
        for event in Event.objects.all()[:n]:
            actions.register_for_event(user=staff, event=event)
        for i in range(n):
            p = actions.propose_topic(
                user=make_user(), title=f"Proposal {i}", description="Please help us."
            )
            actions.support_proposal(user=make_user(), proposal=p)

    fill(2)
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    budget = len(small.captured_queries)  # before the next request resets the log
    fill(8)
    client.get(url)  # the new notifications' bell count is cached again (as in `small`)
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


def test_event_and_registrations_pages_cost_the_same_queries_with_more_registrations(
    client, django_assert_max_num_queries
):
    staff = make_staff()
    event = make_event(staff=staff, capacity=50)
    actions.register_for_event(user=make_user(), event=event)
    client.force_login(staff)
    paths = [event.get_absolute_url(), f"/events/{event.pk}/registrations/"]
    client.get(paths[0])
    small = {}
    for path in paths:
        with django_assert_max_num_queries(14) as captured:
            assert client.get(path).status_code == 200
        small[path] = len(captured.captured_queries)
    for _ in range(10):
        actions.register_for_event(user=make_user(), event=event)
    for path in paths:
        with django_assert_max_num_queries(small[path]):
            assert client.get(path).status_code == 200
