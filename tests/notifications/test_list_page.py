"""The notifications page kept per everything it shows (notifications/views.py): each
member's page is their full render, only theirs, and fresh after every change to a row."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.forum import actions
from community.moderation import actions as moderation_actions
from notifications import actions as notification_actions
from notifications.models import Notification
from tests.factories import make_moderator, make_thread, make_user
from tests.forum.test_fragments import _client_for, _page

pytestmark = pytest.mark.django_db

NOTIFICATIONS = reverse("notifications:list")


def _replied_to(author, committed, *, title="Weekend cover for peer supporters", text="Here is how we did it", by=None):  # fmt: skip
    thread = make_thread(author=author, title=title)
    with committed():
        reply = actions.create_post(
            author=by or make_user(display_name="Helpful Harriet"),
            thread=thread,
            source=text,
            reply_to=thread.posts.get(number=1),
        )
    return reply


@pytest.fixture
def readers(committed):
    """A reader with two notifications, a minor with one, a moderator with one."""
    reader = make_user(display_name="Reader Rita")
    minor = make_user(role="young_person", username="younger", display_name="Young Yusuf",
                      age_band="13-15")  # fmt: skip
    moderator = make_moderator(display_name="Moderator Mo")
    _replied_to(reader, committed, title="Breakfast club rota")
    _replied_to(reader, committed, title="Evening drop-in")
    # A minor's own posts wait for review: they watch an adult's thread instead.
    youth = make_thread(author=make_user(), title="Youth forum at the hub")
    notification_actions.set_level(user=minor, target="thread", target_id=youth.pk, level=3)
    with committed():
        actions.create_post(author=make_user(), thread=youth, source="Fridays work for us")
    _replied_to(moderator, committed, title="Staff training plan")
    # Relative times that hold for the whole test (pages are compared as text).
    Notification.objects.update(created_at=timezone.now() - timedelta(days=2, minutes=30))
    return {"reader": reader, "minor": minor, "moderator": moderator}


def test_each_members_page_is_their_full_render(settings, readers):
    viewers = list(readers.values())
    settings.FRAGMENT_CACHE_ENABLED = False
    full = [_page(_client_for(user), NOTIFICATIONS) for user in viewers]
    settings.FRAGMENT_CACHE_ENABLED = True
    for _round in range(2):  # the first round renders and keeps, the second is served from it
        for user, expected in zip(viewers, full, strict=True):
            assert _page(_client_for(user), NOTIFICATIONS) == expected, str(user)


def test_each_member_sees_only_their_own(readers):
    for user in readers.values():
        _page(_client_for(user), NOTIFICATIONS)  # every page kept first
    reader_page = _page(_client_for(readers["reader"]), NOTIFICATIONS)
    minor_page = _page(_client_for(readers["minor"]), NOTIFICATIONS)
    assert "Breakfast club rota" in reader_page and "Evening drop-in" in reader_page
    assert "Youth forum at the hub" not in reader_page and "Staff training plan" not in reader_page
    assert "Youth forum at the hub" in minor_page and "Breakfast club rota" not in minor_page
    assert "Young Yusuf" not in reader_page and "Reader Rita" not in minor_page


def test_marking_read_shows_on_the_next_read(readers):
    client = _client_for(readers["reader"])
    assert _page(client, NOTIFICATIONS).count("badge new") == 2
    first = Notification.objects.filter(user=readers["reader"]).order_by("pk").first()
    client.post(reverse("notifications:mark_read", args=[first.pk]))
    assert _page(client, NOTIFICATIONS).count("badge new") == 1
    client.post(reverse("notifications:mark_all_read"))
    assert _page(client, NOTIFICATIONS).count("badge new") == 0


def test_a_post_hidden_after_the_page_was_kept_is_gone_on_the_next_read(committed):
    author = make_user()
    reply = _replied_to(author, committed, title="Weekend cover", text="A reply later hidden")
    client = _client_for(author)
    assert "Weekend cover" in _page(client, NOTIFICATIONS)
    moderation_actions.flag_post(flagger=make_user(), post=reply, reason="safeguarding")
    page = _page(client, NOTIFICATIONS)
    assert "A post you can no longer see" in page and "Weekend cover" not in page


def test_a_kept_page_costs_its_member_no_query(readers):
    client = _client_for(readers["reader"])
    client.get(NOTIFICATIONS)
    client.get(NOTIFICATIONS)  # the member's own rows are cached from here on
    with CaptureQueriesContext(connection) as queries:
        response = client.get(NOTIFICATIONS)
    assert response.status_code == 200 and b"Breakfast club rota" in response.content
    assert queries.captured_queries == [], [q["sql"] for q in queries.captured_queries]


def test_a_new_notification_shows_on_the_next_read(readers, committed):
    client = _client_for(readers["reader"])
    assert "Lunchtime stay and play" not in _page(client, NOTIFICATIONS)
    _page(client, NOTIFICATIONS)  # kept
    _replied_to(readers["reader"], committed, title="Lunchtime stay and play")
    page = _page(client, NOTIFICATIONS)
    assert "Lunchtime stay and play" in page and page.count("badge new") == 3


def test_a_removed_notification_is_gone_on_the_next_read(readers):
    client = _client_for(readers["reader"])
    assert "Evening drop-in" in _page(client, NOTIFICATIONS)
    Notification.objects.get(user=readers["reader"], data__title="Evening drop-in").delete()
    assert "Evening drop-in" not in _page(client, NOTIFICATIONS)


def test_a_relative_time_that_moves_on_shows_once_the_kept_page_is_due(readers):
    from community import fragments

    client = _client_for(readers["reader"])
    assert "2 days" in _page(client, NOTIFICATIONS)
    # Nothing is written that a page would hear of (a queryset update sends no signal): the
    # clock moving on is what this stands for. The rows are 2 days 30 minutes old, so their
    # text changes within half an hour: the kept page is not used past that.
    Notification.objects.filter(user=readers["reader"]).update(
        created_at=timezone.now() - timedelta(days=3, hours=2, minutes=1)
    )
    later = fragments.time.monotonic() + 30 * 60 + 1
    with mock.patch.object(fragments.time, "monotonic", return_value=later):
        page = _page(client, NOTIFICATIONS)
    assert "3 days, 2 hours ago" in page and "2 days" not in page


def test_the_write_generation_and_the_members_rows_decide_the_kept_page(readers):
    """A page kept in one process is never another member's, nor from before a write."""
    from community import fragments

    reader, minor = readers["reader"], readers["minor"]
    for user in (reader, minor, reader, minor):
        _page(_client_for(user), NOTIFICATIONS)
    kept = [k for k in fragments._local_pages if k.startswith("fragment:notifications-kept:")]
    assert len(kept) == 2  # one per member
    reader_page = _page(_client_for(reader), NOTIFICATIONS)
    assert "Youth forum at the hub" not in reader_page


def test_a_kept_page_past_its_deadline_takes_no_room(readers):
    from community import fragments

    client = _client_for(readers["reader"])
    _page(client, NOTIFICATIONS)
    kept = [k for k in fragments._local_pages if k.startswith("fragment:notifications-kept:")]
    assert len(kept) == 1
    held_bytes = fragments._local_bytes
    later = fragments.time.monotonic() + 30 * 60 + 1
    with mock.patch.object(fragments.time, "monotonic", return_value=later):
        assert fragments.kept_pieces(kept[0]) is None
    assert kept[0] not in fragments._local_pages
    assert fragments._local_bytes < held_bytes
