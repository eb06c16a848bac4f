"""Every poll read path (the poll page, its widget, the CSV export, the API's `polls` and
`polls_votes`, the vote endpoint, the live socket payload) against a hidden post, a held
post, a post in a private region and a SupportLine case; a minor's vote is never named."""

from __future__ import annotations

import json

import pytest

from api.models import ApiKey
from community.forum import actions as forum_actions
from community.forum.models import Status
from community.moderation.actions import flag_post
from community.polls import actions
from community.polls.models import Poll
from notifications import push
from tests import factories as f
from tests.supportline.builders import make_case

pytestmark = pytest.mark.django_db

POLL = "{words}\n\n[poll name=time results=always]\n* Morning {words}\n* Evening\n[/poll]\n"


def as_member(user) -> dict:
    key = ApiKey(description="test", user=user, scope="write")
    secret = key.set_new_key()
    key.save()
    return {"HTTP_API_KEY": secret, "HTTP_API_USERNAME": user.username}


def first_option(poll: Poll) -> int:
    return poll.options.order_by("position").values_list("pk", flat=True).first()


@pytest.fixture
def world(committed):
    alice = f.make_user(username="alice", is_verified=True)
    voter = f.make_user()
    with committed():
        public = f.make_thread(author=alice, title="Public poll thread", source=POLL.format(
            words="Public"))  # fmt: skip
        hidden_post = forum_actions.create_post(
            author=f.make_user(), thread=public, source=POLL.format(words="Hiddenpoll")
        )
        actions.cast_vote(
            voter=voter,
            poll=Poll.objects.get(post=hidden_post),
            option_ids=[first_option(Poll.objects.get(post=hidden_post))],
        )
        flag_post(flagger=alice, post=hidden_post, reason="safeguarding")
        held = f.make_thread(
            author=f.make_user(role="parent_carer"), space=f.premoderated_space(),
            title="Held poll thread", source=POLL.format(words="Heldpoll"),
        )  # fmt: skip
        private = f.make_thread(
            author=alice, space=f.private_group(), title="Private poll thread",
            source=POLL.format(words="Privatepoll"),
        )  # fmt: skip
    hidden_post.refresh_from_db()
    assert hidden_post.status == Status.HIDDEN
    held_post = held.posts.get(number=1)
    assert held_post.status == Status.HELD
    return {
        "alice": alice,
        "public": public,
        "polls": {
            "hidden": Poll.objects.get(post=hidden_post),
            "held": Poll.objects.get(post=held_post),
            "private": Poll.objects.get(post__thread=private),
        },
        "words": {"hidden": "Hiddenpoll", "held": "Heldpoll", "private": "Privatepoll"},
    }


KINDS = ["hidden", "held", "private"]


@pytest.mark.parametrize("kind", KINDS)
def test_poll_page_widget_and_export_are_not_found(client, world, kind):
    poll = world["polls"][kind]
    for viewer in (f.make_user(), None):
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        for tail in ("", "widget/", "results.csv"):
            response = client.get(f"/polls/{poll.post_id}/time/{tail}")
            assert response.status_code in (404, 302), (kind, tail)
            assert world["words"][kind] not in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_the_api_shows_no_poll_of_the_post(client, world, kind):
    poll = world["polls"][kind]
    headers = as_member(f.make_user())
    for url in (f"/t/{poll.post.thread_id}.json", f"/posts/{poll.post_id}.json",
                f"/t/{world['public'].pk}.json", "/posts.json"):  # fmt: skip
        body = client.get(url, **headers).content.decode()
        assert world["words"][kind] not in body, (kind, url)
        for post in json.loads(body).get("post_stream", {}).get("posts", []):
            assert post["id"] != poll.post_id


@pytest.mark.parametrize("kind", KINDS)
def test_the_api_takes_no_vote_in_the_poll(client, world, kind):
    poll = world["polls"][kind]
    body = {"post_id": poll.post_id, "poll_name": "time", "options[]": [first_option(poll)]}
    response = client.put(
        "/polls/vote", json.dumps(body), content_type="application/json",
        **as_member(f.make_user()),
    )  # fmt: skip
    assert response.status_code == 404
    assert world["words"][kind] not in response.content.decode()


@pytest.mark.parametrize("kind", ["hidden", "held"])
def test_closing_the_poll_of_a_post_readers_cannot_see_is_not_announced(world, kind, committed,
                                                                        published_events):  # fmt: skip
    poll = world["polls"][kind]
    with committed():
        actions.set_poll_status(actor=f.make_moderator(), poll=poll, closed=True)
    event = [e for e in published_events if e["type"] == "poll.status"][-1]
    assert event["post_readable"] is False
    sent = []
    original = push._send_all
    push._send_all = sent.extend
    try:
        push.forward_thread_event(event)
    finally:
        push._send_all = original
    assert sent == []


def test_closing_a_due_poll_in_a_hidden_post_is_not_announced(world, committed, published_events):
    from datetime import timedelta

    from django.utils import timezone

    poll = world["polls"]["hidden"]
    Poll.objects.filter(pk=poll.pk).update(close_at=timezone.now() - timedelta(minutes=1))
    with committed():
        assert actions.close_due_polls() >= 1
    event = [e for e in published_events if e["post_id"] == poll.post_id][-1]
    sent = []
    original = push._send_all
    push._send_all = sent.extend
    try:
        push.forward_thread_event(event)
    finally:
        push._send_all = original
    assert sent == []


def test_a_published_polls_vote_is_still_announced_with_counts_only(world, committed,
                                                                    published_events):  # fmt: skip
    poll = Poll.objects.get(post__thread=world["public"], post__number=1)
    with committed():
        actions.cast_vote(voter=f.make_user(), poll=poll, option_ids=[first_option(poll)])
    event = [e for e in published_events if e["type"] == "poll.voted"][-1]
    sent = []
    original = push._send_all
    push._send_all = sent.extend
    try:
        push.forward_thread_event(event)
    finally:
        push._send_all = original
    [(group, message)] = sent
    assert group == f"thread-{world['public'].pk}"
    assert "voter_id" not in message["event"] and message["event"]["counts"]


def test_the_held_posts_author_and_moderators_still_see_its_poll(client, world):
    poll = world["polls"]["held"]
    client.force_login(poll.post.author)
    assert client.get(f"/polls/{poll.post_id}/time/").status_code == 200
    client.force_login(f.make_moderator())
    assert client.get(f"/polls/{poll.post_id}/time/results.csv").status_code == 200


def test_a_poll_written_in_a_supportline_case_is_no_poll(client):
    requester = f.make_user()
    before = Poll.objects.count()
    case = make_case(requester, question=POLL.format(words="Caseword"))
    assert Poll.objects.count() == before
    headers = as_member(f.make_user())
    for url in ("/latest.json", "/posts.json"):
        assert "Caseword" not in client.get(url, **headers).content.decode()
    assert client.get("/search.json?q=Caseword", **headers).json()["posts"] == []
    assert not Poll.objects.filter(post__source__contains="Caseword").exists()
    assert case.reference


def test_a_minors_vote_is_counted_and_never_named_in_a_public_poll(client, committed):
    """In a space no child reads (a minor moderator is the only way one could: defence in
    depth): the page, widget, API, export and live payload count the vote, never the name."""
    from community.forum.models import Space

    with committed():
        thread = f.make_thread(
            author=f.make_user(is_verified=True), space=Space.objects.get(slug="la-leads"),
            source="Vote\n\n[poll name=time public=true]\n* Yes\n* No\n[/poll]",
        )  # fmt: skip
    poll = Poll.objects.get(post__thread=thread)
    adult = f.make_user(display_name="Adult Voter", is_verified=True)
    minor = f.make_user(role="moderator", display_name="Young Voter", age_band="16-17")
    actions.cast_vote(voter=adult, poll=poll, option_ids=[first_option(poll)])
    actions.cast_vote(voter=minor, poll=poll, option_ids=[first_option(poll)])
    moderator = f.make_moderator()
    client.force_login(moderator)
    bodies = [
        client.get(f"/polls/{poll.post_id}/time/").content.decode(),
        client.get(f"/polls/{poll.post_id}/time/widget/").content.decode(),
        client.get(f"/polls/{poll.post_id}/time/results.csv").content.decode(),
    ]
    client.logout()
    bodies.append(
        client.get(f"/posts/{poll.post_id}.json", **as_member(moderator)).content.decode()
    )
    for body in bodies:
        assert "Adult Voter" in body
        assert "Young Voter" not in body
    api_poll = json.loads(bodies[-1])["polls"][0]
    assert api_poll["voters"] == 2
    assert [v["name"] for v in api_poll["preloaded_voters"][str(first_option(poll))]] == [
        "Adult Voter"
    ]
