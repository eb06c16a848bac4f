"""Cached post and thread-row fragments render exactly what a full render would, per viewer."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.forum import actions
from community.forum.models import Post, Thread
from community.moderation import actions as moderation_actions
from tests.factories import make_moderator, make_thread, make_user, national

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    # Masked CSRF tokens differ on every render, and a cached fragment skips the template's
    # indentation around it; everything else must match.
    html = TOKEN.sub('name="csrfmiddlewaretoken" value="…"', response.content.decode())
    return re.sub(r"\s+", " ", html)


def _client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def busy_thread():
    """A thread with the cases a post can be in: minor author, reactions, held, deleted, a note."""
    author = make_user(username="opener", display_name="Opener")
    minor = make_user(role="young_person", username="younger", age_band="13-15")
    newcomer = make_user(username="newcomer", trust_level=0)
    moderator = make_moderator(username="mod")
    thread = make_thread(author=author, space=national(), source="Opening **words**")
    actions.create_post(author=minor, thread=thread, source="A young person's view")
    reply = actions.create_post(author=author, thread=thread, source="Thanks @younger")
    actions.create_post(author=newcomer, thread=thread, source="Waiting for approval")
    doomed = actions.create_post(author=author, thread=thread, source="Posted in error")
    actions.delete_post(actor=author, post=doomed)
    moderation_actions.add_moderator_note(actor=moderator, thread=thread, text="Moved here")
    actions.toggle_reaction(user=minor, post=reply, kind="like")
    actions.toggle_bookmark(user=author, post=reply)
    actions.toggle_bookmark(user=minor, post=thread.posts.get(number=1))
    actions.edit_post(editor=author, post=reply, source="Thanks @younger, edited")
    # Old enough that "3 days ago" holds for the whole test (pages are compared as text).
    then = timezone.now() - timedelta(days=3, minutes=30)
    Post.objects.filter(thread=thread).update(created_at=then)
    Thread.objects.filter(pk=thread.pk).update(created_at=then, last_post_at=then)
    thread.refresh_from_db()
    return {
        "thread": thread,
        "author": author,
        "minor": minor,
        "newcomer": newcomer,
        "moderator": moderator,
    }


def test_thread_page_is_the_same_with_cached_fragments(settings, busy_thread):
    """Each viewer's page matches a full render, also when others filled the cache first."""
    viewers = [None, *(busy_thread[k] for k in ("author", "minor", "newcomer", "moderator"))]
    viewers.append(make_user())
    url = busy_thread["thread"].get_absolute_url() + "?page=1"
    settings.FRAGMENT_CACHE_ENABLED = False
    full = [_page(_client_for(user), url) for user in viewers]
    settings.FRAGMENT_CACHE_ENABLED = True
    for _round in range(2):  # the first round renders and stores, the second is served from it
        for user, expected in zip(viewers, full, strict=True):
            assert _page(_client_for(user), url) == expected, f"page as seen by {user}"


def test_lists_are_the_same_with_cached_rows(settings, busy_thread):
    """Read, unread and new badges differ per member; rows are shared only where they match."""
    viewers = [None, busy_thread["author"], busy_thread["moderator"], busy_thread["minor"]]
    other = make_thread(title="Another thread to list", space=national())
    Thread.objects.filter(pk=other.pk).update(last_post_at=timezone.now() - timedelta(days=2))
    actions.record_read(user=busy_thread["minor"], thread=busy_thread["thread"], number=2)
    for url in (reverse("forum:latest"), national().get_absolute_url()):
        settings.FRAGMENT_CACHE_ENABLED = False
        full = [_page(_client_for(user), url) for user in viewers]
        settings.FRAGMENT_CACHE_ENABLED = True
        for _round in range(2):
            for user, expected in zip(viewers, full, strict=True):
                assert _page(_client_for(user), url) == expected, f"{url} as seen by {user}"


def test_a_members_own_state_is_not_shown_to_another(busy_thread):
    thread = busy_thread["thread"]
    url = thread.get_absolute_url() + "?page=1"
    reactor, other = make_user(), make_user()
    first_post = thread.posts.get(number=1)
    actions.toggle_reaction(user=reactor, post=first_post, kind="thanks")
    reactor_page = _page(_client_for(reactor), url)
    other_page = _page(_client_for(other), url)
    pressed = re.compile(r'class="reaction mine" aria-pressed="true"')
    assert len(pressed.findall(reactor_page)) == 1
    assert not pressed.findall(other_page)


def test_forms_in_shared_fragments_carry_the_viewers_own_csrf_token(busy_thread):
    thread = busy_thread["thread"]
    url = thread.get_absolute_url() + "?page=1"
    first, second = make_user(), make_user()
    _page(_client_for(first), url)  # fills the cache with fragments rendered for `first`
    client = Client(enforce_csrf_checks=True)
    client.force_login(second)
    page = client.get(url).content.decode()
    post = thread.posts.get(number=1)
    form = re.search(
        rf'action="{reverse("forum:react", args=[post.pk])}".*?value="([^"]+)"', page, re.S
    )
    assert form, "the reaction form is on the page"
    response = client.post(
        reverse("forum:react", args=[post.pk]),
        {"csrfmiddlewaretoken": form.group(1), "kind": "like"},
    )
    assert response.status_code == 302
    assert post.reactions.filter(user=second, kind="like").exists()


def test_changes_show_at_once_with_fragments_cached(busy_thread):
    thread, author = busy_thread["thread"], busy_thread["author"]
    url = thread.get_absolute_url() + "?page=1"
    viewer = _client_for(make_user())
    assert "Opening <strong>words</strong>" in _page(viewer, url)
    first_post = thread.posts.get(number=1)
    actions.edit_post(editor=author, post=first_post, source="Opening words, revised")
    actions.toggle_reaction(user=make_user(), post=first_post, kind="like")
    author.display_name = "Opener Renamed"
    author.save()
    page = _page(viewer, url)
    assert "Opening words, revised" in page and "Opening <strong>words</strong>" not in page
    assert "Opener Renamed" in page
    latest = _page(viewer, reverse("forum:latest"))
    assert thread.title in latest
    thread.refresh_from_db()
    actions.create_post(author=author, thread=thread, source="One more reply")
    assert "One more reply" in _page(viewer, url)


def test_a_post_cannot_pick_up_the_readers_csrf_token(busy_thread):
    """Only the hidden input is filled in: a link carrying the placeholder stays inert."""
    from community.fragments import _csrf_placeholder

    thread = busy_thread["thread"]
    placeholder = _csrf_placeholder()
    actions.create_post(
        author=busy_thread["author"],
        thread=thread,
        source=f"[see this](https://example.org/?t={placeholder}) and `{placeholder}`",
    )
    client = _client_for(make_user())
    url = thread.get_absolute_url() + "?page=1"
    for _round in range(2):
        page = client.get(url).content.decode()
        token = client.cookies["csrftoken"].value
        assert f"https://example.org/?t={placeholder}" in page
        assert f"?t={token}" not in page


def _naturaltime_at(value, now):
    from unittest import mock

    from django.contrib.humanize.templatetags import humanize

    with mock.patch.object(humanize, "datetime", wraps=humanize.datetime) as patched:
        patched.now.return_value = now
        return humanize.naturaltime(value)


def test_time_bucket_changes_whenever_the_relative_time_does():
    from community.fragments import time_bucket

    now = timezone.now()
    elapsed = 400 * 86400
    seen: dict[tuple, str] = {}
    # From a year ago to now, in steps finer than each range's unit, so that several values
    # fall in each bucket and must all read the same.
    while elapsed >= 0:
        value = now - timedelta(seconds=elapsed)
        bucket, text = time_bucket(value, now), _naturaltime_at(value, now)
        assert seen.setdefault(bucket, text) == text, (elapsed, bucket, text)
        elapsed -= 3 * 3600 if elapsed > 8 * 86400 else 7 * 60 if elapsed > 3600 else 7


def test_time_bucket_follows_months_that_end_early():
    """timesince clamps to short months: from 31 January, "1 month" starts at midnight on
    1 March, not at the post's time of day."""
    from community.fragments import time_bucket

    value = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
    now = value + timedelta(days=7)
    seen: dict[tuple, str] = {}
    while now < value + timedelta(days=400):
        bucket, text = time_bucket(value, now), _naturaltime_at(value, now)
        assert seen.setdefault(bucket, text) == text, (now, bucket, text)
        now += timedelta(hours=1)
    before = datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC)
    after = datetime(2026, 3, 1, 0, 0, 0, tzinfo=UTC)
    assert _naturaltime_at(value, before) != _naturaltime_at(value, after)
    assert time_bucket(value, before) != time_bucket(value, after)
