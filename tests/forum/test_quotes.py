"""A quote names who wrote the quoted post only to readers who may see that post, as the site
shows that member now, and links to the post (a 404 for those who may not see it)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import pagecache
from community.forum import actions
from community.forum.models import Membership, Post, Status
from tests.factories import (
    bulk_replies,
    make_moderator,
    make_thread,
    make_user,
    national,
    premoderated_space,
    private_group,
)

pytestmark = pytest.mark.django_db


def _quote(post: Post, body: str = "what they said") -> str:
    return f'[quote="anyone, post:{post.number}, topic:{post.thread_id}"]\n{body}\n[/quote]\n\nI agree with this.'


def _page(client, thread) -> str:
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _titles(page: str) -> list[str]:
    return re.findall(r'<div class="quote-title">(.*?)</div>', page, re.DOTALL)


@pytest.fixture
def asha():
    return make_user(username="asha", display_name="Asha Patel")


def test_a_quote_names_the_author_as_shown_now_and_links_to_the_post(client, asha):
    thread = make_thread(author=asha, source="Evening sessions doubled attendance")
    first = thread.posts.get(number=1)
    actions.create_post(author=make_user(), thread=thread, source=_quote(first))
    client.force_login(make_user())
    assert _titles(_page(client, thread)) == [
        f'<span class="quote-author">Asha Patel</span> said in <a href="{thread.post_url(1)}#post-1">'
        "post 1</a>:"
    ]
    asha.display_name = "Asha P."
    asha.save()
    page = _page(client, thread)
    assert "Asha P.</span> said in" in page and "Asha Patel" not in page


def test_a_quote_of_a_post_in_another_thread_links_with_its_real_address(client, asha):
    quoted = make_thread(author=asha, title="Outreach that works").posts.get(number=1)
    thread = make_thread()
    actions.create_post(author=make_user(), thread=thread, source=_quote(quoted))
    client.force_login(make_user())
    page = _page(client, thread)
    assert f'said in <a href="{quoted.thread.post_url(1)}#post-1">post 1</a>' in page


def test_a_quote_of_a_private_region_post_names_no_one_to_readers_outside_it(client, asha):
    group = private_group()
    secret = make_thread(author=asha, space=group, title="Private pilot plans")
    quoted = secret.posts.get(number=1)
    insider = make_user()
    Membership.objects.create(user=insider, space=group)
    thread = make_thread(space=national())
    actions.create_post(author=insider, thread=thread, source=_quote(quoted, "the quoted words"))

    outsider = make_user()
    client.force_login(outsider)
    page = _page(client, thread)
    assert "Asha Patel" not in page and "asha" not in page
    assert "Private pilot plans" not in page and "private-pilot-plans" not in page
    assert "the quoted words" in page  # what was quoted is the writer's to share
    link = f"/t/quoted/{secret.pk}/1"
    assert _titles(page) == [f'Quoted from <a href="{link}#post-1">post 1</a>:']
    assert client.get(link).status_code == 404  # the link is a 404 for them, as any permalink

    client.force_login(insider)
    page = _page(client, thread)
    assert "Asha Patel</span> said in" in page
    assert client.get(link).status_code == 301  # to the post's real address


def test_a_quote_of_a_held_post_names_its_author_only_to_those_who_may_see_it(client, asha):
    thread = make_thread(space=premoderated_space(), author=make_moderator())
    held = actions.create_post(author=asha, thread=thread, source="Waiting for approval here")
    assert held.status == Status.HELD
    quoting = make_thread()
    actions.create_post(author=make_user(), thread=quoting, source=_quote(held))

    client.force_login(make_user())
    page = _page(client, quoting)
    assert "Asha Patel" not in page and _titles(page)[0].startswith("Quoted from")
    client.force_login(asha)  # the author sees their own held post
    assert "Asha Patel</span> said in" in _page(client, quoting)
    client.force_login(make_moderator())
    assert "Asha Patel</span> said in" in _page(client, quoting)


def test_a_quote_of_a_hidden_post_stops_naming_its_author(client, asha, committed):
    thread = make_thread()
    post = actions.create_post(author=asha, thread=thread, source="Something later hidden")
    actions.create_post(author=make_user(), thread=thread, source=_quote(post))
    reader = make_user()
    client.force_login(reader)
    assert "Asha Patel</span> said in" in _page(client, thread)

    from community.moderation.actions import flag_post

    with committed():
        flag_post(flagger=make_user(), post=post, reason="safeguarding", note="Hide it")
    assert Post.objects.get(pk=post.pk).status == Status.HIDDEN
    page = _page(client, thread)
    assert "Asha Patel" not in page
    assert f'Quoted from <a href="/t/quoted/{thread.pk}/2#post-2">post 2</a>:' in page


def test_a_young_persons_quoted_post_shows_their_display_name_never_their_username(client):
    child = make_user(username="jo.smith2011", display_name="Calm Heron 42", age_band="13-15")
    thread = make_thread()
    post = actions.create_post(author=child, thread=thread, source="My view on youth clubs")
    from community.moderation.actions import approve_held_post

    post = approve_held_post(moderator=make_moderator(), post=post)  # young people's are held
    adult = make_user()
    client.force_login(adult)
    form = client.get(reverse("forum:reply", args=[thread.pk]) + f"?quote={post.pk}")
    source = form.context["form"].initial["source"]
    assert source.startswith(f'[quote="Calm Heron 42, post:2, topic:{thread.pk}"]')
    assert "jo.smith2011" not in form.content.decode()
    client.post(reverse("forum:reply", args=[thread.pk]), {"source": source + "Thank you"})

    page = _page(client, thread)
    assert "jo.smith2011" not in page
    quote_titles = _titles(page)
    assert quote_titles == [
        f'<span class="quote-author">Calm Heron 42</span> said in <a href="{thread.post_url(2)}#post-2">'
        "post 2</a>:"
    ]


def test_a_quote_of_an_erased_members_post_credits_the_former_member(client, asha):
    from community.privacy.erasure import erase_member

    thread = make_thread(author=asha)
    actions.create_post(
        author=make_user(), thread=thread, source=_quote(thread.posts.get(number=1))
    )
    erase_member(asha)
    client.force_login(make_user())
    page = _page(client, thread)
    assert "Former member</span> said in" in page and "Asha" not in page


def test_a_supportline_message_quoting_a_private_post_names_no_one(client, asha, committed):
    from community.supportline import actions as supportline
    from tests.supportline.builders import make_case, make_expert, make_supportline_staff

    secret = make_thread(author=asha, space=private_group(), source="Our private pilot numbers")
    requester = make_user(role="commissioner")
    staff, expert = make_supportline_staff(), make_expert()
    with committed():
        case = make_case(requester)
        supportline.triage_case(case=case, actor=staff)
        supportline.assign_expert(case=case, actor=staff, expert=expert)
        message = supportline.post_message(
            case=case, author=requester, source=_quote(secret.posts.get(number=1))
        )
    assert "Asha" not in message.html and "asha" not in message.html
    client.force_login(expert)
    page = client.get(reverse("supportline:case", args=[case.reference])).content.decode()
    assert "Asha" not in page
    assert f'Quoted from <a href="/t/quoted/{secret.pk}/1#post-1"' in page
    assert client.get(f"/t/quoted/{secret.pk}/1").status_code == 404


def test_quotes_cost_one_query_per_page_whatever_their_number(client, asha):
    """Quotes of posts on the page cost nothing; of others, one query for the page."""
    thread = make_thread(author=asha, space=national())
    bulk_replies(thread, 5)
    elsewhere = make_thread(author=asha)
    client.force_login(make_user())

    def queries() -> int:
        """A full pass's queries (the page a process keeps per generation has none for
        quotes: a new generation stands for each write, which here publishes nothing)."""
        pagecache.invalidate()
        client.get(thread.get_absolute_url() + "?page=1")
        pagecache.invalidate()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(thread.get_absolute_url() + "?page=1")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    plain = queries()
    actions.create_post(
        author=make_user(), thread=thread, source=_quote(thread.posts.get(number=1))
    )
    assert queries() == plain  # the quoted post is on the page
    writer = make_user()
    actions.create_post(author=writer, thread=thread, source=_quote(elsewhere.posts.get(number=1)))
    one_other = queries()
    assert one_other == plain + 1
    for number in (2, 3):
        extra = actions.create_post(author=writer, thread=elsewhere, source=f"More {number} words")
        actions.create_post(author=writer, thread=thread, source=_quote(extra))
    assert queries() == one_other


def test_a_quote_stored_before_this_change_is_attributed_too(client, asha):
    thread = make_thread(author=asha)
    post = actions.create_post(author=make_user(), thread=thread, source="Placeholder text here")
    Post.objects.filter(pk=post.pk).update(
        html=(
            f'<aside class="quote" data-username="asha" data-post="1" data-thread="{thread.pk}">'
            '<div class="quote-title">asha said:</div><blockquote><p>hi</p></blockquote></aside>'
        )
    )
    client.force_login(make_user())
    page = _page(client, thread)
    assert "Asha Patel</span> said in" in page
    assert "asha said:" not in page and 'data-username="asha"' not in page
