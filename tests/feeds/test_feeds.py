"""Feeds carry public content only, and parse as valid RSS and Atom."""

from __future__ import annotations

import feedparser
import pytest

from community.forum import actions
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum():
    author = f.make_user()
    public = f.make_thread(
        author=author, title="A public thread for feeds", source="Public words", tags=["send"]
    )
    actions.create_post(author=author, thread=public, source="A public reply in the feed")
    gone = actions.create_post(author=author, thread=public, source="A deleted reply")
    actions.delete_post(actor=author, post=gone)
    private = f.make_thread(
        author=author, space=f.private_group(), title="A private group thread", tags=["send"]
    )
    members = f.make_thread(author=author, space=f.regional_group(), title="A members thread")
    held = f.make_thread(
        author=f.make_user(), space=f.premoderated_space(), title="A held thread here"
    )
    return {"public": public, "private": private, "members": members, "held": held}


def parse(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    return feed


def test_every_feed_parses_in_rss_and_atom_and_holds_only_public_threads(client, forum):
    public = forum["public"]
    paths = [
        "/feeds/latest", f"/feeds/s/{public.space.slug}", f"/feeds/topics/{public.topic.slug}",
        "/feeds/tags/send",
    ]  # fmt: skip
    for path in paths:
        for suffix, version in ((".rss", "rss20"), (".atom", "atom10")):
            feed = parse(client, path + suffix)
            assert feed.version == version
            titles = [e.title for e in feed.entries]
            assert public.title in titles, path
            for hidden in ("private", "members", "held"):
                assert forum[hidden].title not in titles, (path, hidden)


def test_thread_feed_has_its_published_posts(client, forum):
    public = forum["public"]
    feed = parse(client, f"/feeds/t/{public.pk}.atom")
    bodies = " ".join(e.summary for e in feed.entries)
    assert "A public reply in the feed" in bodies
    assert "A deleted reply" not in bodies


def test_feeds_of_what_is_not_public_are_not_found(client, forum):
    for path in (
        f"/feeds/t/{forum['private'].pk}.rss", f"/feeds/t/{forum['members'].pk}.rss",
        f"/feeds/t/{forum['held'].pk}.rss", f"/feeds/s/{forum['members'].space.slug}.rss",
    ):  # fmt: skip
        assert client.get(path).status_code == 404, path


def test_latest_feed_queries_do_not_grow(client, forum, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get("/feeds/latest.rss")
    f.bulk_threads(f.national(), 20)
    with django_assert_max_num_queries(4):
        client.get("/feeds/latest.rss")
