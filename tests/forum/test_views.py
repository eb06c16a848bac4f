import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from community.forum.models import Attachment, Bookmark, Membership, Post, Thread
from tests.factories import make_moderator, make_thread, make_user, national, premoderated_space

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    user = make_user(username="writer", display_name="Writer")
    client.force_login(user)
    return user


def _topic_id():
    from tests.factories import any_topic

    return any_topic().pk


def test_start_thread_form_posts_and_redirects_to_thread(client, member):
    response = client.post(
        reverse("forum:start_thread"),
        {
            "space": national().pk,
            "topic": _topic_id(),
            "title": "Weekend peer support cover",
            "source": "How do you do it?",
            "tags": "peer-support, Weekends",
        },
    )
    thread = Thread.objects.get(title="Weekend peer support cover")
    assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()
    page = client.get(thread.get_absolute_url() + "?page=1").content.decode()
    assert "How do you do it?" in page and "#weekends" in page


def test_failed_thread_keeps_the_text_and_says_what_is_wrong(client, member):
    response = client.post(
        reverse("forum:start_thread"),
        {
            "space": national().pk,
            "topic": _topic_id(),
            "title": "short",
            "source": "My long careful words",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "My long careful words" in body
    assert "at least 8 characters" in body
    assert not Thread.objects.exists()


def test_failed_reply_keeps_the_text(client, member):
    thread = make_thread()
    bad_file = SimpleUploadedFile("notes.png", b"this is not an image", content_type="image/png")
    response = client.post(
        reverse("forum:reply", args=[thread.pk]),
        {"source": "My thoughtful reply", "attachments": [bad_file]},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "My thoughtful reply" in body and "not an image or a PDF" in body
    assert Post.objects.count() == 1


def test_reply_goes_to_the_new_post_url(client, member):
    thread = make_thread()
    response = client.post(
        reverse("forum:reply", args=[thread.pk]), {"source": "Thanks for sharing"}
    )
    assert response["Location"] == thread.post_url(2) + "#post-2"
    assert "Thanks for sharing" in client.get(thread.post_url(2)).content.decode()


def test_quote_link_prefills_a_quote_and_the_reply_shows_it(client, member):
    other = make_user(username="priya")
    thread = make_thread(author=other, source="Evening sessions doubled attendance")
    first = thread.posts.get(number=1)
    form = client.get(
        reverse("forum:reply", args=[thread.pk]) + f"?quote={first.pk}"
    ).content.decode()
    assert f"[quote=&quot;priya, post:1, topic:{thread.pk}&quot;]" in form
    source = f'[quote="priya, post:1, topic:{thread.pk}"]\nEvening sessions doubled attendance\n[/quote]\n\nSo true'
    client.post(reverse("forum:reply", args=[thread.pk]), {"source": source, "reply_to": first.pk})
    page = client.get(thread.post_url(2)).content.decode()
    assert 'class="quote"' in page
    assert (
        f'{other.display_name}</span> said in <a href="{thread.post_url(1)}#post-1">post 1</a>'
        in page
    )
    assert "In reply to" in page


def test_thread_opens_at_the_first_unread_post(client, member):
    from community.forum import actions
    from tests.factories import bulk_replies

    thread = make_thread()
    bulk_replies(thread, 24)
    actions.record_read(user=member, thread=thread, number=22)
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == thread.post_url(23) + "#post-23"
    page = client.get(thread.post_url(23)).content.decode()
    assert 'id="post-23"' in page and "Page 2 of 2" in page


def test_stable_post_url_and_wrong_slug_redirect(client):
    thread = make_thread(title="A stable address thread")
    assert client.get(thread.post_url(1)).status_code == 200
    wrong = reverse("forum:post", args=["old-title", thread.pk, 1])
    assert client.get(wrong)["Location"] == thread.post_url(1)


def test_edit_shows_revision_history_with_diff(client, member):
    thread = make_thread(author=member, source="First version of the text")
    post = thread.posts.get(number=1)
    response = client.post(
        reverse("forum:edit_post", args=[post.pk]),
        {
            "source": "Second version of the text",
            "reason": "clarity",
            "thread-title": thread.title,
            "thread-topic": thread.topic_id,
            "thread-tags": "",
        },
    )
    assert response.status_code == 302
    history = client.get(reverse("forum:revisions", args=[post.pk])).content.decode()
    assert "First version" in history and "Second version" in history and "clarity" in history


def test_delete_and_restore_through_the_page(client, member):
    thread = make_thread()
    from community.forum import actions

    reply = actions.create_post(author=member, thread=thread, source="I will delete this")
    client.post(reverse("forum:delete_post", args=[reply.pk]))
    assert Post.objects.get(pk=reply.pk).deleted_at is not None
    client.post(reverse("forum:restore_post", args=[reply.pk]))
    assert Post.objects.get(pk=reply.pk).deleted_at is None


def test_deleted_post_is_gone_for_other_readers(client, member):
    thread = make_thread()
    from community.forum import actions

    reply = actions.create_post(author=make_user(), thread=thread, source="Soon deleted words")
    actions.delete_post(actor=make_moderator(), post=reply)
    assert (
        "Soon deleted words"
        not in client.get(thread.get_absolute_url() + "?page=1").content.decode()
    )


def test_react_and_bookmark_forms(client, member):
    thread = make_thread()
    post = thread.posts.get(number=1)
    client.post(reverse("forum:react", args=[post.pk]), {"kind": "thanks"})
    client.post(reverse("forum:bookmark", args=[post.pk]))
    post.refresh_from_db()
    assert post.reaction_counts == {"thanks": 1}
    assert Bookmark.objects.filter(user=member, post=post).exists()
    assert thread.title in client.get(reverse("forum:bookmarks")).content.decode()
    assert client.post(reverse("forum:react", args=[post.pk]), {"kind": "nope"}).status_code == 400


def test_others_get_403_when_editing(client, member):
    thread = make_thread()
    post = thread.posts.get(number=1)
    response = client.get(reverse("forum:edit_post", args=[post.pk]))
    assert response.status_code == 403 and "cannot edit" in response.content.decode()


def test_get_on_post_only_endpoints_is_405(client, member):
    post = make_thread().posts.get(number=1)
    assert client.get(reverse("forum:delete_post", args=[post.pk])).status_code == 405


def test_join_and_leave_regional_group_pages(client, member):
    client.post(reverse("forum:join", args=["london"]))
    assert Membership.objects.filter(user=member, space__slug="london").exists()
    client.post(reverse("forum:leave", args=["london"]))
    assert not Membership.objects.filter(user=member, space__slug="london").exists()


def test_premoderated_post_tells_the_author_it_waits(client):
    parent = make_user(role="parent_carer")
    client.force_login(parent)
    response = client.post(
        reverse("forum:start_thread"),
        {
            "space": premoderated_space().pk,
            "topic": _topic_id(),
            "title": "Opening hours for shift workers",
            "source": "Could there be a late evening?",
        },
        follow=True,
    )
    assert "once a moderator has approved it" in response.content.decode()


def test_lists_paginate_without_counting(client, member):
    from tests.factories import bulk_threads

    bulk_threads(national(), 35)
    first = client.get(reverse("forum:latest")).content.decode()
    second = client.get(reverse("forum:latest") + "?page=2").content.decode()
    assert 'rel="next"' in first and 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize(
    "url_name",
    ["forum:latest", "forum:new", "forum:unread", "forum:top", "forum:spaces", "forum:topics"],
)
def test_list_pages_render_for_members(client, member, url_name):
    make_thread()
    assert client.get(reverse(url_name)).status_code == 200


def test_new_and_unread_lists(client, member):
    from community.forum import actions

    seen = make_thread(title="A thread I have read")
    unseen = make_thread(title="A thread I never opened")
    client.get(seen.get_absolute_url())
    actions.create_post(author=make_user(), thread=seen, source="Something new since")
    new_page = client.get(reverse("forum:new")).content.decode()
    unread_page = client.get(reverse("forum:unread")).content.decode()
    assert unseen.title in new_page and seen.title not in new_page
    assert (
        seen.title in unread_page and unseen.title not in unread_page and "1 unread" in unread_page
    )


def test_bad_page_numbers_are_404_and_pages_past_the_end_are_empty(client):
    make_thread()
    assert client.get(reverse("forum:latest") + "?page=abc").status_code == 404
    assert client.get(reverse("forum:latest") + "?page=999").status_code == 200


def test_uploaded_image_is_served_without_its_metadata(client, member):
    image = Image.new("RGB", (32, 20), "blue")
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    assert b"SecretCameraMaker" in buffer.getvalue()
    thread = make_thread()
    upload = SimpleUploadedFile("photo.txt", buffer.getvalue(), content_type="text/plain")
    client.post(
        reverse("forum:reply", args=[thread.pk]),
        {"source": "Our hub's new room", "attachments": [upload]},
    )
    attachment = Attachment.objects.get()
    assert attachment.kind == "image" and attachment.content_type == "image/jpeg"
    served = b"".join(client.get(attachment.get_absolute_url()).streaming_content)
    assert b"SecretCameraMaker" not in served
    assert Image.open(io.BytesIO(served)).size == (32, 20)
    assert attachment.get_absolute_url() in client.get(thread.post_url(2)).content.decode()
