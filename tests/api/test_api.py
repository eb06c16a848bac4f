"""The Discourse-compatible API through Django's test client."""

from __future__ import annotations

import pytest

from api.models import ApiKey
from community.forum import actions
from community.forum.models import Post
from tests import factories as f

pytestmark = pytest.mark.django_db
JSON = "application/json; charset=utf-8"


def make_key(user=None, scope="write") -> str:
    key = ApiKey(description="test", user=user, scope=scope)
    secret = key.set_new_key()
    key.save()
    return secret


def headers(key: str, username: str) -> dict:
    return {"HTTP_API_KEY": key, "HTTP_API_USERNAME": username}


@pytest.fixture
def forum(committed):
    alice = f.make_user(username="alice")
    with committed():
        public = f.make_thread(
            author=alice, title="Public thread about hubs", source="Public hub words"
        )
        reply = actions.create_post(author=alice, thread=public, source="A public reply")
        private = f.make_thread(
            author=alice, space=f.private_group(), title="Private pilot thread",
            source="Private pilot words",
        )  # fmt: skip
        held_thread = f.make_thread(
            author=f.make_user(), space=f.premoderated_space(), title="Held thread from a parent",
            source="Held parent words",
        )  # fmt: skip
        deleted = actions.create_post(author=alice, thread=public, source="Deleted reply words")
        actions.delete_post(actor=alice, post=deleted)
    return {
        "alice": alice, "public": public, "reply": reply, "private": private,
        "held": held_thread.posts.get(number=1), "held_thread": held_thread,
        "deleted": deleted,
    }  # fmt: skip


def test_answers_carry_discourse_content_type(client, forum):
    response = client.get("/latest.json")
    assert response.status_code == 200
    assert response["Content-Type"] == JSON


def test_latest_lists_public_threads_in_topic_list_shape(client, forum):
    data = client.get("/latest.json").json()
    topics = data["topic_list"]["topics"]
    assert [t["id"] for t in topics] == [forum["public"].pk]
    topic = topics[0]
    assert topic["category_id"] == forum["public"].space_id
    assert topic["tags"][0] == forum["public"].topic.slug
    assert {"id", "title", "slug", "posts_count", "last_posted_at", "closed"} <= set(topic)


def test_topic_has_post_stream(client, forum):
    thread = forum["public"]
    data = client.get(f"/t/{thread.slug}/{thread.pk}.json").json()
    assert [p["post_number"] for p in data["post_stream"]["posts"]] == [1, 2]
    assert data["post_stream"]["stream"] == [p["id"] for p in data["post_stream"]["posts"]]


EVERY_READ = [
    "/latest.json", "/top.json", "/categories.json", "/posts.json",
    "/search.json?q=words", "/tag/{topic}.json", "/c/{space}.json", "/t/{thread}.json",
    "/t/{thread}/posts.json",
]  # fmt: skip


def test_every_read_endpoint_hides_private_held_and_deleted_content_from_outsiders(client, forum):
    outsider = f.make_user(username="outsider")
    key = make_key(outsider, scope="read")
    secret_texts = ["Private pilot", "Held parent", "Held thread", "Deleted reply"]
    fills = {"topic": forum["public"].topic.slug, "space": forum["public"].space_id,
             "thread": forum["public"].pk}  # fmt: skip
    for extra in ({}, headers(key, "outsider")):
        for path in EVERY_READ:
            response = client.get(path.format(**fills), **extra)
            assert response.status_code == 200, path
            body = response.content.decode()
            for text in secret_texts:
                assert text not in body, (path, text)
        for path in (
            f"/t/{forum['private'].pk}.json", f"/t/{forum['held_thread'].pk}.json",
            f"/posts/{forum['deleted'].pk}.json", f"/posts/{forum['held'].pk}.json",
            f"/c/{forum['private'].space_id}.json", f"/c/{forum['private'].space_id}/show.json",
        ):  # fmt: skip
            response = client.get(path, **extra)
            assert response.status_code == 404, path
            assert response.json()["error_type"] == "not_found"


def test_private_group_members_read_their_group(client, forum):
    key = make_key(forum["alice"], scope="read")
    data = client.get("/latest.json", **headers(key, "alice")).json()
    assert forum["private"].pk in {t["id"] for t in data["topic_list"]["topics"]}


def test_a_bad_key_is_refused(client, forum):
    response = client.get("/latest.json", **headers("nope", "alice"))
    assert response.status_code == 403
    assert response.json()["error_type"] == "invalid_access"


def test_a_users_key_cannot_act_as_someone_else(client, forum):
    key = make_key(f.make_user(username="mallory"))
    response = client.get("/latest.json", **headers(key, "alice"))
    assert response.status_code == 403


def test_global_key_acts_as_the_named_user(client, forum):
    key = make_key(None)
    data = client.get("/latest.json", **headers(key, "alice")).json()
    assert forum["private"].pk in {t["id"] for t in data["topic_list"]["topics"]}


def test_read_key_cannot_write(client, forum):
    key = make_key(forum["alice"], scope="read")
    response = client.post(
        "/posts.json", {"raw": "A reply", "topic_id": forum["public"].pk},
        **headers(key, "alice"),
    )  # fmt: skip
    assert response.status_code == 403


def test_reply_and_new_topic_through_the_api(client, forum):
    key = make_key(forum["alice"])
    reply = client.post(
        "/posts", {"raw": "Replying through the API", "topic_id": forum["public"].pk},
        **headers(key, "alice"),
    ).json()  # fmt: skip
    assert Post.objects.get(pk=reply["id"]).source == "Replying through the API"
    created = client.post(
        "/posts.json",
        {"raw": "Opening words", "title": "A new topic from a script",
         "category": forum["public"].space_id, "tags[]": [forum["public"].topic.slug, "send"]},
        **headers(key, "alice"),
    )  # fmt: skip
    assert created.status_code == 200, created.content
    post = Post.objects.select_related("thread").get(pk=created.json()["id"])
    assert post.thread.title == "A new topic from a script"
    assert list(post.thread.tags.names()) == ["send"]


def test_invalid_post_is_422_with_reasons(client, forum):
    key = make_key(forum["alice"])
    response = client.post(
        "/posts.json", {"raw": "x", "topic_id": forum["public"].pk}, **headers(key, "alice")
    )
    assert response.status_code == 422
    assert response.json()["error_type"] == "invalid_parameters"
    assert response.json()["errors"]


def test_session_writes_need_csrf(forum):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(forum["alice"])
    response = client.post("/posts.json", {"raw": "A reply", "topic_id": forum["public"].pk})
    assert response.status_code == 403


def test_edit_post_keeps_a_revision(client, forum):
    key = make_key(forum["alice"])
    response = client.put(
        f"/posts/{forum['reply'].pk}",
        "post%5Braw%5D=Edited+reply+text&post%5Bedit_reason%5D=typo",
        content_type="application/x-www-form-urlencoded",
        **headers(key, "alice"),
    )
    assert response.status_code == 200, response.content
    assert response.json()["post"]["raw"] == "Edited reply text"
    assert forum["reply"].revisions.get().reason == "typo"


def test_only_moderators_change_topic_status(client, forum):
    thread = forum["public"]
    key = make_key(forum["alice"])
    body = "status=closed&enabled=true"
    form = "application/x-www-form-urlencoded"
    response = client.put(
        f"/t/{thread.pk}/status", body, content_type=form, **headers(key, "alice")
    )
    assert response.status_code == 403
    moderator = f.make_moderator(username="mod")
    response = client.put(
        f"/t/{thread.pk}/status", body, content_type=form, **headers(make_key(moderator), "mod")
    )
    assert response.status_code == 200
    thread.refresh_from_db()
    assert thread.is_closed


def test_rate_limit_answers_429_with_wait_seconds(client, forum, settings):
    settings.API_RATE = "2/m"
    for _ in range(2):
        assert client.get("/categories.json").status_code == 200
    response = client.get("/categories.json")
    assert response.status_code == 429
    assert response.json()["extras"]["wait_seconds"] >= 1
    assert response["Discourse-Rate-Limit-Error-Code"]
    assert response["Content-Type"] == JSON


def test_minors_profiles_are_not_shown_to_adults(client, forum):
    f.make_user(username="young", role="young_person", age_band="13-15")
    assert client.get("/users/young.json").status_code == 404
    assert client.get("/users/alice.json").json()["user"]["username"] == "alice"


def test_notifications_need_a_member(client, forum):
    assert client.get("/notifications.json").status_code == 403
    key = make_key(forum["alice"], scope="read")
    data = client.get("/notifications.json", **headers(key, "alice")).json()
    assert data["notifications"] == [] or data["notifications"][0]["user_id"] == forum["alice"].pk


def test_api_paths_never_redirect(client, forum):
    for path in ("/latest.json", "/posts", "/t/999999.json", "/nope.json"):
        response = client.get(path)
        assert response.status_code not in (301, 302), path


def test_latest_queries_do_not_grow_with_threads(client, forum, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/latest.json")
    f.bulk_threads(f.national(), 25)
    with django_assert_max_num_queries(8):
        client.get("/latest.json")
