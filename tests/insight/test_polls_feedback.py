"""Poll participation and families' feedback on the dashboard: the numbers built, what must
not count, small numbers suppressed, and the measures in place of "not yet collected"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from community.feedback.insight import responses_by_region, responses_by_topic
from community.feedback.models import FeedbackResponse
from community.forum import actions as forum_actions
from community.forum.models import Post, Status
from community.insight import registry
from community.insight.filters import Filters
from community.insight.privacy import publish
from community.polls import actions as poll_actions
from community.polls.insight import participation_by_region, participation_by_topic
from community.polls.models import Poll, PollVote
from tests.factories import make_thread

from .builders import authority_in, member, region, topics

pytestmark = pytest.mark.django_db

POLL = "Vote\n\n[poll name=p type=multiple min=1 max=2]\n* One\n* Two\n* Three\n[/poll]"


def period(**kw) -> Filters:
    today = timezone.localdate()
    return Filters(start=today - timedelta(days=89), end=today, **kw)


def as_dict(table) -> dict[str, list[int]]:
    return {label: values for label, values in table.rows}


def poll_about(topic) -> Poll:
    thread = make_thread(author=member(), topic=topic, source=POLL)
    return Poll.objects.get(post__thread=thread)


def vote(poll: Poll, voter, n_options: int = 1) -> None:
    ids = list(poll.options.order_by("position").values_list("pk", flat=True))[:n_options]
    poll_actions.cast_vote(voter=voter, poll=poll, option_ids=ids)


@pytest.fixture
def ballots():
    a, b, _c = topics()
    poll_a, poll_b = poll_about(a), poll_about(b)
    parents = [member("parent_carer") for _ in range(6)]
    for parent in parents:
        vote(poll_a, parent, n_options=2)  # two options ticked: still one ballot
    for _ in range(2):
        vote(poll_a, member("young_person", age_band="13-15"))
    vote(poll_a, member(region_slug="north-west"))
    vote(poll_b, parents[0])
    # Not counted: a vote in a poll whose post was then hidden, and one before the period.
    hidden = poll_about(b)
    vote(hidden, parents[1])
    Post.objects.filter(pk=hidden.post_id).update(status=Status.HIDDEN)
    old = poll_about(b)
    vote(old, parents[2])
    PollVote.objects.filter(poll=old).update(created_at=timezone.now() - timedelta(days=200))
    return {"a": a, "b": b}


def test_poll_participation_counts_ballots_by_topic_and_role(ballots):
    table = participation_by_topic(period())
    assert table.columns == ["Parents and carers", "Young people", "Practitioners and others"]
    assert as_dict(table) == {ballots["a"].name: [6, 2, 1], ballots["b"].name: [1, 0, 0]}


def test_poll_participation_by_the_voters_region(ballots):
    assert as_dict(participation_by_region(period())) == {
        "London": [7, 2, 0],
        "North West": [0, 0, 1],
    }


def test_poll_participation_leaves_young_people_out_at_local_authority_grain(ballots):
    table = participation_by_topic(period(local_authority=authority_in("london")))
    assert "Young people" not in table.columns
    assert as_dict(table) == {ballots["a"].name: [6, 0], ballots["b"].name: [1, 0]}


def test_poll_participation_honours_topic_and_role(ballots):
    by_topic = participation_by_topic(period(topic=ballots["b"]))
    assert as_dict(by_topic) == {ballots["b"].name: [1, 0, 0]}
    by_role = participation_by_topic(period(role="young_person"))
    assert as_dict(by_role) == {ballots["a"].name: [0, 2, 0]}


def assert_no_small_figure_shown_or_recoverable(published) -> None:
    """No figure under 5 is shown, and none hidden can be had back by subtraction: every
    row and column (with its total) hides no figure or at least two."""
    cells = [c for r in published.rows for c in [*r.cells, r.total] if c is not None]
    cells += [c for c in [*(published.totals or []), published.grand_total] if c is not None]
    assert all(c.value is None or c.value >= 5 for c in cells)
    for row in published.rows:
        hidden = [c for c in [*row.cells, row.total] if c is not None and c.value is None]
        assert len(hidden) != 1, row
    if published.totals:
        for j in range(len(published.columns)):
            column = [r.cells[j] for r in published.rows] + [published.totals[j]]
            assert len([c for c in column if c.value is None]) != 1, j


def test_small_poll_numbers_are_suppressed_and_cannot_be_recovered(ballots):
    published = publish(participation_by_topic(period()))
    rows = {row.label: row for row in published.rows}
    assert rows[ballots["a"].name].cells[1].state == "fewer"  # two young people
    assert rows[ballots["b"].name].cells[0].state == "fewer"  # one parent
    assert_no_small_figure_shown_or_recoverable(published)


def feedback(who: str, *, topic=None, region_slug: str | None = "london", la=None,
             status: str = FeedbackResponse.Status.NEW, days: int = 3) -> None:  # fmt: skip
    FeedbackResponse.objects.create(
        who=who, need="Words", topic=topic, region=region(region_slug) if region_slug else None,
        local_authority=la, status=status, created_at=timezone.now() - timedelta(days=days),
    )  # fmt: skip


@pytest.fixture
def responses():
    a, b, _c = topics()
    la = authority_in("london")
    for _ in range(5):
        feedback("parent_carer", topic=a, la=la)
    for _ in range(3):
        feedback("young_person", topic=a)
    feedback("other", topic=b, region_slug="north-west")
    feedback("parent_carer", topic=None, region_slug=None)
    feedback("parent_carer", topic=a, status=FeedbackResponse.Status.ARCHIVED)  # spam
    feedback("parent_carer", topic=a, days=200)  # before the period
    return {"a": a, "b": b, "la": la}


def test_feedback_counts_responses_by_topic_and_who(responses):
    table = responses_by_topic(period())
    assert table.columns == ["A parent or carer", "A young person", "Someone else"]
    assert as_dict(table) == {
        responses["a"].name: [5, 3, 0],
        responses["b"].name: [0, 0, 1],
        "Not given": [1, 0, 0],
    }


def test_feedback_by_the_region_the_family_gave(responses):
    assert as_dict(responses_by_region(period())) == {
        "London": [5, 3, 0],
        "North West": [0, 0, 1],
        "Not given": [1, 0, 0],
    }


def test_feedback_honours_region_and_leaves_young_people_out_by_local_authority(responses):
    assert as_dict(responses_by_topic(period(region=region("north-west")))) == {
        responses["b"].name: [0, 0, 1]
    }
    table = responses_by_topic(period(local_authority=responses["la"]))
    assert table.columns == ["A parent or carer", "Someone else"]
    assert as_dict(table) == {responses["a"].name: [5, 0]}


def test_small_feedback_numbers_are_suppressed(responses):
    published = publish(responses_by_topic(period()))
    rows = {row.label: row for row in published.rows}
    assert rows[responses["a"].name].cells[1].state == "fewer"  # three young people
    assert rows["Not given"].cells[0].state == "fewer"
    assert_no_small_figure_shown_or_recoverable(published)


def test_the_measures_replace_the_placeholders():
    for key in ("families.polls", "families.polls_by_region", "families.feedback",
                "families.feedback_by_region"):  # fmt: skip
        assert registry.get(key).collected, key


def test_the_dashboard_shows_the_new_figures_to_staff_only(client, ballots):
    from tests.factories import make_user

    client.force_login(make_user("staff"))
    page = client.get("/insight/").content.decode()
    assert "Poll participation by practice topic" in page
    assert "Families&#x27; feedback by practice topic" in page or "feedback by practice" in page
    client.force_login(make_user("moderator"))
    assert "Poll participation" not in client.get("/insight/").content.decode()
    client.force_login(make_user("parent_carer"))
    assert client.get("/insight/").status_code in (403, 404)


def test_a_reply_poll_counts_too(ballots):
    thread = make_thread(author=member(), topic=ballots["b"], source="Opening words")
    post = forum_actions.create_post(author=member(), thread=thread, source=POLL)
    poll = Poll.objects.get(post=post)
    for _ in range(5):
        vote(poll, member("parent_carer"))
    assert as_dict(participation_by_topic(period()))[ballots["b"].name] == [6, 0, 0]
