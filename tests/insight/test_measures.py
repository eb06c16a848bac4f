"""Each measure against known data: the numbers are the ones built, and what must not count
(held, hidden and deleted posts, private groups' titles, young people below region) does not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.forum.models import Reaction, Space, Status
from community.insight import measures, registry
from community.insight.filters import Filters
from community.library.models import Credit, Resource, ResourceVersion
from community.moderation.models import Flag, ReviewItem, SafeguardingConcern, SafeguardingNote
from community.privacy.models import Appeal
from community.supportline.models import ConsultationRequest
from community.training.models import Event, Proposal, Registration
from tests.factories import make_user, private_group

from .builders import authority_in, days_ago, member, region, reply, thread, topics

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=30)


def period(**kw) -> Filters:
    today = timezone.localdate()
    return Filters(start=today - timedelta(days=89), end=today, **kw)


def as_dict(table) -> dict[str, list[int]]:
    return {label: values for label, values in table.rows}


def test_threads_and_replies_count_published_posts_by_topic_and_region():
    a, b, _c = topics()
    london = [member() for _ in range(6)]
    for author in london:
        t = thread(author, topic=a, replies=[(london[0], MIN)])
        reply(t, london[1], status=Status.HIDDEN)  # hidden: not counted
    thread(member(region_slug="north-west"), topic=b)
    thread(london[2], topic=a, space=private_group())  # a private group's thread counts
    thread(london[3], topic=a, status=Status.HELD)  # held: not counted
    thread(member("parent_carer"), topic=a)  # not a provider
    thread(london[4], topic=a, at=days_ago(200))  # before the period
    deleted = thread(london[5], topic=a)
    deleted.posts.update(deleted_at=timezone.now())

    by_topic = as_dict(measures.threads_by_topic(period()))
    by_region = as_dict(measures.threads_by_region(period()))

    assert by_topic == {a.name: [7, 6], b.name: [1, 0]}
    assert by_region == {"London": [7, 6], "North West": [1, 0]}


def test_active_practitioners_and_authorities_by_region():
    a = topics()[0]
    for index in range(6):
        thread(member(la_index=index % 2), topic=a)
    thread(member(region_slug="north-west"), topic=a)
    thread(member("parent_carer"), topic=a)

    assert as_dict(measures.active_providers(period())) == {
        "London": [6, 2],
        "North West": [1, 1],
    }


def test_time_to_first_reply_and_unanswered_threads():
    a = topics()[0]
    author, other = member(), member()
    for after in [MIN, MIN, timedelta(hours=3), timedelta(days=2), timedelta(days=10)]:
        thread(author, topic=a, at=days_ago(20), replies=[(other, after)])
    thread(author, topic=a)
    thread(author, topic=a)
    only_hidden = thread(author, topic=a)
    reply(only_hidden, other, status=Status.HIDDEN)

    assert [v[0] for _label, v in measures.first_reply(period()).rows] == [2, 1, 1, 1, 3]


def test_top_threads_show_titles_of_open_threads_only_with_replies_and_reactions():
    a = topics()[0]
    author, other = member(), member()
    top = thread(author, topic=a, title="Evening sessions for working parents")
    posts = [reply(top, other) for _ in range(6)]
    for p in posts[:2]:
        Reaction.objects.create(post=p, user=author, kind="like", created_at=days_ago(3))
    secret = thread(author, topic=a, space=private_group(), title="Pilot in a private group")
    for _ in range(9):
        reply(secret, other)
    verified = Space.objects.get(slug="la-leads")
    leads = thread(author, topic=a, space=verified, title="Commissioners only")
    reply(leads, other)
    young = make_user("young_person", age_band="16-17")
    by_minor = thread(young, topic=a, title="A young person's thread")
    reply(by_minor, other)

    table = measures.top_threads(period())

    assert table.rows == [("Evening sessions for working parents", [6, 2])]


def test_families_posts_by_topic_and_young_people_by_region_and_age_band():
    a, b, _c = topics()
    parents = [member("parent_carer") for _ in range(3)]
    for p in parents * 2:
        thread(p, topic=a)
    thread(member("young_person", age_band="16-17"), topic=a)
    for _ in range(2):
        thread(member("young_person", age_band="13-15", region_slug="north-west"), topic=b)
    thread(member(), topic=a)  # a practitioner: not families

    assert as_dict(measures.families_by_topic(period())) == {a.name: [6, 1], b.name: [0, 2]}
    assert as_dict(measures.young_people_by_region(period())) == {
        "London": [0, 1, 0],
        "North West": [2, 0, 0],
    }


def test_with_a_local_authority_young_people_are_left_out_of_every_figure():
    a = topics()[0]
    camden = authority_in("london")
    thread(member("parent_carer"), topic=a)
    thread(member("young_person", age_band="16-17"), topic=a)
    young = member("young_person", age_band="13-15")
    flagged = thread(young, topic=a).posts.get()
    Flag.objects.create(post=flagged, flagger=member(), reason="spam", created_at=days_ago(1))
    filters = period(local_authority=camden)

    families = measures.families_by_topic(filters)
    assert families.columns == ["Parent or carer"]
    assert as_dict(families) == {a.name: [1]}
    assert measures.young_people_by_region(filters).rows == []
    assert measures.flags_by_reason(filters).rows == []
    assert measures.flags_by_reason(period(region=region("london"))).rows != []


def test_posts_held_by_screening_are_counted_by_role_only():
    a = topics()[0]
    for role in ["parent_carer", "parent_carer", "young_person", "practitioner"]:
        held = thread(member(role), topic=a, status=Status.HELD).posts.get()
        ReviewItem.objects.create(kind=ReviewItem.Kind.HELD_POST, post=held, created_at=days_ago(2))

    assert as_dict(measures.held_by_screening(period())) == {
        "Parent or carer": [2],
        "Young person": [1],
    }


def _resource(owner, *, rating="3", kind="guidance", review_in_days=None, topic=None, **kw):
    r = Resource.objects.create(
        title="R", slug="r", summary="s", source="b", owner=owner, evidence_rating=rating,
        type=kind, state=Resource.State.PUBLISHED, published_at=days_ago(30),
        next_review_at=(timezone.localdate() + timedelta(days=review_in_days))
        if review_in_days is not None else None, **kw,
    )  # fmt: skip
    version = ResourceVersion.objects.create(
        resource=r,
        number=1,
        title="R",
        summary="s",
        source="b",
        html="<p>b</p>",
        published_by=owner,
    )
    Resource.objects.filter(pk=r.pk).update(current_version=version)
    if topic is not None:
        r.topics.add(topic)
    return r


def test_library_resources_by_rating_topic_review_and_co_production():
    a, b, _c = topics()
    staff = make_user("staff")
    _resource(staff, rating="4+", review_in_days=-3, topic=a)
    _resource(staff, rating="4+", review_in_days=10, topic=a)
    _resource(staff, rating="3", review_in_days=200, topic=b)
    co = _resource(staff, rating="not_rated", kind="co_produced", topic=b)
    credited = _resource(staff, rating="3", review_in_days=100)
    Credit.objects.create(resource=credited, user=make_user("parent_carer"), role="parent_carer")
    Credit.objects.create(resource=co, user=make_user("young_person"), role="young_person")
    Credit.objects.create(resource=co, user=make_user("parent_carer"), role="parent_carer")
    draft = Resource.objects.create(title="D", slug="d", summary="s", source="b", owner=staff)
    draft.topics.add(a)  # never published: not in the library

    assert as_dict(measures.resources_by_rating(period())) == {
        "Level 4+": [2],
        "Level 3": [2],
        "Not rated": [1],
    }
    assert as_dict(measures.resources_by_topic(period())) == {a.name: [2], b.name: [2]}
    assert [v[0] for _l, v in measures.review_status(period()).rows] == [1, 1, 2, 1]
    assert measures.co_produced(period()).rows[0][1] == [2]
    assert as_dict(measures.co_producers_by_role(period())) == {
        "Parent or carer": [2, 2],
        "Young person": [1, 1],
    }


def test_events_by_region_with_places_waitlists_and_no_shows():
    staff = make_user("staff")
    london = region("london")

    def event(where, days):
        start = timezone.now() - timedelta(days=days)
        return Event.objects.create(
            title="E", description="d", starts_at=start, ends_at=start + timedelta(hours=1),
            capacity=50, created_by=staff, region=where,
        )  # fmt: skip

    e1, e2, national = event(london, 10), event(london, 5), event(None, 3)
    event(london, 200)  # before the period
    for i in range(6):
        Registration.objects.create(event=e1, user=make_user(), status="confirmed",
                                    attended=i != 0)  # fmt: skip
    Registration.objects.create(event=e2, user=make_user(), status="waitlisted")
    Registration.objects.create(event=national, user=make_user(), status="confirmed")

    assert as_dict(measures.events_by_region(period())) == {
        "London": [2, 6, 1, 1],
        "National": [1, 1, 0, 0],
    }


def test_training_proposals_and_votes_by_region():
    a = topics()[0]
    for votes in [3, 4]:
        Proposal.objects.create(title="P", description="d", topic=a, proposer=member(),
                                support_count=votes, created_at=days_ago(3))  # fmt: skip
    Proposal.objects.create(title="P", description="d", proposer=member(region_slug="north-west"),
                            support_count=1, created_at=days_ago(3))  # fmt: skip

    assert as_dict(measures.proposals_by_region(period())) == {
        "London": [2, 7],
        "North West": [1, 1],
    }


def test_supportline_requests_by_status_theme_and_first_response_promise():
    a, b, _c = topics()
    now = timezone.now()
    london = region("london")

    def request(status, due_days, responded_days=None, *topics_):
        n = ConsultationRequest.objects.count() + 1
        r = ConsultationRequest.objects.create(
            reference=f"SL-T-{n}", requester=member("commissioner"), organisation="Hub",
            region=london, stage="delivering", question="q", question_html="<p>q</p>",
            status=status, created_at=now - timedelta(days=10),
            first_response_due_at=now + timedelta(days=due_days),
            first_responded_at=now + timedelta(days=responded_days)
            if responded_days is not None else None,
        )  # fmt: skip
        r.topics.add(*topics_)
        return r

    request("closed", -8, -9, a)  # answered within the promise
    request("closed", -8, -9, a, b)
    request("assigned", -8, -5, b)  # answered late
    request("new", -1)  # overdue, no answer
    request("new", 1)  # not due yet

    assert as_dict(measures.requests_by_status(period())) == {
        "New": [2],
        "Expert assigned": [1],
        "Closed": [2],
    }
    assert as_dict(measures.requests_by_theme(period())) == {a.name: [2], b.name: [2]}
    assert [v[0] for _l, v in measures.first_response(period()).rows] == [2, 1, 1, 1]


def test_safety_flags_concerns_first_action_and_appeals():
    a = topics()[0]
    target = thread(member(), topic=a).posts.get()
    for reason, outcome in [("spam", "agreed"), ("spam", "pending"), ("safeguarding", "disagreed")]:
        Flag.objects.create(post=target, flagger=make_user(), reason=reason, outcome=outcome,
                            created_at=days_ago(2))  # fmt: skip
    lead = make_user("staff")
    opened = days_ago(5)
    quick = SafeguardingConcern.objects.create(post=target, raised_by=lead, created_at=opened)
    SafeguardingNote.objects.create(concern=quick, author=lead, text="n",
                                    created_at=opened + timedelta(minutes=20))  # fmt: skip
    SafeguardingConcern.objects.create(post=target, raised_by=lead, created_at=opened,
                                       state="closed", closed_at=opened + timedelta(hours=5))  # fmt: skip
    SafeguardingConcern.objects.create(post=target, raised_by=lead, created_at=opened)
    for state in ["open", "upheld", "upheld", "overturned"]:
        Appeal.objects.create(post=thread(member(), topic=a).posts.get(), appellant=make_user(),
                              decision="hide", statement="s", state=state)  # fmt: skip

    assert as_dict(measures.flags_by_reason(period())) == {
        "Safeguarding concern": [0, 1, 0],
        "Spam or advertising": [1, 0, 1],
    }
    assert [v[0] for _l, v in measures.concerns(period()).rows] == [3, 1, 2]
    assert [v[0] for _l, v in measures.concern_first_action(period()).rows] == [1, 1, 0, 0, 1]
    assert as_dict(measures.appeals(period())) == {
        "Waiting for a moderator": [1],
        "Decision upheld": [2],
        "Decision overturned": [1],
    }


def test_measures_not_collected_have_no_figure_until_an_app_registers_one():
    views = registry.get("evidence.views")
    assert not views.collected

    def opened(filters):
        return registry.Table("Resource type", ["Views"], [("Guide", [7])])

    real = registry.Measure("evidence.views", "evidence", "Views", "Opened.", opened)
    try:
        registry.register(real)
        # This app's placeholder, registered again (another app loading later), never wins.
        registry.register(views, replace=False)
        registry.register(views)
        assert registry.get("evidence.views") is real
    finally:
        registry._measures["evidence.views"] = views
    assert not registry.get("evidence.views").collected
