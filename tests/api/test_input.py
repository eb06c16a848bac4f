"""The API's handling of input: bodies of every kind, routes as Discourse has them, errors as
JSON with reasons, the one rate limiter, and never a 500."""

from __future__ import annotations

import json

import pytest

from api.models import ApiKey
from community.forum.models import Post, Space, Thread
from tests import factories as f

pytestmark = pytest.mark.django_db
JSON = "application/json; charset=utf-8"


@pytest.fixture
def alice():
    return f.make_user(username="alice", is_verified=True)


@pytest.fixture
def key(alice) -> dict:
    api_key = ApiKey(description="test", user=alice, scope="write")
    secret = api_key.set_new_key()
    api_key.save()
    return {"HTTP_API_KEY": secret, "HTTP_API_USERNAME": "alice"}


@pytest.fixture
def thread(alice, committed):
    with committed():
        return f.make_thread(author=alice, title="Thread for input tests", source="Opening")


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == JSON
    body = response.json()
    assert body["errors"] and body["error_type"]
    return body


def test_a_json_body_starts_a_topic_as_a_form_does(client, key, thread):
    body = {"raw": "Opening words in JSON", "title": "A topic sent as JSON", "category": 1}
    body["category"] = thread.space_id
    response = client.post("/posts.json", json.dumps(body), content_type="application/json", **key)
    assert response.status_code == 200, response.content
    created = Post.objects.select_related("thread").get(pk=response.json()["id"])
    assert created.thread.title == "A topic sent as JSON"


def test_a_json_body_edits_a_post_with_discourses_nested_keys(client, key, thread):
    post = thread.posts.get(number=1)
    body = json.dumps({"post": {"raw": "Edited through a JSON body", "edit_reason": "typo"}})
    response = client.put(f"/posts/{post.pk}.json", body, content_type="application/json", **key)
    assert response.status_code == 200, response.content
    post.refresh_from_db()
    assert post.source == "Edited through a JSON body"


def test_a_multipart_body_replies_as_a_form_does(client, key, thread):
    response = client.post(
        "/posts.json", {"raw": "A multipart reply to the thread", "topic_id": thread.pk}, **key
    )
    assert response.status_code == 200
    assert thread.posts.filter(source="A multipart reply to the thread").exists()


def test_a_topic_without_a_practice_topic_gets_the_spaces_default(client, key, thread):
    space = thread.space
    assert space.default_topic is not None
    body = {"raw": "Words without a tag", "title": "No practice topic named", "category": space.pk}
    response = client.post("/posts.json", body, **key)
    assert response.status_code == 200, response.content
    assert Thread.objects.get(pk=response.json()["topic_id"]).topic == space.default_topic


def test_a_space_without_a_default_topic_asks_for_one(client, key, thread):
    Space.objects.filter(pk=thread.space_id).update(default_topic=None)
    body = {"raw": "Words without a tag", "title": "No practice topic named", "category": 1}
    body["category"] = thread.space_id
    error = assert_json_error(client.post("/posts.json", body, **key), 422)
    assert "practice topic" in error["errors"][0]


def test_a_number_is_never_taken_as_a_slug(client, thread, alice, committed):
    with committed():
        f.add_replies(thread, 2, author=alice)
    at_two = client.get(f"/t/{thread.pk}/2.json").json()
    assert at_two["id"] == thread.pk
    with_slug = client.get(f"/t/{thread.slug}/{thread.pk}/3.json").json()
    assert with_slug["id"] == thread.pk
    assert 3 in [p["post_number"] for p in with_slug["post_stream"]["posts"]]


def test_accept_json_on_discourses_html_paths_answers_json(client, thread):
    for path in ("/latest", f"/t/{thread.slug}/{thread.pk}", f"/t/{thread.pk}"):
        response = client.get(path, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, path
        assert response["Content-Type"] == JSON
    assert "html" in client.get("/latest/").get("Content-Type", "text/html")


@pytest.mark.parametrize(
    "method, path, data",
    [
        ("post", "/posts.json", {"raw": "A reply", "topic_id": "{t}", "reply_to_post_number": "abc"}),
        ("post", "/posts.json", {"raw": "A reply", "topic_id": "abc"}),
        ("post", "/bookmarks.json", {"bookmarkable_id": "x", "bookmarkable_type": "Post"}),
        ("post", "/bookmarks.json", {"bookmarkable_id": "1", "bookmarkable_type": "Nope"}),
        ("post", "/topics/timings", {"topic_id": "{t}", "timings[abc]": "1000"}),
        ("post", "/topics/timings", {"topic_id": "99999999999999999999"}),
        ("post", "/post_actions.json", {"id": "{p}", "post_action_type_id": "zz"}),
        ("get", "/latest.json?page=99999999999999999999", None),
        ("get", "/notifications.json?offset=99999999999999999999", None),
        ("get", "/t/{t}/posts.json?post_ids[]=abc", None),
        ("get", "/t/{t}/posts.json?post_ids[]=99999999999999999999", None),
        ("get", "/posts.json?before=abc", None),
    ],
)  # fmt: skip
def test_bad_input_gets_a_400_with_a_reason(client, key, thread, method, path, data):
    fill = {"t": thread.pk, "p": thread.posts.get(number=1).pk}
    path = path.format(**fill)
    data = {k: str(v).format(**fill) for k, v in (data or {}).items()}
    response = getattr(client, method)(path, data, **key) if data else client.get(path, **key)
    assert_json_error(response, 400)


def test_post_ids_left_empty_are_ignored(client, thread):
    assert client.get(f"/t/{thread.pk}/posts.json?post_ids[]=").status_code == 200


def test_new_write_endpoints_work_and_answer_json(client, key, thread, alice):
    post = thread.posts.get(number=1)
    reply = f.make_user()
    response = client.post("/bookmarks.json", {"bookmarkable_id": post.pk}, **key)
    assert response.status_code == 200 and post.bookmarks.filter(user=alice).exists()
    response = client.post("/topics/timings", {"topic_id": thread.pk, "timings[1]": "900"}, **key)
    assert response.status_code == 200
    body = json.dumps({"name": "Alice Example"})
    response = client.put("/u/alice.json", body, content_type="application/json", **key)
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.display_name == "Alice Example"
    response = client.put(f"/u/{reply.username}.json", body, content_type="application/json", **key)
    assert_json_error(response, 403)
    response = client.delete(f"/t/{thread.pk}.json", **key)
    assert response.status_code == 200
    thread.refresh_from_db()
    assert thread.deleted_at is not None
    assert_json_error(client.get(f"/t/{thread.pk}.json"), 404)


def test_likes_through_post_actions(client, key, thread, committed):
    with committed():
        other = f.make_thread(title="Someone else's thread", source="Like me")
    post = other.posts.get(number=1)
    response = client.post("/post_actions.json", {"id": post.pk, "post_action_type_id": 2}, **key)
    assert response.status_code == 200
    liked = response.json()["actions_summary"][0]
    assert (liked["id"], liked["count"], liked["acted"]) == (2, 1, True)
    response = client.delete(f"/post_actions/{post.pk}.json?post_action_type_id=2", **key)
    assert response.json()["actions_summary"][0]["count"] == 0


def test_writes_need_a_member_and_wrong_methods_are_405(client, thread):
    assert_json_error(client.delete(f"/t/{thread.pk}.json"), 403)
    assert_json_error(client.post("/bookmarks.json", {"bookmarkable_id": 1}), 403)
    assert_json_error(client.put("/u/alice.json", "{}", content_type="application/json"), 403)
    assert_json_error(client.patch(f"/t/{thread.pk}.json"), 405)
    assert_json_error(client.get("/bookmarks.json"), 405)


def test_unknown_api_paths_answer_json_404(client):
    for path in ("/nope.json", "/t/abc/def/ghi.json", "/admin/nothing.json"):
        assert_json_error(client.get(path), 404)
    assert_json_error(client.get("/nothing-here", HTTP_ACCEPT="application/json"), 404)


def test_an_over_large_body_answers_json_413(client, key, thread, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"raw": "x" * 5000, "topic_id": thread.pk})
    response = client.post("/posts.json", body, content_type="application/json", **key)
    assert_json_error(response, 413)


def test_a_body_that_is_not_json_is_a_400(client, key, thread):
    response = client.post("/posts.json", "{raw:", content_type="application/json", **key)
    assert_json_error(response, 400)


def test_posting_too_fast_answers_429_with_wait_seconds(client, key, thread, settings):
    settings.POSTS_PER_MINUTE = 3  # the thread's first post was one
    for n in range(2):
        body = {"raw": f"Reply number {n} to the thread", "topic_id": thread.pk}
        assert client.post("/posts.json", body, **key).status_code == 200
    body = {"raw": "One reply too many for a minute", "topic_id": thread.pk}
    error = assert_json_error(client.post("/posts.json", body, **key), 429)
    assert error["extras"]["wait_seconds"] >= 1
    assert "wait" in error["errors"][0]


def test_the_api_read_limit_uses_the_one_limiter(client, settings):
    settings.API_RATE = "2/m"
    for _ in range(2):
        assert client.get("/site/basic-info.json").status_code == 200
    error = assert_json_error(client.get("/site/basic-info.json"), 429)
    assert error["extras"]["wait_seconds"] >= 1


def test_other_apps_add_fields_to_posts_and_topics_through_the_hooks(client, thread, monkeypatch):
    from api import serializers

    monkeypatch.setattr(serializers, "_post_hooks", [])
    monkeypatch.setattr(serializers, "_topic_hooks", [])
    monkeypatch.setattr(serializers, "EXTENSION_KEYS", set(serializers.EXTENSION_KEYS))
    calls = []

    def polls(posts, viewer):
        calls.append(len(posts))  # once per answer, with every post: no query per post
        return {p.pk: {"polls": [{"name": "poll"}]} for p in posts}

    serializers.register_post_fields({"polls"}, polls)
    serializers.register_topic_fields(
        {"accepted_answer"},
        lambda threads, viewer: {t.pk: {"accepted_answer": None} for t in threads},
    )
    topic = client.get(f"/t/{thread.pk}.json").json()
    assert topic["post_stream"]["posts"][0]["polls"] == [{"name": "poll"}]
    assert "accepted_answer" in topic
    assert calls == [1]
    listed = client.get("/latest.json").json()["topic_list"]["topics"]
    assert "accepted_answer" in listed[0]
    assert {"polls", "accepted_answer"} <= serializers.EXTENSION_KEYS
