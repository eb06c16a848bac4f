"""Pages cost a fixed number of queries whatever the data size."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community import pagecache
from community.forum import actions
from community.forum.models import Thread
from tests.factories import (
    bulk_replies,
    bulk_threads,
    make_thread,
    make_user,
    national,
    regional_group,
)

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)

    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.fixture
def member_client(client):
    member = make_user()
    actions.join_space(user=member, space=regional_group("london"))
    client.force_login(member)
    client.member = member
    return client


@pytest.mark.parametrize(
    "url_name,args,space_slug,full_pass",
    [
        # The rows with the member's read positions and the rows' tags; and, the first time
        # in a process after a write, which spaces are group-only (the member's list class).
        ("forum:latest", [], "national", 2),
        # And the region's group or the space, and the topics for the filter.
        ("forum:region", ["london"], "london", 4),
        ("forum:space", ["national"], "national", 4),
    ],
)
def test_list_queries_do_not_grow_with_threads(
    member_client, django_assert_max_num_queries, url_name, args, space_slug, full_pass
):
    from community.forum.models import Space

    space = Space.objects.get(slug=space_slug)
    url = reverse(url_name, args=args)

    def read_again() -> tuple[int, int]:
        """(queries from the list this process kept, queries of a full pass)."""
        member_client.get(url)  # keeps the list for the member's class
        kept = _queries(member_client, url)
        pagecache.invalidate()  # a write elsewhere: a new generation, nothing kept under it
        return kept, _queries(member_client, url)

    def aged() -> None:
        # Rows seconds old change their relative time each second, and a kept list lasts only
        # until then (assembly._kept_until): two requests a second boundary apart, under a
        # loaded CI, took the full pass. Two days old, the list stays kept for the test.
        then = timezone.now() - timedelta(days=2, minutes=30)
        Thread.objects.update(created_at=then, last_post_at=then)

    bulk_threads(space, 5)  # (bulk writes publish nothing: a new generation stands for it)
    aged()
    pagecache.invalidate()
    member_client.get(url)  # the member's row, groups and bell count are cached from here on
    small = read_again()
    bulk_threads(space, 495)
    aged()
    pagecache.invalidate()
    large = read_again()
    # Kept: the member's read positions in the rows (and whether a thread only they list is
    # on it).
    assert small == large == (1, full_pass)
    with django_assert_max_num_queries(10):
        member_client.get(url + "?page=2")


def test_thread_page_queries_do_not_grow_with_posts(member_client, django_assert_max_num_queries):
    from django.contrib.contenttypes.models import ContentType

    from community.forum.models import Thread

    ContentType.objects.get_for_model(Thread)  # cached per process after the first page anyway
    thread = make_thread(space=national())
    first, last = thread.get_absolute_url() + "?page=1", thread.get_absolute_url() + "?page=50"

    def read_again(url: str) -> tuple[int, int]:
        """(queries from the page this process kept, queries of a full pass)."""
        member_client.get(url)  # renders the shared page and moves the read position
        kept = _queries(member_client, url)
        pagecache.invalidate()  # a write elsewhere: a new generation, nothing kept under it
        return kept, _queries(member_client, url)

    bulk_replies(thread, 9)  # (bulk writes publish nothing: a new generation stands for it)
    pagecache.invalidate()
    small_first = read_again(first)
    bulk_replies(thread, 990)
    pagecache.invalidate()
    large_first = read_again(first)
    large_last = read_again(last)
    # Kept: the member's marks. Full: the thread with the member's read position and tags,
    # the page's posts, the member's marks.
    assert small_first == large_first == large_last == (1, 3)
    # A first view: the reads, the member's caches for this thread (their level, its library
    # links), rendering the shared page and the read-position write.
    thread.refresh_from_db()
    bulk_replies(thread, 20)
    with django_assert_max_num_queries(10):
        member_client.get(thread.get_absolute_url() + "?page=51")


def test_anonymous_pages_are_served_from_cache_until_a_write(client, django_assert_num_queries):
    thread = make_thread(space=national(), title="Cached thread title")
    url = thread.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.create_post(author=make_user(), thread=thread, source="A fresh reply appears")
    response = client.get(url)
    assert (
        response["X-Page-Cache"] == "miss" and "A fresh reply appears" in response.content.decode()
    )


def test_anonymous_reads_create_no_session(client):
    thread = make_thread(space=national())
    client.get(reverse("forum:latest"))
    response = client.get(thread.get_absolute_url())
    assert "sessionid" not in response.cookies
    from django.contrib.sessions.models import Session

    assert Session.objects.count() == 0


def test_signed_in_thread_read_writes_only_the_read_position(member_client):
    thread = make_thread(space=national())
    bulk_replies(thread, 30)

    def writes_of_a_view(url: str) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            member_client.get(url)
        return [
            q["sql"]
            for q in ctx.captured_queries
            if not q["sql"].lstrip("( ").upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))
        ]

    writes = writes_of_a_view(thread.get_absolute_url() + "?page=1")
    assert len(writes) == 1 and "forum_threadread" in writes[0].lower()
    # Reading the same page again moves nothing forward, so it writes nothing.
    assert writes_of_a_view(thread.get_absolute_url() + "?page=1") == []
    assert len(writes_of_a_view(thread.get_absolute_url() + "?page=2")) == 1


def test_events_outside_the_forum_leave_the_page_cache_alone(client):
    from community import pagecache

    make_thread(space=national())
    client.get(reverse("forum:latest"))
    pagecache.invalidate({"type": "supportline.request_submitted", "case_id": 1})
    assert client.get(reverse("forum:latest"))["X-Page-Cache"] == "hit"
    pagecache.invalidate({"type": "post.created", "thread_id": 1, "space_id": 1})
    assert client.get(reverse("forum:latest"))["X-Page-Cache"] == "miss"
    pagecache.invalidate({"type": "library.published", "resource_id": 1})  # the cached library page
    assert client.get(reverse("forum:latest"))["X-Page-Cache"] == "miss"
