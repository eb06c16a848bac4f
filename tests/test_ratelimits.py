"""The one limiter: posting, flagging, private messages and visitors' forms all answer a page
that says how long to wait, with status 429 and Retry-After, keeping what the person wrote."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.conversations import actions as conversation_actions
from community.moderation.models import Flag
from tests.factories import make_thread, make_user

pytestmark = pytest.mark.django_db


def _assert_refused_keeping(response, text: str) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "Please wait" in body or "please wait" in body
    assert text in body


def test_posting_too_fast_is_a_429_that_keeps_the_reply(client, settings):
    settings.POSTS_PER_MINUTE = 1
    member = make_user()
    thread = make_thread()
    client.force_login(member)
    url = reverse("forum:reply", args=[thread.pk])
    assert client.post(url, {"source": "My first reply here"}).status_code == 302
    refused = client.post(url, {"source": "A second reply, too soon"})
    _assert_refused_keeping(refused, "A second reply, too soon")


def test_flags_are_limited_to_flags_per_hour(client, settings):
    settings.FLAGS_PER_HOUR = 2
    member = make_user()
    posts = [make_thread().posts.get(number=1) for _ in range(3)]
    client.force_login(member)
    for post in posts[:2]:
        flagged = client.post(reverse("moderation:flag", args=[post.pk]), {"reason": "spam"})
        assert flagged.status_code == 302
    refused = client.post(
        reverse("moderation:flag", args=[posts[2].pk]),
        {"reason": "other", "note": "Looks like an advert to me"},
    )
    _assert_refused_keeping(refused, "Looks like an advert to me")
    assert Flag.objects.filter(flagger=member).count() == 2


def test_private_messages_too_fast_are_a_429_that_keeps_the_message(client, monkeypatch):
    adult = make_user()
    conversation = conversation_actions.start_conversation(
        sender=adult, recipients=[make_user()], subject="Minibus", source="Who funds yours?"
    )
    monkeypatch.setattr(conversation_actions, "MESSAGES_PER_MINUTE", 1)
    client.force_login(adult)
    url = reverse("conversations:reply", args=[conversation.pk])
    assert client.post(url, {"source": "Thanks, that helps"}).status_code == 302
    refused = client.post(url, {"source": "One more thing I forgot"})
    _assert_refused_keeping(refused, "One more thing I forgot")


def test_supportline_visitor_requests_are_limited_per_address(client, settings):
    from tests.supportline.test_visitors import _visitor_form

    settings.SUPPORTLINE_VISITOR_REQUESTS_PER_HOUR = 1
    url = reverse("supportline:request")
    assert client.post(url, _visitor_form(email="one@hubtown.gov.uk")).status_code == 302
    refused = client.post(
        url, _visitor_form(email="two@hubtown.gov.uk", question="A second question, kept please")
    )
    _assert_refused_keeping(refused, "A second question, kept please")


def test_the_shared_cache_counts_a_hit_in_one_call_starting_the_counter_with_its_timeout():
    """Redis: SET NX and INCR together (rate limits and the page-cache generation), where
    `add` then `incr` was three round trips for every hit after the first."""
    from django.core.cache import cache

    from tests.conftest import require_service

    require_service("Redis (REDIS_URL)", hasattr(cache, "count"))
    assert cache.count("hits", timeout=30) == 1
    assert cache.count("hits", timeout=30) == 2
    assert cache.get("hits") == 2
    ttl = cache._cache.get_client(write=True).ttl(cache.make_key("hits"))
    assert 0 < ttl <= 30
    assert cache.count("generation", timeout=None, start=1) == 2


def test_posts_over_the_limit_are_refused_until_the_window_ends(settings):
    from community import ratelimits

    assert [ratelimits.hit("post", 41, limit=2, window=60) for _ in range(2)] == [0, 0]
    assert 0 < ratelimits.hit("post", 41, limit=2, window=60) <= 60
    assert ratelimits.blocked_for("post", 41, limit=2, window=60) > 0
    assert ratelimits.hit("post", 42, limit=2, window=60) == 0  # another member's count


def test_a_lost_page_cache_generation_starts_above_every_one_it_had():
    """Pages are kept under a generation (the page cache, and processes' kept thread pages),
    so a generation lost with the cache (a flushed Redis) must not start again at a value it
    had: readers and writers start it from the clock."""
    import time

    from django.core.cache import cache

    from community import pagecache

    cache.delete(pagecache.GENERATION_KEY)
    first = pagecache.generation()
    pagecache.invalidate({"type": "post.created", "thread_id": 1})
    assert pagecache.generation() == first + 1
    time.sleep(0.002)
    cache.delete(pagecache.GENERATION_KEY)  # lost, then bumped before anyone reads it
    pagecache.invalidate({"type": "post.created", "thread_id": 1})
    assert pagecache.generation() > first + 1


def test_the_shared_cache_counts_and_reads_other_keys_in_one_call():
    from django.core.cache import cache

    from community import ratelimits
    from tests.conftest import require_service

    require_service("Redis (REDIS_URL)", hasattr(cache, "count_and_read"))
    cache.set("screen:list", [("word", False, "block")], 30)
    count, found = cache.count_and_read("hits", 30, ["screen:list", "screen:missing"])
    assert count == 1 and found == {"screen:list": [("word", False, "block")]}
    assert ratelimits.hit_and_read("post", 43, limit=1, window=60, read=["screen:list"]) == (
        0,
        {"screen:list": [("word", False, "block")]},
    )
    wait, found = ratelimits.hit_and_read("post", 43, limit=1, window=60, read=["screen:list"])
    assert wait > 0 and found == {"screen:list": [("word", False, "block")]}
