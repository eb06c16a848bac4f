"""Thread views: counted in the cache by the thread page, added to the threads by a job."""

from __future__ import annotations

import io
import os
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.forum import actions, viewcounts
from community.forum.models import Space, Thread, ThreadViewFlush
from community.forum.templatetags.counts import compact_count
from ops.schedule import BY_NAME
from tests.conftest import require_service
from tests.factories import (
    make_moderator,
    make_thread,
    make_user,
    national,
    premoderated_space,
    private_group,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The views' clock, moved on by flush() as the minutes pass."""
    moment = [time.time()]
    monkeypatch.setattr(viewcounts, "now", lambda: moment[0])
    return moment


@pytest.fixture
def flush(clock):
    def run() -> int:
        """What the job adds two minutes later, when the minute being buffered has ended."""
        clock[0] += 2 * 60
        return actions.flush_thread_views()

    return run


def views_of(thread: Thread) -> int:
    return Thread.objects.values_list("view_count", flat=True).get(pk=thread.pk)


def buffered() -> dict[int, int]:
    """Every view in the buffer, whichever minute it is in."""
    buffer = viewcounts.buffer()
    total: dict[int, int] = {}
    for slot in buffer.pending_slots(viewcounts.closed_before(viewcounts.now() + 3600)):
        for thread_id, n in buffer.counts(slot).items():
            total[thread_id] = total.get(thread_id, 0) + n
    return total


def signed_in(client, member):
    client.force_login(member)
    return client


# ---- counting in the request ----------------------------------------------------------------


def test_a_member_is_counted_once_per_thread_within_the_window(client, settings, flush):
    settings.VIEW_COUNT_WINDOW_SECONDS = 1
    thread = make_thread(space=national())
    reader = signed_in(client, make_user())
    for url in (thread.get_absolute_url(), thread.get_absolute_url(), thread.post_url(1)):
        assert reader.get(url).status_code == 200
    assert flush() == 1 and views_of(thread) == 1
    time.sleep(1.1)  # the window has passed: the same member's next read is a new view
    reader.get(thread.get_absolute_url())
    assert flush() == 1 and views_of(thread) == 2


def test_a_re_read_within_the_window_does_not_ask_the_cache(client, monkeypatch, flush):
    """The process remembers until when a viewer's mark surely lasts (the script says how
    long it has left when it refuses): re-reads cost no cache call, and still count once.
    Redis's buffer only: the cache API's buffer cannot tell how long a mark has left."""
    require_service("Redis (REDIS_URL)", bool(os.environ.get("REDIS_URL")))
    thread = make_thread(space=national())
    reader = signed_in(client, make_user())
    calls = []
    real = viewcounts.buffer

    def counting_buffer():
        buffer = real()
        original = buffer.record

        def record(*args):
            calls.append(args)
            return original(*args)

        buffer.record = record
        return buffer

    monkeypatch.setattr(viewcounts, "buffer", counting_buffer)
    for _ in range(3):
        assert reader.get(thread.get_absolute_url() + "?page=1").status_code == 200
    assert len(calls) == 1
    viewcounts.forget_seen()  # another process: asks once, is refused, and remembers
    for _ in range(2):
        reader.get(thread.get_absolute_url() + "?page=1")
    assert len(calls) == 2
    assert flush() == 1 and views_of(thread) == 1


def test_each_member_and_each_visitor_address_is_a_view(client, flush):
    thread = make_thread(space=national())
    for member in (make_user(), make_user()):
        signed_in(client, member).get(thread.get_absolute_url())
    client.logout()
    client.get(thread.get_absolute_url(), REMOTE_ADDR="192.0.2.1")
    client.get(thread.get_absolute_url(), REMOTE_ADDR="192.0.2.1")
    client.get(thread.get_absolute_url(), REMOTE_ADDR="192.0.2.2")
    assert buffered() == {thread.pk: 4}
    flush()
    assert views_of(thread) == 4


def test_anonymous_pages_served_from_the_page_cache_still_count(client, django_assert_num_queries):
    thread = make_thread(space=national())
    url = thread.get_absolute_url()
    assert client.get(url, REMOTE_ADDR="192.0.2.1")["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):  # still served from the cache, nothing written
        response = client.get(url, REMOTE_ADDR="192.0.2.2")
    assert response["X-Page-Cache"] == "hit"
    assert buffered() == {thread.pk: 2}
    assert "sessionid" not in response.cookies


def test_a_signed_in_view_writes_only_the_read_position_and_is_still_counted(client):
    thread = make_thread(space=national())
    reader = signed_in(client, make_user())
    with CaptureQueriesContext(connection) as ctx:
        reader.get(thread.get_absolute_url())
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].lstrip("( ").upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))
    ]
    assert len(writes) == 1 and "forum_threadread" in writes[0].lower()
    assert buffered() == {thread.pk: 1} and views_of(thread) == 0


def test_threads_the_viewer_cannot_read_are_never_counted(client):
    insider = make_user()
    private = make_thread(author=insider, space=private_group(), title="Private pilot thread")
    held = make_thread(
        author=make_user(role="parent_carer"), space=premoderated_space(), title="Held thread"
    )
    assert held.status == "held"
    deleted = make_thread(title="A thread that was deleted")
    actions.delete_post(actor=deleted.author, post=deleted.posts.get(number=1))
    staff_space = Space.objects.create(
        slug="staff-room", name="Staff room", kind="community", visibility="staff"
    )
    staff_thread = make_thread(author=make_moderator(), space=staff_space, title="Staff only")
    hidden = [private, held, deleted, staff_thread]
    outsider = make_user()
    for viewer in (None, outsider):
        if viewer is None:
            client.logout()
        else:
            client.force_login(viewer)
        for thread in hidden:
            for url in (thread.get_absolute_url(), thread.post_url(1)):
                assert client.get(url).status_code == 404, url
        assert client.get(reverse("forum:thread", args=["nope", 999999])).status_code == 404
    assert buffered() == {}
    # The members who may read them are counted as any reader.
    signed_in(client, insider).get(private.get_absolute_url())
    signed_in(client, held.author).get(held.get_absolute_url())
    assert buffered() == {private.pk: 1, held.pk: 1}


def test_a_held_reply_makes_no_difference_to_counting(client, flush):
    thread = make_thread(author=make_moderator(), space=Space.objects.get(slug="young-people"))
    young = make_user(role="young_person", age_band="16-17")
    held_reply = actions.create_post(author=young, thread=thread, source="A reply held back")
    assert held_reply.status == "held"
    signed_in(client, make_user()).get(thread.get_absolute_url() + "?page=1")
    signed_in(client, young).get(thread.get_absolute_url() + "?page=1")
    signed_in(client, make_moderator()).get(thread.get_absolute_url() + "?page=1")
    flush()
    assert views_of(thread) == 3


def test_a_supportline_case_and_a_young_persons_reads_reveal_nobody(client, flush):
    """A case page is no thread: nothing is counted. A young person's view is one more in the
    count, never a name: the lists and the API show the number alone."""
    from tests.supportline.builders import make_case

    parent = make_user(role="parent_carer")
    case = make_case(parent)
    assert signed_in(client, parent).get(case.get_absolute_url()).status_code == 200
    assert buffered() == {}
    thread = make_thread(space=national(), title="Ideas for a teen drop-in")
    young = make_user(role="young_person", age_band="13-15", display_name="Quiet Heron 3")
    signed_in(client, young).get(thread.get_absolute_url())
    flush()
    html = signed_in(client, make_user()).get(reverse("forum:latest")).content.decode()
    assert '<span class="visually-hidden">1 view</span>' in html
    assert "Quiet Heron 3" not in html and young.username not in html


def test_redirects_are_not_views(client):
    thread = make_thread(space=national())
    response = client.get(reverse("forum:thread", args=["old-title", thread.pk]))
    assert response.status_code == 301
    assert client.get(reverse("forum:thread_short", args=[thread.pk])).status_code == 302
    assert buffered() == {}


def test_a_view_that_cannot_be_counted_does_not_break_the_page(client, monkeypatch):
    def unreachable(self, *args):
        raise ConnectionError("cache down")

    monkeypatch.setattr(viewcounts.CacheBuffer, "record", unreachable)
    monkeypatch.setattr(viewcounts.RedisBuffer, "record", unreachable)
    thread = make_thread(space=national())
    assert client.get(thread.get_absolute_url()).status_code == 200


# ---- adding buffered views: the action and the job -------------------------------------------


def test_add_thread_views_adds_a_slot_once():
    first, second = make_thread(), make_thread()
    assert actions.add_thread_views(slot=600, counts={first.pk: 3, second.pk: 1})
    assert (views_of(first), views_of(second)) == (3, 1)
    # The same slot again (the job run twice): nothing more.
    assert not actions.add_thread_views(slot=600, counts={first.pk: 3, second.pk: 1})
    assert (views_of(first), views_of(second)) == (3, 1)
    assert ThreadViewFlush.objects.get(slot=600).views == 4
    # A thread deleted since it was viewed is skipped; the others are added.
    assert actions.add_thread_views(slot=660, counts={first.pk: 2, 987654: 5})
    assert views_of(first) == 5


def test_the_job_adds_finished_minutes_only_and_each_once(client, flush):
    thread = make_thread(space=national())
    client.get(thread.get_absolute_url(), REMOTE_ADDR="192.0.2.1")
    # The minute being buffered has not ended: nothing is added yet.
    assert actions.flush_thread_views() == 0 and views_of(thread) == 0
    assert flush() == 1 and views_of(thread) == 1
    assert flush() == 0 and views_of(thread) == 1
    client.get(thread.get_absolute_url(), REMOTE_ADDR="192.0.2.2")
    out = io.StringIO()
    call_command("flush_thread_views", stdout=out)  # the manual run: this minute is not over
    assert views_of(thread) == 1 and "Added 0" in out.getvalue()


def test_a_slot_added_but_not_forgotten_is_not_added_again(client, monkeypatch, flush):
    """A worker that died between its commit and clearing the buffer leaves the slot there:
    the next run finds the slot recorded and only clears it."""
    thread = make_thread(space=national())
    client.get(thread.get_absolute_url())
    buffer_type = type(viewcounts.buffer())
    forget = buffer_type.forget
    monkeypatch.setattr(buffer_type, "forget", lambda self, slot: None)
    assert flush() == 1
    monkeypatch.setattr(buffer_type, "forget", forget)
    assert buffered() == {thread.pk: 1}  # still in the buffer
    assert flush() == 0 and views_of(thread) == 1 and buffered() == {}


def test_two_workers_flushing_at_once_add_each_view_once(transactional_db, network, client, flush):
    thread = make_thread(space=national())
    for n in range(5):
        client.get(thread.get_absolute_url(), REMOTE_ADDR=f"192.0.2.{n + 1}")
    assert buffered() == {thread.pk: 5}
    start = threading.Barrier(2)
    added: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            added.append(flush())
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    runners = [threading.Thread(target=worker) for _ in range(2)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(30)
    assert not errors, errors
    assert sorted(added) == [0, 5]
    assert views_of(thread) == 5 and ThreadViewFlush.objects.count() == 1


def test_the_job_is_on_the_schedule_every_minute():
    job = BY_NAME["flush_thread_views"]
    assert job.every == "minute" and job.command == ("flush_thread_views",)


# ---- showing them ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "count,shown",
    [
        (0, "0"),
        (999, "999"),
        (1000, "1k"),
        (1234, "1.2k"),
        (1999, "1.9k"),
        (12_345, "12.3k"),
        (123_456, "123k"),
        (999_999, "999k"),
        (1_250_000, "1.2M"),
    ],
)
def test_counts_are_shortened_and_never_overstated(count, shown):
    assert compact_count(count) == shown


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_lists_show_each_threads_views(client, who):
    thread = make_thread(space=national(), title="A much viewed thread")
    Thread.objects.filter(pk=thread.pk).update(view_count=1234)
    if who == "member":
        signed_in(client, make_user())
    for url in (
        reverse("forum:latest"),
        reverse("forum:space", args=["national"]),
        reverse("forum:topic", args=[thread.topic.slug]),
        reverse("forum:top") + "?period=year",
    ):
        html = client.get(url).content.decode()
        assert '<th scope="col" class="num">Views</th>' in html, url
        assert '<span aria-hidden="true">1.2k</span>' in html, url
        assert '<span class="visually-hidden">1,234 views</span>' in html, url


def test_a_signed_in_list_shows_the_new_count_once_its_kept_list_is_due(client, flush):
    """No write event names a flush, so a list kept for the member's class (forum/assembly.py)
    shows the old count until its deadline, as an anonymous list does from the page cache;
    then the list is read again, and the cached row, keyed on the count, is rendered anew."""
    from unittest import mock

    from community import pagecache
    from community.forum import assembly

    thread = make_thread(space=national())
    member = signed_in(client, make_user())
    latest = reverse("forum:latest")
    assert "0 views" in member.get(latest).content.decode()
    member.get(thread.get_absolute_url())
    flush()
    later = time.monotonic() + assembly.KEPT_SECONDS + 1
    with mock.patch.object(assembly.time, "monotonic", return_value=later):
        assert "1 view<" in member.get(latest).content.decode()
    pagecache.invalidate()  # or any write: a new generation, the list read afresh
    assert "1 view<" in member.get(latest).content.decode()


def test_the_api_topic_lists_give_the_views(client):
    thread = make_thread(space=national())
    Thread.objects.filter(pk=thread.pk).update(view_count=42)
    topics = client.get("/latest.json").json()["topic_list"]["topics"]
    assert next(t for t in topics if t["id"] == thread.pk)["views"] == 42
