"""Thread lists: the last poster's avatar and the counts on each row, and empty states that
say what to do next."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from community.forum import actions
from tests.factories import make_thread, make_user, national, private_group

pytestmark = pytest.mark.django_db


def _page(user, url) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_row_shows_the_last_posters_avatar_and_the_reply_count():
    thread = make_thread(space=national(), title="Avatars in the list")
    replier = make_user(display_name="Rowan Reply")
    actions.create_post(author=replier, thread=thread, source="A reply here")
    thread.refresh_from_db()
    assert thread.last_poster_id == replier.pk
    page = _page(make_user(), reverse("forum:latest"))
    row = page[page.index("Avatars in the list") :]
    row = row[: row.index("</tr>")]
    assert ">RR</text>" in row and "Rowan Reply" in row
    assert '1<span class="stat-label"> reply</span>' in row


def test_moderation_recounts_keep_the_last_poster():
    thread = make_thread(space=national())
    replier = make_user()
    post = actions.create_post(author=replier, thread=thread, source="Soon deleted")
    actions.delete_post(actor=replier, post=post)
    thread = actions.sync_thread(thread)
    assert thread.last_poster_id == thread.author_id


def test_a_young_last_poster_shows_initials_only():
    thread = make_thread(space=national(), title="Young voices")
    child = make_user(display_name="Kit Young", role="young_person", age_band="13-15")
    post = actions.create_post(author=child, thread=thread, source="My view on it")
    if post.status == "held":
        actions.approve_post(moderator=make_user(role="moderator"), post=post)
    page = _page(make_user(), reverse("forum:latest"))
    row = page[page.index("Young voices") :]
    row = row[: row.index("</tr>")]
    assert ">KY</text>" in row and "<img" not in row


def test_empty_lists_say_what_to_do_next():
    member = make_user()
    unread = _page(member, reverse("forum:unread"))
    assert "You are up to date" in unread and f'href="{reverse("forum:latest")}"' in unread
    new = _page(member, reverse("forum:new"))
    assert "See the latest threads" in new
    group = private_group()
    actions.add_member(actor=make_user(role="moderator"), user=member, space=group)
    space_page = _page(member, group.get_absolute_url())
    assert "No threads here yet" in space_page and "look at other spaces" in space_page
