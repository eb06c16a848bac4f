"""The composer's endpoints: one preview, drafts and suggestions, each through permissions."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from community import markup
from community.forum import actions
from community.forum.models import Draft
from community.moderation import actions as moderation_actions
from tests.factories import (
    make_moderator,
    make_thread,
    make_user,
    national,
    premoderated_space,
    private_group,
)

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _hide(post) -> None:
    """Hidden as a safeguarding flag hides a post: at once."""
    moderation_actions.flag_post(flagger=make_user(), post=post, reason="safeguarding")
    post.refresh_from_db()
    assert post.status == "hidden"


def _preview(client, **data):
    return client.post(reverse("forum:preview"), data, **JSON)


# ---- preview ---------------------------------------------------------------------------------


def test_preview_is_what_posting_renders():
    member = make_user()
    thread = make_thread(space=national())
    source = "Some **bold** text and a [link](https://example.org)\n\n- one\n- two"
    response = _preview(_client(member), thread=thread.pk, source=source)
    assert response.status_code == 200
    assert response.json()["html"] == markup.render(source).html
    post = actions.create_post(author=member, thread=thread, source=source)
    assert post.html == response.json()["html"]


def test_preview_needs_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post(
        reverse("forum:preview"), {"thread": make_thread().pk, "source": "Hello there"}, **JSON
    )
    assert response.status_code == 403


def test_preview_refuses_what_posting_would_refuse():
    member = make_user()
    response = _preview(_client(member), thread=make_thread().pk, source="x")
    assert response.status_code == 400
    assert response.json()["html"] == ""
    assert "Write a little more" in response.json()["errors"][0]


def test_preview_does_not_link_a_child_a_member_could_not_mention():
    make_user(username="youngone", role="young_person", age_band="13-15")
    thread = make_thread()
    html = _preview(_client(make_user()), thread=thread.pk, source="Hi @youngone").json()["html"]
    assert "/u/youngone/" not in html
    moderator_html = _preview(_client(make_moderator()), thread=thread.pk, source="Hi @youngone")
    assert "/u/youngone/" in moderator_html.json()["html"]


def test_preview_is_rate_limited(settings):
    member = make_user()
    thread = make_thread()
    client = _client(member)
    answers = [
        _preview(client, thread=thread.pk, source="Hello there").status_code
        for _ in range(actions.PREVIEWS_PER_MINUTE + 1)
    ]
    assert answers[:-1] == [200] * actions.PREVIEWS_PER_MINUTE
    assert answers[-1] == 429


def test_preview_of_a_private_regions_thread_is_a_404_to_outsiders():
    thread = make_thread(space=private_group())
    for person in (make_user(), make_user(role="young_person", age_band="13-15")):
        assert _preview(_client(person), thread=thread.pk, source="Hello").status_code == 404
    assert _preview(_client(None), thread=thread.pk, source="Hello").status_code == 302


def test_preview_of_someone_elses_held_thread_is_a_404():
    held = make_thread(author=make_user(trust_level=0), space=premoderated_space())
    assert held.status == "held"
    assert _preview(_client(make_user()), thread=held.pk, source="Hello").status_code == 404


def test_preview_without_javascript_shows_the_form_again_with_the_preview():
    member = make_user()
    thread = make_thread()
    response = _client(member).post(
        reverse("forum:preview"), {"thread": thread.pk, "source": "A _draft_ reply"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<em>draft</em>" in page
    assert "A _draft_ reply</textarea>" in page
    assert f'action="{reverse("forum:reply", args=[thread.pk])}"' in page


def test_preview_for_a_new_thread_needs_a_space_the_member_may_post_in():
    member = make_user()
    ok = _preview(_client(member), space=national().pk, source="A new thread text")
    assert ok.status_code == 200 and "A new thread text" in ok.json()["html"]
    assert _preview(_client(member), space=private_group().pk, source="Hello").status_code == 404


# ---- drafts ----------------------------------------------------------------------------------


def test_a_saved_draft_opens_the_reply_box_and_goes_once_posted():
    member = make_user()
    thread = make_thread()
    client = _client(member)
    response = client.post(
        reverse("forum:save_draft"), {"thread": thread.pk, "source": "Half a thought"}, **JSON
    )
    assert response.json() == {"saved": True}
    page = client.get(thread.get_absolute_url() + "?page=1").content.decode()
    assert "Half a thought</textarea>" in page and "Your unsent reply was kept" in page
    assert (
        "Half a thought"
        not in _client(make_user()).get(thread.get_absolute_url() + "?page=1").content.decode()
    )
    client.post(reverse("forum:reply", args=[thread.pk]), {"source": "Half a thought, finished"})
    assert not Draft.objects.filter(user=member).exists()


def test_saving_an_empty_draft_removes_it():
    member = make_user()
    thread = make_thread()
    actions.save_draft(author=member, thread=thread, source="Something")
    assert actions.save_draft(author=member, thread=thread, source="  ") is None
    assert not Draft.objects.filter(user=member).exists()


def test_draft_without_javascript_saves_and_returns_to_the_form():
    member = make_user()
    thread = make_thread()
    client = _client(member)
    response = client.post(reverse("forum:save_draft"), {"thread": thread.pk, "source": "Later"})
    assert response.status_code == 302
    assert response["Location"] == reverse("forum:reply", args=[thread.pk])
    assert "Later</textarea>" in client.get(response["Location"]).content.decode()


def test_a_new_threads_draft_is_kept_by_space():
    member = make_user()
    client = _client(member)
    client.post(
        reverse("forum:save_draft"),
        {"space": national().pk, "title": "A title kept", "source": "Body kept"},
        **JSON,
    )
    page = client.get(reverse("forum:start_thread") + "?space=national").content.decode()
    assert 'value="A title kept"' in page and "Body kept</textarea>" in page


def test_drafts_cannot_be_saved_for_threads_the_member_cannot_read():
    thread = make_thread(space=private_group())
    response = _client(make_user()).post(
        reverse("forum:save_draft"), {"thread": thread.pk, "source": "Sneaky"}, **JSON
    )
    assert response.status_code == 404
    assert not Draft.objects.exists()


def test_a_failed_reply_keeps_its_text_without_javascript():
    member = make_user()
    thread = make_thread()
    response = _client(member).post(reverse("forum:reply", args=[thread.pk]), {"source": "x"})
    assert response.status_code == 400
    assert "x</textarea>" in response.content.decode()


# ---- suggestions -----------------------------------------------------------------------------


def _complete(client, q, kind="member"):
    return client.get(reverse("forum:complete"), {"q": q, "kind": kind}).json()["results"]


def test_member_suggestions_leave_out_children_except_for_moderators():
    make_user(username="sam-adult", display_name="Sam Adult")
    make_user(username="sam-young", role="young_person", age_band="13-15")
    member_sees = {r["value"] for r in _complete(_client(make_user()), "sam")}
    assert member_sees == {"sam-adult"}
    moderator_sees = {r["value"] for r in _complete(_client(make_moderator()), "sam")}
    assert moderator_sees == {"sam-adult", "sam-young"}
    minor = make_user(role="young_person", age_band="16-17")
    assert {r["value"] for r in _complete(_client(minor), "sam")} == {"sam-adult"}


def test_tag_suggestions_leave_out_tags_only_used_where_the_member_cannot_look():
    make_thread(space=private_group(), tags=["pilot-secret"])
    make_thread(author=make_user(trust_level=0), space=premoderated_space(), tags=["pilot-held"])
    make_thread(tags=["pilot-open"])
    assert {r["value"] for r in _complete(_client(make_user()), "pilot", "tag")} == {"pilot-open"}
    moderator = make_moderator()
    seen = {r["value"] for r in _complete(_client(moderator), "pilot", "tag")}
    assert {"pilot-open", "pilot-secret"} <= seen


def test_suggestions_never_include_a_supportline_case():
    from tests.supportline.builders import make_case

    requester = make_user(username="caseperson", role="commissioner")
    make_case(requester, question="Our zebrafinch question")
    results = _complete(_client(make_user()), "zebrafinch", "tag")
    results += _complete(_client(make_user()), "zebra")
    assert results == []


def test_suggestions_need_a_signed_in_member():
    response = Client().get(reverse("forum:complete"), {"q": "a"})
    assert response.status_code == 302


# ---- who reacted -----------------------------------------------------------------------------


def test_who_reacted_names_adults_and_never_a_child_to_other_members():
    thread = make_thread()
    post = thread.posts.get(number=1)
    adult = make_user(display_name="Ada Adult")
    child = make_user(display_name="Kit Young", role="young_person", age_band="13-15")
    actions.toggle_reaction(user=adult, post=post, kind="like")
    actions.toggle_reaction(user=child, post=post, kind="like")
    url = reverse("forum:reactions", args=[post.pk])
    page = _client(make_user()).get(url).content.decode()
    assert "Ada Adult" in page and "Kit Young" not in page
    assert "1 member whose name is kept private" in page
    assert "Kit Young" not in Client().get(url).content.decode()
    assert "Kit Young" in _client(make_moderator()).get(url).content.decode()
    assert "Kit Young" in _client(child).get(url).content.decode()


def test_who_reacted_to_a_hidden_or_private_post_is_a_404():
    private = make_thread(space=private_group()).posts.get(number=1)
    hidden_thread = make_thread()
    hidden = actions.create_post(author=make_user(), thread=hidden_thread, source="To be hidden")
    _hide(hidden)
    for post in (private, hidden):
        response = _client(make_user()).get(reverse("forum:reactions", args=[post.pk]))
        assert response.status_code == 404


# ---- the thread page -------------------------------------------------------------------------


def test_a_reply_shows_the_post_it_answers_only_while_that_post_is_public():
    author = make_user()
    thread = make_thread(author=author, source="The opening question here")
    first = thread.posts.get(number=1)
    actions.create_post(author=make_user(), thread=thread, source="An answer", reply_to=first)
    url = thread.get_absolute_url() + "?page=1"
    page = _client(make_user()).get(url).content.decode()
    assert '<details class="in-reply">' in page
    assert page.count("The opening question here") == 2
    _hide(first)
    page = _client(make_user()).get(url).content.decode()
    assert '<details class="in-reply">' not in page
    assert "The opening question here" not in page


def test_reactions_are_svg_icons_not_emoji():
    thread = make_thread()
    actions.toggle_reaction(user=make_user(), post=thread.posts.get(number=1), kind="like")
    page = _client(make_user()).get(thread.get_absolute_url() + "?page=1").content.decode()
    assert 'class="icon reaction-icon"' in page
    for emoji in ("❤️", "🙏", "💡", "👍", "🎉"):
        assert emoji not in page
    assert "Who reacted" in page


def test_position_and_jump_to_first_unread():
    from tests.factories import bulk_replies

    member = make_user()
    thread = make_thread()
    bulk_replies(thread, 44)
    thread.refresh_from_db()
    actions.record_read(user=member, thread=thread, number=25)
    page = _client(member).get(thread.get_absolute_url() + "?page=1").content.decode()
    assert "Posts 1 to 20</span> of 45" in page
    assert "First unread (post 26)" in page
    assert f'href="{thread.post_url(45)}#post-45">Last post' in page
    assert (
        "First unread"
        not in _client(make_user()).get(thread.get_absolute_url() + "?page=1").content.decode()
    )


def test_json_error_bodies_are_json():
    response = _client(make_user()).get(reverse("forum:complete"), {"q": "a", "kind": "bogus"})
    assert response.status_code == 400
    assert json.loads(response.content)["errors"]
