"""Every API read path against what must not leak: a private region, a held post, a hidden
post, a SupportLine case and a young person's identity."""

from __future__ import annotations

import json

import pytest

from api.models import ApiKey
from community.conversations.actions import start_conversation
from community.forum import actions
from community.forum.models import Post, Status
from community.moderation.actions import flag_post
from tests import factories as f
from tests.supportline.builders import make_case

pytestmark = pytest.mark.django_db

PRIVATE = "Private region pilot words"
HELD = "Held parent words"
HIDDEN = "Hidden unsafe words"
CASE = "SupportLine question about midwifery"
YOUNG_WORDS = "A young person's approved reply"


def make_key(user, scope="write") -> str:
    key = ApiKey(description="test", user=user, scope=scope)
    secret = key.set_new_key()
    key.save()
    return secret


def as_member(user) -> dict:
    return {"HTTP_API_KEY": make_key(user), "HTTP_API_USERNAME": user.username}


@pytest.fixture
def world(committed):
    alice = f.make_user(username="alice", is_verified=True)
    young = f.make_user(
        username="youngperson", role="young_person", age_band="13-15", display_name="Sky"
    )
    moderator = f.make_moderator(username="mod")
    with committed():
        public = f.make_thread(author=alice, title="Public thread about hubs", source="Public")
        reply = actions.create_post(author=young, thread=public, source=YOUNG_WORDS)
        if reply.status == Status.HELD:
            actions.approve_post(moderator=moderator, post=reply)
        young_thread = f.make_thread(author=young, title="A young person's question")
        if young_thread.status == Status.HELD:
            actions.approve_post(moderator=moderator, post=young_thread.posts.get(number=1))
        private = f.make_thread(
            author=alice, space=f.private_group(), title="Private pilot", source=PRIVATE
        )
        held = f.make_thread(
            author=f.make_user(), space=f.premoderated_space(), title="Held thread",
            source=HELD,
        )  # fmt: skip
        hidden = actions.create_post(author=f.make_user(), thread=public, source=HIDDEN)
        flag_post(flagger=alice, post=hidden, reason="safeguarding")
        start_conversation(
            sender=alice, recipients=[moderator], subject="Between adults", source="PM words"
        )
    make_case(alice, question=CASE)
    return {
        "alice": alice, "young": young, "moderator": moderator, "public": public,
        "reply": Post.objects.get(pk=reply.pk), "young_thread": young_thread,
        "private": private, "held": held, "hidden": hidden,
    }  # fmt: skip


def reads(w) -> list[str]:
    public, reply = w["public"], w["reply"]
    return [
        f"/t/{public.pk}.json",
        f"/t/{public.slug}/{public.pk}.json",
        f"/t/{public.pk}/2.json",
        f"/t/{public.pk}/posts.json",
        f"/t/{public.pk}/posts.json?post_ids[]={reply.pk}",
        "/posts.json",
        f"/posts/by_number/{public.pk}/1.json",
        f"/posts/{public.posts.get(number=1).pk}/replies.json",
        "/search.json?q=words",
        "/search.json?q=approved",
        "/latest.json",
        "/top.json?period=all",
        "/categories.json",
        "/site.json",
        "/about.json",
        "/tags.json",
        f"/tag/{public.topic.slug}.json",
        f"/c/{public.space_id}.json",
        "/groups.json",
        "/directory_items.json?period=all&order=likes_received",
        "/topics/created-by/alice.json",
        "/user_actions.json?username=alice&filter=4,5&offset=0",
    ]


SECRETS = [PRIVATE, HELD, HIDDEN, CASE, "Private pilot", "Held thread"]


@pytest.mark.parametrize("who", ["anonymous", "adult member"])
def test_no_read_path_shows_private_held_hidden_or_supportline_content(client, world, who):
    extra = {} if who == "anonymous" else as_member(f.make_user(username="outsider"))
    for path in reads(world):
        response = client.get(path, **extra)
        assert response.status_code == 200, (path, response.content[:300])
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, (path, secret)


@pytest.mark.parametrize("who", ["anonymous", "adult member"])
def test_a_young_persons_username_and_id_are_on_no_read_path(client, world, who):
    """The thread page shows a child's chosen name without a link; the API does the same."""
    young = world["young"]
    extra = {} if who == "anonymous" else as_member(f.make_user(username="outsider"))
    found_their_words = False
    for path in reads(world):
        response = client.get(path, **extra)
        body = response.content.decode()
        found_their_words |= YOUNG_WORDS in body
        assert young.username not in body, path
        for key in (f'"user_id": {young.pk}', f'"id": {young.pk}, "username"'):
            assert key not in body, (path, key)
    assert found_their_words  # the post itself is shown, only its author is not named


def test_the_young_person_sees_their_own_name_and_moderators_see_it(client, world):
    path = f"/t/{world['public'].pk}.json"
    for viewer in (world["young"], world["moderator"]):
        posts = client.get(path, **as_member(viewer)).json()["post_stream"]["posts"]
        assert world["young"].username in [p["username"] for p in posts]
    anonymous = client.get(path).json()["post_stream"]["posts"]
    mine = next(p for p in anonymous if p["id"] == world["reply"].pk)
    assert (mine["username"], mine["user_id"], mine["name"]) == ("", 0, "Sky")


def test_a_young_persons_profile_topics_and_actions_are_404_to_adults(client, world):
    outsider = as_member(f.make_user(username="outsider"))
    for path in (
        "/u/youngperson.json", "/users/youngperson.json", "/topics/created-by/youngperson.json",
        "/user_actions.json?username=youngperson&filter=4&offset=0",
    ):  # fmt: skip
        for extra in ({}, outsider):
            response = client.get(path, **extra)
            assert response.status_code == 404, path
            assert response.json()["error_type"] == "not_found"


def test_invisible_things_are_404_on_every_path_that_names_them(client, world):
    private, held, hidden = world["private"], world["held"], world["hidden"]
    for path in (
        f"/t/{private.pk}.json", f"/t/{private.pk}/1.json", f"/t/{held.pk}.json",
        f"/posts/by_number/{private.pk}/1.json", f"/posts/by_number/{held.pk}/1.json",
        f"/posts/{hidden.pk}.json", f"/posts/{hidden.pk}/replies.json",
        f"/c/{private.space_id}/show.json", f"/groups/{private.space.slug}.json",
        f"/groups/{private.space.slug}/members.json",
    ):  # fmt: skip
        response = client.get(path, **as_member(f.make_user()))
        assert response.status_code == 404, path


def test_private_messages_are_only_their_members_own(client, world):
    alice = world["alice"]
    mine = client.get("/topics/private-messages/alice.json", **as_member(alice)).json()
    assert [t["title"] for t in mine["topic_list"]["topics"]] == ["Between adults"]
    other = client.get("/topics/private-messages/alice.json", **as_member(f.make_user()))
    assert other.status_code == 404
    assert client.get("/topics/private-messages/alice.json").status_code == 403


def test_admin_user_lists_are_for_moderators_and_staff(client, world):
    member = client.get("/admin/users/list/active.json", **as_member(world["alice"]))
    assert member.status_code == 403
    listed = client.get("/admin/users/list/active.json", **as_member(world["moderator"]))
    assert world["young"].pk in [u["id"] for u in listed.json()]
    assert not any("email" in u for u in listed.json())  # addresses are for centre staff
    staff = as_member(f.make_user(role="staff", username="centrestaff"))
    listed = client.get("/admin/users/list/active.json", **staff).json()
    assert world["alice"].email in [u.get("email") for u in listed]


def test_read_only_key_cannot_write_through_new_endpoints(client, world):
    key = {"HTTP_API_KEY": make_key(world["alice"], "read"), "HTTP_API_USERNAME": "alice"}
    body = json.dumps({"id": world["reply"].pk, "post_action_type_id": 2})
    response = client.post("/post_actions.json", body, content_type="application/json", **key)
    assert response.status_code == 403
