"""Discourse's staff operations that map onto the network's actions (lock a post's edits,
deactivate and activate a member, add a space or a private group), each with its rule; and
the ones the network refuses, answering why."""

from __future__ import annotations

import json

import pytest

from api.models import ApiKey
from community.forum import actions
from community.forum.models import Post, Space
from community.moderation.models import ModerationLog, ReviewItem
from tests import factories as f

pytestmark = pytest.mark.django_db


def as_member(user) -> dict:
    key = ApiKey(description="test", user=user, scope="write")
    secret = key.set_new_key()
    key.save()
    return {"HTTP_API_KEY": secret, "HTTP_API_USERNAME": user.username}


def put(client, url: str, body: dict, user):
    return client.put(url, json.dumps(body), content_type="application/json", **as_member(user))


def edit(client, post: Post, user, raw: str):
    return put(client, f"/posts/{post.pk}.json", {"post": {"raw": raw}}, user)


@pytest.fixture
def post(committed):
    author = f.make_user()
    with committed():
        thread = f.make_thread(author=author, title="A thread with a post to lock")
    return thread.posts.get(number=1)


def test_a_moderator_locks_a_post_against_its_authors_edits(client, post):
    moderator = f.make_moderator()
    response = put(client, f"/posts/{post.pk}/locked.json", {"locked": "true"}, moderator)
    assert response.status_code == 200 and response.json() == {"locked": True}
    assert edit(client, post, post.author, "Changing what I said").status_code == 403
    assert edit(client, post, moderator, "A moderator's correction").status_code == 200
    assert ModerationLog.objects.filter(action="post.edits_locked", actor=moderator).exists()
    response = put(client, f"/posts/{post.pk}/locked.json", {"locked": "false"}, moderator)
    assert response.json() == {"locked": False}
    assert edit(client, post, post.author, "Now I may edit again").status_code == 200


def test_members_cannot_lock_posts(client, post):
    response = put(client, f"/posts/{post.pk}/locked.json", {"locked": "true"}, post.author)
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.edits_locked_at is None


def test_a_post_outsiders_cannot_read_is_not_found_to_lock(client, committed):
    with committed():
        thread = f.make_thread(space=f.private_group(), title="A private thread to lock in")
    first = thread.posts.get(number=1)
    outsider = f.make_user()
    response = put(client, f"/posts/{first.pk}/locked.json", {"locked": "true"}, outsider)
    assert response.status_code == 404


def test_lock_needs_to_be_told_locked(client, post):
    response = put(client, f"/posts/{post.pk}/locked.json", {}, f.make_moderator())
    assert response.status_code == 422


def test_staff_deactivate_a_member_as_a_suspension_until_lifted(client):
    member = f.make_user()
    staff = f.make_user(role="staff")
    response = put(client, f"/admin/users/{member.pk}/deactivate.json", {}, staff)
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert member.suspended_until.year >= 2100
    assert ModerationLog.objects.filter(action="user.suspended", actor=staff).exists()
    response = put(client, f"/admin/users/{member.pk}/activate.json", {}, staff)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.suspended_until is None


def test_activate_approves_an_account_waiting_for_a_moderator(client):
    waiting = f.make_user(is_active=False)
    item = ReviewItem.objects.create(kind=ReviewItem.Kind.NEW_ACCOUNT, user=waiting)
    response = put(client, f"/admin/users/{waiting.pk}/activate.json", {}, f.make_moderator())
    assert response.status_code == 200, response.content
    waiting.refresh_from_db()
    item.refresh_from_db()
    assert waiting.is_active and item.state == ReviewItem.State.APPROVED


def test_members_cannot_deactivate_and_moderators_cannot_deactivate_moderators(client):
    member = f.make_user()
    response = put(client, f"/admin/users/{member.pk}/deactivate.json", {}, f.make_user())
    assert response.status_code in (403, 404)
    other_moderator = f.make_moderator()
    response = put(
        client, f"/admin/users/{other_moderator.pk}/deactivate.json", {}, f.make_moderator()
    )
    assert response.status_code == 403
    member.refresh_from_db()
    other_moderator.refresh_from_db()
    assert member.suspended_until is None and other_moderator.suspended_until is None


def test_staff_add_a_space_as_a_category(client):
    staff = f.make_user(role="staff")
    body = {"name": "Fathers' network", "visibility": "verified", "allowed_tags": []}
    response = client.post(
        "/categories.json", json.dumps(body), content_type="application/json",
        **as_member(staff),
    )  # fmt: skip
    assert response.status_code == 200, response.content
    space = Space.objects.get(pk=response.json()["category"]["id"])
    assert (space.name, space.visibility, space.kind) == ("Fathers' network", "verified",
                                                            "community")  # fmt: skip
    assert response.json()["category"]["read_restricted"] is True


@pytest.mark.parametrize("role", ["moderator", "practitioner"])
def test_only_centre_staff_add_spaces_and_groups(client, role):
    user = f.make_user(role=role)
    before = Space.objects.count()
    response = client.post("/categories.json", {"name": "Not allowed space"}, **as_member(user))
    assert response.status_code == 403
    response = client.post("/admin/groups.json", {"group[name]": "not-allowed"}, **as_member(user))
    assert response.status_code == 403
    assert Space.objects.count() == before


def test_a_bad_visibility_is_a_clear_error(client):
    response = client.post(
        "/categories.json", {"name": "A space", "visibility": "everyone"},
        **as_member(f.make_user(role="staff")),
    )  # fmt: skip
    assert response.status_code == 422
    assert "visibility must be" in response.json()["errors"][0]


def test_staff_add_a_private_group_only_its_members_read(client, committed):
    staff = f.make_user(role="staff")
    body = {"group": {"name": "pilot-dads", "full_name": "Pilot: dads' group"}}
    response = client.post(
        "/admin/groups.json", json.dumps(body), content_type="application/json",
        **as_member(staff),
    )  # fmt: skip
    assert response.status_code == 200, response.content
    group = Space.objects.get(pk=response.json()["basic_group"]["id"])
    assert (group.visibility, group.open_membership) == (Space.Visibility.GROUP, False)
    outsider = f.make_user()
    assert client.get(f"/c/{group.pk}/show.json", **as_member(outsider)).status_code == 404
    actions.add_member(actor=staff, user=outsider, space=group)
    outsider.__dict__.pop("_member_space_ids", None)
    from community.forum import permissions

    permissions.forget_cached_access(outsider)
    assert client.get(f"/c/{group.pk}/show.json", **as_member(outsider)).status_code == 200


@pytest.mark.parametrize(
    ("method", "url", "words"),
    [
        ("delete", "/admin/users/{member}.json", "own request"),
        ("put", "/admin/users/{member}/anonymize.json", "safeguarding hold"),
        ("post", "/admin/users/{member}/log_out.json", "suspend"),
        ("put", "/categories/{space}.json", "settings page"),
        ("put", "/groups/{space}.json", "never deleted"),
        ("delete", "/admin/groups/{space}.json", "never deleted"),
        ("put", "/t/{space}/change-timestamp.json", "cannot be changed"),
    ],
)
def test_what_the_network_refuses_answers_why(client, method, url, words):
    staff = f.make_user(role="staff")
    target = url.format(member=f.make_user().pk, space=f.national().pk)
    response = getattr(client, method)(target, **as_member(staff))
    assert response.status_code == 501
    body = response.json()
    assert body["error_type"] == "not_applicable" and words in body["errors"][0]
