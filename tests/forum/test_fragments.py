"""Shared pages, fragments and holes render exactly what a full render would, per viewer."""

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.forum import actions
from community.forum.models import Post, Thread
from community.moderation import actions as moderation_actions
from tests.factories import (
    make_moderator,
    make_thread,
    make_user,
    national,
    private_group,
    regional_group,
)

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


@contextmanager
def full_render(settings):
    """Every page rendered for its viewer alone: no shared page, no cached fragment."""
    settings.FRAGMENT_CACHE_ENABLED = False
    with (
        mock.patch("community.forum.permissions.thread_page_class", return_value=None),
        mock.patch("community.forum.permissions.list_page_class", return_value=None),
    ):
        yield
    settings.FRAGMENT_CACHE_ENABLED = True


def assert_assembled_pages_match_full_renders(settings, viewers, urls):
    for url in urls:
        with full_render(settings):
            full = [_page(_client_for(user), url) for user in viewers]
        for _round in range(2):  # the first round renders and stores, the second is served from it
            for user, expected in zip(viewers, full, strict=True):
                assert _page(_client_for(user), url) == expected, f"{url} as seen by {user}"


def test_thread_page_is_the_same_assembled_as_rendered_in_full(settings, busy_thread):
    """Each viewer's assembled page (shared page + their holes) matches a full render, also
    when others filled the cache first: anonymous, the author (own deleted post), a minor,
    a new member with a held post, a moderator, and members who share the reader page."""
    thread = busy_thread["thread"]
    reader, bookmarker = make_user(), make_user()
    first = thread.posts.get(number=1)
    actions.toggle_reaction(user=reader, post=first, kind="thanks")
    actions.toggle_bookmark(user=bookmarker, post=first)
    viewers = [None, *(busy_thread[k] for k in ("author", "minor", "newcomer", "moderator"))]
    viewers += [reader, bookmarker, make_user()]
    assert_assembled_pages_match_full_renders(
        settings, viewers, [thread.get_absolute_url() + "?page=1", thread.post_url(3)]
    )


def test_a_young_authors_name_is_their_own_hole(settings, busy_thread):
    """Once a minor's post is approved, readers share one page: the minor and moderators see
    a link to the author's activity, other members see the name only."""
    thread, minor = busy_thread["thread"], busy_thread["minor"]
    held = thread.posts.filter(author=minor).first()
    if held.status != "published":
        actions.approve_post(moderator=busy_thread["moderator"], post=held)
    other = make_user()
    from community.forum import permissions

    posts = list(thread.posts.filter(status="published", deleted_at__isnull=True))
    assert permissions.thread_page_class(other, thread, posts) == permissions.READER
    url = thread.get_absolute_url() + "?page=1"
    assert_assembled_pages_match_full_renders(
        settings, [other, minor, busy_thread["moderator"], None], [url]
    )
    link = f'href="{reverse("forum:user_activity", args=[minor.username])}"'
    assert link not in _page(_client_for(other), url)
    assert link in _page(_client_for(minor), url)


def test_group_threads_are_assembled_for_their_members_only(settings):
    """A private region's thread: its members share a page; members of another region and
    visitors get 404 whether or not the shared page is warm."""
    group = private_group()
    author = make_user(username="pilot-author")
    thread = make_thread(author=author, space=group, source="Only for the pilot group")
    then = timezone.now() - timedelta(days=3, minutes=30)  # relative times hold for the test
    Post.objects.filter(thread=thread).update(created_at=then)
    Thread.objects.filter(pk=thread.pk).update(created_at=then, last_post_at=then)
    insider = make_user()
    actions.add_member(actor=make_moderator(), user=insider, space=group)
    outsider = make_user()
    london = regional_group("london")
    londoner = make_user()
    actions.join_space(user=londoner, space=london)
    url = thread.get_absolute_url() + "?page=1"
    assert_assembled_pages_match_full_renders(settings, [insider, author, make_moderator()], [url])
    for user in (outsider, londoner, None):
        assert _client_for(user).get(url).status_code == 404


def test_signed_in_thread_page_does_one_query_when_warm(busy_thread, django_assert_num_queries):
    """The member's read position, unsent reply, reactions and bookmarks in one query: the
    thread, its posts and the shared page come from the page another member's request kept,
    the session, member, groups and write generation from the cache in one round trip."""
    thread = busy_thread["thread"]
    url = thread.get_absolute_url() + "?page=1"
    reader = make_user()
    client = _client_for(reader)
    _page(_client_for(make_user()), url)  # another member warms the shared page
    _page(client, url)  # this member's own caches (session, member, bell, levels)
    with django_assert_num_queries(1):
        _page(client, url)


def test_a_warm_shared_page_is_not_rendered_again(busy_thread):
    from django.test.signals import template_rendered

    thread = busy_thread["thread"]
    url = thread.get_absolute_url() + "?page=1"
    _page(_client_for(make_user()), url)
    rendered = []

    def seen(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        page = _page(_client_for(make_user(display_name="Second Reader")), url)
    finally:
        template_rendered.disconnect(seen)
    assert "Second Reader" in page
    assert "forum/thread.html" not in rendered


def test_a_new_or_approved_post_shows_on_the_next_read(busy_thread, committed):
    """No stale shared page after a write: each read keys the page on what it shows, and the
    pages processes keep per write generation are left behind when the write commits."""
    thread, author = busy_thread["thread"], busy_thread["author"]
    url = thread.get_absolute_url() + "?page=1"
    reader = _client_for(make_user())
    held = thread.posts.get(author=busy_thread["newcomer"])
    assert "Waiting for approval" not in _page(reader, url)
    assert "Waiting for approval" not in _page(reader, url)  # from the kept page
    with committed():
        actions.approve_post(moderator=busy_thread["moderator"], post=held)
    assert "Waiting for approval" in _page(reader, url)
    thread.refresh_from_db()
    with committed():
        actions.create_post(author=author, thread=thread, source="A brand new reply")
    assert "A brand new reply" in _page(reader, url)
    first = thread.posts.get(number=1)
    with committed():
        actions.toggle_reaction(user=make_user(), post=first, kind="celebrate")
    assert re.search(r"Celebrate</span> <span class=\"count\">1<", _page(reader, url))
    with committed():
        actions.edit_post(editor=author, post=first, source="Opening words, put better")
    assert "Opening words, put better" in _page(reader, url)
    reply = thread.posts.get(number=3)
    assert f'id="post-{reply.number}"' in _page(reader, url)
    with committed():
        moderation_actions.flag_post(
            flagger=make_user(), post=reply, reason="safeguarding", note="Worrying"
        )
    reply.refresh_from_db()
    assert reply.status == "hidden"
    assert f'id="post-{reply.number}"' not in _page(reader, url)


def test_lists_are_the_same_assembled_as_rendered_in_full(settings, busy_thread):
    """Read, unread and new badges, join and leave buttons and level forms are each member's
    own; the rest of every list is shared, and each viewer's page matches a full render:
    latest, new, unread, top, a space, a region, a private group, a topic, a tag."""
    author, minor = busy_thread["author"], busy_thread["minor"]
    make_thread(title="Another thread to list", space=national(), tags=["evening"])
    actions.record_read(user=minor, thread=busy_thread["thread"], number=2)
    londoner, reader = make_user(), make_user()
    actions.join_space(user=londoner, space=regional_group("london"))
    actions.record_read(user=reader, thread=busy_thread["thread"], number=1)
    group = private_group()
    insider = make_user()
    actions.add_member(actor=busy_thread["moderator"], user=insider, space=group)
    make_thread(author=insider, space=group, title="Pilot group thread")
    held_author = make_user(trust_level=0)
    make_thread(author=held_author, space=national(), title="A newcomer's first thread")
    # Relative times that hold for the whole test (pages are compared as text).
    then = timezone.now() - timedelta(days=2, minutes=30)
    Thread.objects.exclude(pk=busy_thread["thread"].pk).update(created_at=then, last_post_at=then)
    viewers = [None, author, busy_thread["moderator"], minor, londoner, reader, insider]
    viewers.append(held_author)  # their own held thread is on their latest list
    topic = busy_thread["thread"].topic
    urls = [
        reverse("forum:latest"),
        reverse("forum:top") + "?period=month",
        national().get_absolute_url(),
        reverse("forum:topic", args=[topic.slug]),
        reverse("forum:tag", args=["evening"]),
    ]
    assert_assembled_pages_match_full_renders(settings, viewers, urls)
    members = [author, londoner, reader, insider]
    assert_assembled_pages_match_full_renders(
        settings, members, [reverse("forum:new"), reverse("forum:unread")]
    )
    assert_assembled_pages_match_full_renders(
        settings, [londoner, busy_thread["moderator"]], [reverse("forum:region", args=["london"])]
    )
    assert_assembled_pages_match_full_renders(
        settings, [insider, busy_thread["moderator"]], [group.get_absolute_url()]
    )


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


def test_changes_show_at_once_with_fragments_cached(busy_thread, committed):
    thread, author = busy_thread["thread"], busy_thread["author"]
    url = thread.get_absolute_url() + "?page=1"
    viewer = _client_for(make_user())
    assert "Opening <strong>words</strong>" in _page(viewer, url)
    first_post = thread.posts.get(number=1)
    with committed():
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
    with committed():
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


def test_thread_ui_parts_are_the_same_assembled_as_rendered_in_full(settings, tmp_path):
    """Avatars (initials and a photo), replies in context, a member's draft and their jump to
    the first unread post: the shared parts are shared, the member's own are holes."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from community.accounts import actions as account_actions
    from tests.factories import bulk_replies

    settings.MEDIA_ROOT = tmp_path
    author = make_user(display_name="Photo Person")
    out = io.BytesIO()
    Image.new("RGB", (300, 300), "#336699").save(out, format="PNG")
    account_actions.set_avatar(user=author, upload=SimpleUploadedFile("p.png", out.getvalue()))
    thread = make_thread(author=author, space=national(), source="The question")
    first = thread.posts.get(number=1)
    actions.create_post(author=make_user(), thread=thread, source="An answer", reply_to=first)
    thread.refresh_from_db()
    bulk_replies(thread, 25)
    then = timezone.now() - timedelta(days=3, minutes=30)
    Post.objects.filter(thread=thread).update(created_at=then)
    Thread.objects.filter(pk=thread.pk).update(created_at=then, last_post_at=then)
    thread.refresh_from_db()
    drafter, behind = make_user(), make_user()
    actions.save_draft(author=drafter, thread=thread, source="My unsent words")
    actions.record_read(user=behind, thread=thread, number=2)
    viewers = [None, author, drafter, behind, make_user(), make_moderator()]
    for viewer in viewers:  # reading page 1 moves read positions: compare from where it ends
        _page(_client_for(viewer), thread.get_absolute_url() + "?page=1")
    assert_assembled_pages_match_full_renders(
        settings, viewers, [thread.get_absolute_url() + "?page=1"]
    )
    drafter_page = _page(_client_for(drafter), thread.get_absolute_url() + "?page=1")
    assert "My unsent words" in drafter_page
    assert "First unread (post 21)" in _page(
        _client_for(behind), thread.get_absolute_url() + "?page=1"
    )
    assert "My unsent words" not in _page(
        _client_for(behind), thread.get_absolute_url() + "?page=1"
    )


def test_post_holes_kept_by_the_process_are_each_viewers_own(settings, busy_thread):
    """A post's reactions and tools are kept per process under the values they show: each
    viewer's page, filled from markup that other viewers' requests left, is the page they
    get with nothing kept. Own, held, hidden, deleted and a minor's posts, a moderator, a
    silenced member, a reader with a reaction and a bookmark, a visitor."""
    from community.forum import holes

    thread = busy_thread["thread"]
    hidden = actions.create_post(author=make_user(), thread=thread, source="Said too much")
    Post.objects.filter(pk=hidden.pk).update(status="hidden", created_at=thread.created_at)
    thread.refresh_from_db()
    reader, silenced = make_user(), make_user()
    actions.toggle_reaction(user=reader, post=thread.posts.get(number=1), kind="thanks")
    actions.toggle_bookmark(user=reader, post=thread.posts.get(number=3))
    from django.contrib.auth import get_user_model

    from community.accounts.membercache import forget_member

    get_user_model().objects.filter(pk=silenced.pk).update(
        silenced_until=timezone.now() + timedelta(days=2)
    )
    forget_member(silenced.pk)
    viewers = [
        None,
        busy_thread["author"],
        busy_thread["minor"],
        busy_thread["newcomer"],
        busy_thread["moderator"],
        reader,
        silenced,
        make_user(),
    ]
    url = thread.get_absolute_url() + "?page=1"
    for user in viewers:  # a first read moves the read position, which the page shows
        _page(_client_for(user), url)
    alone = {}
    for user in viewers:
        holes._rendered.clear()
        alone[user] = _page(_client_for(user), url)
    for order in (viewers, list(reversed(viewers))):
        holes._rendered.clear()
        for user in order:
            assert _page(_client_for(user), url) == alone[user], f"as seen by {user}"
    assert "Said too much" in alone[busy_thread["moderator"]]
    assert "Said too much" not in alone[reader]
    assert "Waiting for approval" not in alone[reader]
    edit = re.compile(r">Edit<span")
    assert not edit.search(alone[reader]) and edit.search(alone[busy_thread["author"]])
    assert 'name="kind"' not in alone[silenced] and 'name="kind"' in alone[reader]


def _old_enough(thread) -> None:
    """Relative times that hold for the whole test (pages are compared as text)."""
    then = timezone.now() - timedelta(days=3, minutes=30)
    Post.objects.filter(thread=thread).update(created_at=then)
    Thread.objects.filter(pk=thread.pk).update(created_at=then, last_post_at=then)
    thread.refresh_from_db()


def test_kept_thread_pages_match_full_renders_for_every_kind_of_viewer(settings, busy_thread):
    """The page a process keeps per write generation, class, thread and page serves every
    kind of viewer exactly their full render, whoever's request kept it: a visitor, the author
    of a held post and of a deleted one, a minor, a moderator, a silenced member, members of
    the post's region and of another, with a hidden post on the page; and each warm request
    of a reader is one query."""
    from django.contrib.auth import get_user_model

    from community.accounts.membercache import forget_member
    from community.forum import assembly

    thread = busy_thread["thread"]
    hidden = actions.create_post(author=make_user(), thread=thread, source="Said too much")
    Post.objects.filter(pk=hidden.pk).update(status="hidden", created_at=thread.created_at)
    thread.refresh_from_db()
    londoner, northerner, silenced = make_user(), make_user(), make_user()
    actions.join_space(user=londoner, space=regional_group("london"))
    actions.join_space(user=northerner, space=regional_group("north-east"))
    get_user_model().objects.filter(pk=silenced.pk).update(
        silenced_until=timezone.now() + timedelta(days=2)
    )
    forget_member(silenced.pk)
    viewers = [
        None,
        busy_thread["author"],
        busy_thread["minor"],
        busy_thread["newcomer"],
        busy_thread["moderator"],
        make_moderator(),
        silenced,
        londoner,
        northerner,
    ]
    urls = [thread.get_absolute_url() + "?page=1", thread.post_url(3)]
    for url in urls:  # a first read moves the read position, which the page shows
        for user in viewers:
            _page(_client_for(user), url)
    assert_assembled_pages_match_full_renders(settings, viewers, urls)
    assert assembly._kept, "pages were kept"
    client = _client_for(londoner)
    _page(client, urls[0])  # this member's own caches (session, member, bell, levels)
    with CaptureQueriesContext(connection) as queries:
        _page(client, urls[0])
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_a_thread_the_viewer_may_not_see_is_a_404_with_a_kept_page(settings, committed):
    """A private region's thread kept warm by its members is still a 404 for members of
    other regions and visitors, and for a member the moment they leave the group (no write
    generation needed: whether they may read it is asked on every request)."""
    group = private_group()
    author = make_user()
    thread = make_thread(author=author, space=group, source="Only for the pilot group")
    _old_enough(thread)
    insider, leaver = make_user(), make_user()
    moderator = make_moderator()
    for member in (insider, leaver):
        actions.add_member(actor=moderator, user=member, space=group)
    londoner = make_user()
    actions.join_space(user=londoner, space=regional_group("london"))
    url = thread.get_absolute_url() + "?page=1"
    leaver_client = _client_for(leaver)
    for _round in range(2):
        for client in (_client_for(insider), leaver_client, _client_for(moderator)):
            _page(client, url)
    for user in (make_user(), londoner, None):
        assert _client_for(user).get(url).status_code == 404
        assert _client_for(user).get(thread.post_url(1)).status_code == 404
    actions.remove_member(actor=moderator, user=leaver, space=group)  # not yet committed
    assert leaver_client.get(url).status_code == 404
    assert _client_for(insider).get(url).status_code == 200


def test_a_silenced_member_loses_the_reply_box_at_once_with_a_kept_page(busy_thread):
    """What a member may do comes from their own row on every request, not from the kept
    page of whoever kept it."""
    from django.contrib.auth import get_user_model

    from community.accounts.membercache import forget_member

    url = busy_thread["thread"].get_absolute_url() + "?page=1"
    member = make_user()
    client = _client_for(member)
    _page(_client_for(make_user()), url)
    _page(client, url)
    assert 'name="source"' in _page(client, url)
    get_user_model().objects.filter(pk=member.pk).update(
        silenced_until=timezone.now() + timedelta(days=2)
    )
    forget_member(member.pk)
    assert 'name="source"' not in _page(client, url)


def test_a_members_marks_on_a_kept_page_are_theirs_alone(busy_thread):
    """Reactions, bookmarks, an unsent reply and a read position belong to the member whose
    request reads the kept page, never to the one whose request kept it."""
    thread = busy_thread["thread"]
    url = thread.get_absolute_url() + "?page=1"
    keeper, other = make_user(), make_user()
    first = thread.posts.get(number=1)
    actions.toggle_reaction(user=keeper, post=first, kind="thanks")
    actions.toggle_bookmark(user=keeper, post=first)
    actions.save_draft(author=keeper, thread=thread, source="Keeper's unsent words")
    keeper_page = _page(_client_for(keeper), url)
    keeper_page = _page(_client_for(keeper), url)
    assert "Keeper&#x27;s unsent words" in keeper_page or "Keeper's unsent words" in keeper_page
    assert 'aria-pressed="true"' in keeper_page
    other_page = _page(_client_for(other), url)
    assert "unsent words" not in other_page
    assert 'aria-pressed="true"' not in other_page
    with_ui = _page(_client_for(keeper), url)
    assert with_ui == keeper_page


def test_a_held_post_of_the_viewer_falls_back_to_their_own_page(busy_thread):
    """A reader's kept page lacks a held post; its author, reading the same page, gets theirs
    with the post in it."""
    thread = busy_thread["thread"]
    url = thread.get_absolute_url() + "?page=1"
    _page(_client_for(make_user()), url)
    _page(_client_for(make_user()), url)
    newcomer_page = _page(_client_for(busy_thread["newcomer"]), url)
    assert "Waiting for approval" in newcomer_page
    assert "Waiting for approval" not in _page(_client_for(make_user()), url)


def test_a_kept_page_is_used_only_while_every_relative_time_on_it_reads_the_same():
    """A kept page's deadline (assembly._kept_until) never outlasts a post's relative time
    (fragments.time_bucket), in every range: seconds, minutes, hours, days and months."""
    from community.forum.assembly import KEPT_SECONDS, _kept_until
    from community.fragments import time_bucket

    now = datetime(2026, 3, 31, 23, 59, 58, 500_000, tzinfo=UTC)
    for elapsed in (
        0.2,
        59.5,
        61,
        3599.9,
        3601,
        86_399,
        7 * 86400 + 5,
        30 * 86400 + 7,
        400 * 86400,
    ):
        value = now - timedelta(seconds=elapsed)
        left = _kept_until([value], now)
        assert 0 < left <= KEPT_SECONDS
        assert time_bucket(value, now + timedelta(seconds=left * 0.999)) == time_bucket(value, now)
