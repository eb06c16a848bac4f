"""Discourse's upload flow: POST /uploads.json, then the post's raw names the file by its
short URL. The file is then served only to those who may read that post."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.models import ApiKey
from community.forum.models import Attachment, Post, Status
from community.moderation.actions import flag_post
from tests import factories as f

pytestmark = pytest.mark.django_db


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (6, 4), "teal").save(out, "PNG")
    return out.getvalue()


def as_member(user) -> dict:
    key = ApiKey(description="test", user=user, scope="write")
    secret = key.set_new_key()
    key.save()
    return {"HTTP_API_KEY": secret, "HTTP_API_USERNAME": user.username}


def upload(client, user) -> dict:
    file = SimpleUploadedFile("family day.png", png(), content_type="image/png")
    response = client.post("/uploads.json", {"file": file, "type": "composer"}, **as_member(user))
    assert response.status_code == 200, response.content
    return response.json()


def reply_with(client, user, thread, raw: str):
    return client.post("/posts.json", {"topic_id": thread.pk, "raw": raw}, **as_member(user))


def fetch(client, user, url: str) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    status = client.get(url).status_code
    client.logout()
    return status


@pytest.fixture
def alice():
    return f.make_user(username="alice", is_verified=True)


def test_an_upload_is_served_to_its_uploader_only_until_a_post_holds_it(client, alice):
    stored = upload(client, alice)
    assert stored["short_url"] == f"upload://{stored['id']}.png"
    assert stored["url"].startswith("/uploads/")
    # The uploader sees it (the composer's preview shows it); nobody else learns of it.
    assert fetch(client, alice, stored["url"]) == 200
    assert fetch(client, f.make_user(), stored["url"]) == 404
    assert fetch(client, f.make_moderator(), stored["url"]) == 404
    assert fetch(client, None, stored["url"]) == 404


def test_a_reply_naming_the_short_url_attaches_the_file_and_shows_it(client, alice, committed):
    with committed():
        thread = f.make_thread(author=alice, title="Pictures from the hub day")
    stored = upload(client, alice)
    raw = f"Our display: ![family day|6x4]({stored['short_url']})"
    response = reply_with(client, alice, thread, raw)
    assert response.status_code == 200, response.content
    post = Post.objects.get(pk=response.json()["id"])
    assert Attachment.objects.get(pk=stored["id"]).post_id == post.pk
    assert f'src="{stored["url"]}"' in post.html
    assert 'alt="family day"' in post.html
    reader = f.make_user()
    assert fetch(client, reader, stored["url"]) == 200
    assert fetch(client, None, stored["url"]) == 200  # a public space: visitors read it too


def test_a_new_topic_can_hold_an_upload(client, alice, committed):
    with committed():
        space = f.national()
    stored = upload(client, alice)
    body = {
        "title": "A topic with a leaflet picture",
        "raw": f"See the leaflet ![leaflet]({stored['short_url']})",
        "category": space.pk,
    }
    response = client.post("/posts.json", body, **as_member(alice))
    assert response.status_code == 200, response.content
    assert Attachment.objects.get(pk=stored["id"]).post_id == response.json()["id"]


def test_an_upload_in_a_private_space_is_not_served_to_those_outside_it(client, alice, committed):
    with committed():
        thread = f.make_thread(author=alice, space=f.private_group(), title="Private pilot")
    stored = upload(client, alice)
    response = reply_with(client, alice, thread, f"Inside only ![x]({stored['short_url']})")
    assert response.status_code == 200, response.content
    assert fetch(client, alice, stored["url"]) == 200
    assert fetch(client, f.make_user(), stored["url"]) == 404
    assert fetch(client, None, stored["url"]) == 404


def test_an_upload_in_a_held_post_is_for_its_author_and_moderators_only(client, committed):
    author = f.make_user()
    with committed():
        thread = f.make_thread(author=f.make_moderator(), space=f.premoderated_space())
    stored = upload(client, author)
    response = reply_with(client, author, thread, f"Waiting ![x]({stored['short_url']})")
    assert response.status_code == 200 and response.json()["action"] == "enqueued"
    assert Post.objects.get(pk=response.json()["pending_post"]["id"]).status == Status.HELD
    assert fetch(client, author, stored["url"]) == 200
    assert fetch(client, f.make_moderator(), stored["url"]) == 200
    assert fetch(client, f.make_user(), stored["url"]) == 404


def test_an_upload_in_a_hidden_post_is_not_served_to_readers(client, alice, committed):
    with committed():
        thread = f.make_thread(author=alice, title="A thread with a hidden picture")
    author = f.make_user()
    stored = upload(client, author)
    response = reply_with(client, author, thread, f"Picture ![x]({stored['short_url']})")
    post = Post.objects.get(pk=response.json()["id"])
    with committed():
        flag_post(flagger=alice, post=post, reason="safeguarding")
    post.refresh_from_db()
    assert post.status == Status.HIDDEN
    assert fetch(client, f.make_user(), stored["url"]) == 404
    assert fetch(client, f.make_moderator(), stored["url"]) == 200


def test_someone_elses_upload_cannot_be_named(client, alice, committed):
    with committed():
        thread = f.make_thread(author=alice, title="A thread for borrowed files")
    stored = upload(client, alice)
    mallory = f.make_user()
    response = reply_with(client, mallory, thread, f"Borrowed ![x]({stored['short_url']})")
    assert response.status_code == 422
    assert "upload://" in response.json()["errors"][0]
    assert Attachment.objects.get(pk=stored["id"]).post_id is None


def test_a_file_in_a_private_post_cannot_be_moved_into_a_public_one(client, alice, committed):
    with committed():
        private = f.make_thread(author=alice, space=f.private_group(), title="Private pilot")
        public = f.make_thread(author=alice, title="A public thread")
    stored = upload(client, alice)
    first = reply_with(client, alice, private, f"First ![x]({stored['short_url']})")
    assert first.status_code == 200
    response = reply_with(client, alice, public, f"Again ![x]({stored['short_url']})")
    assert response.status_code == 422
    assert Attachment.objects.get(pk=stored["id"]).post.thread_id == private.pk
    assert fetch(client, f.make_user(), stored["url"]) == 404


def test_an_edit_can_add_an_upload(client, alice, committed):
    with committed():
        thread = f.make_thread(author=alice, title="A thread to edit a picture into")
    post = thread.posts.get(number=1)
    stored = upload(client, alice)
    body = {"post": {"raw": f"Now with a picture ![x]({stored['short_url']})"}}
    response = client.put(
        f"/posts/{post.pk}.json", body, content_type="application/json", **as_member(alice)
    )
    assert response.status_code == 200, response.content
    assert Attachment.objects.get(pk=stored["id"]).post_id == post.pk


def test_the_thread_page_shows_an_inline_upload_once(client, alice, committed):
    with committed():
        thread = f.make_thread(author=alice, title="A thread with one picture")
    stored = upload(client, alice)
    reply_with(client, alice, thread, f"Once ![family day]({stored['short_url']})")
    page = client.get(thread.get_absolute_url()).content.decode()
    assert page.count(f'src="{stored["url"]}"') == 1


def test_a_young_person_cannot_attach_through_the_api(client, committed):
    young = f.make_user(role="young_person", age_band="13-15")
    file = SimpleUploadedFile("me.png", png(), content_type="image/png")
    response = client.post("/uploads.json", {"file": file}, **as_member(young))
    assert response.status_code in (403, 422)
    assert not Attachment.objects.filter(uploader=young).exists()


def test_short_urls_are_found_and_replaced_with_the_served_path():
    from community.forum.uploads import resolve_upload_references, upload_references

    raw = "![a|640x480](upload://12.png) and upload://12 and [b](upload://7)"
    assert upload_references(raw) == [12, 7]
    out = resolve_upload_references(raw, {12: "/uploads/12/a.png"})
    assert out.startswith("![a](/uploads/12/a.png)")
    assert "upload://7" in out  # an unknown one is left as written (the action refuses it)
