"""Every read path against a private region, a held post, a deleted thread and a staff-only space."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from community.forum import actions, permissions
from community.forum.models import Space
from community.forum.uploads import prepare_upload
from tests.factories import (
    make_moderator,
    make_thread,
    make_user,
    premoderated_space,
    private_group,
)

pytestmark = pytest.mark.django_db

SECRET = "Zanzibar-secret-phrase"


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("chart.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def hidden_things():
    """A thread in a private group, a held thread and a held reply, each carrying SECRET."""
    insider = make_user(username="insider")
    group = private_group()
    private = make_thread(
        author=insider,
        space=group,
        title=f"Private {SECRET} thread",
        source=f"Body {SECRET}",
        tags=["private-tag"],
        uploads=[prepare_upload(_png())],
    )
    parent = make_user(role="parent_carer", username="parent")
    held = make_thread(
        author=parent,
        space=premoderated_space(),
        title=f"Held {SECRET} thread",
        source=f"Held {SECRET}",
    )
    public = make_thread(title="An ordinary public thread", tags=["private-tag"])
    held_reply_space = Space.objects.get(slug="young-people")
    young_thread = make_thread(
        author=make_moderator(), space=held_reply_space, title="Youth voice thread"
    )
    held_reply = actions.create_post(
        author=make_user(role="young_person", age_band="16-17"),
        thread=young_thread,
        source=f"Reply {SECRET}",
    )
    deleted = make_thread(title=f"Deleted {SECRET} thread", source=f"Gone {SECRET}")
    actions.delete_post(actor=deleted.author, post=deleted.posts.get(number=1))
    staff_space = Space.objects.create(
        slug="staff-room", name="Staff room", kind="community", visibility="staff"
    )
    staff_thread = make_thread(
        author=make_moderator(),
        space=staff_space,
        title=f"Staff {SECRET} thread",
        source=f"S {SECRET}",
    )
    return {
        "insider": insider,
        "group": group,
        "private": private,
        "held": held,
        "parent": parent,
        "public": public,
        "young_thread": young_thread,
        "held_reply": held_reply,
        "deleted": deleted,
        "staff_thread": staff_thread,
    }


def _read_paths(things) -> list[str]:
    private, held, deleted, staff = (
        things["private"],
        things["held"],
        things["deleted"],
        things["staff_thread"],
    )
    young = things["young_thread"]
    attachment = private.posts.get(number=1).attachments.get()
    return [
        reverse("forum:latest"),
        reverse("forum:top") + "?period=year",
        reverse("forum:new"),
        reverse("forum:unread"),
        reverse("forum:space", args=["national"]),
        reverse("forum:topic", args=[private.topic.slug]),
        reverse("forum:tag", args=["private-tag"]),
        reverse("forum:user_activity", args=[things["insider"].username]),
        reverse("forum:user_activity", args=[things["parent"].username]),
        reverse("forum:user_activity", args=[things["held_reply"].author.username]),
        young.get_absolute_url() + "?page=1",
        reverse("forum:reply", args=[young.pk]) + f"?quote={things['held_reply'].pk}",
        private.get_absolute_url(),
        private.post_url(1),
        held.get_absolute_url(),
        deleted.get_absolute_url(),
        staff.get_absolute_url(),
        reverse("forum:space", args=[things["group"].slug]),
        reverse("forum:region", args=["south-east"]),
        reverse("forum:revisions", args=[held.posts.get(number=1).pk]),
        attachment.get_absolute_url(),
        reverse("forum:spaces"),
        reverse("forum:bookmarks"),
    ]


@pytest.mark.parametrize("who", ["anonymous", "member", "verified_practitioner"])
def test_no_read_path_shows_hidden_content_to_outsiders(client, hidden_things, who):
    if who != "anonymous":
        outsider = make_user(
            username=f"outsider-{who}", is_verified=(who == "verified_practitioner")
        )
        client.force_login(outsider)
    for url in _read_paths(hidden_things):
        response = client.get(url, follow=True)
        body = response.content.decode()
        assert response.status_code in (200, 404), (url, response.status_code)
        assert SECRET not in body, f"{url} leaked hidden content to {who}"
        assert "Private region pilot" not in body, f"{url} revealed the private group to {who}"
        assert "Staff room" not in body, f"{url} revealed the staff space to {who}"


def test_private_thread_and_its_files_answer_404_not_403(client, hidden_things):
    client.force_login(make_user())
    private = hidden_things["private"]
    attachment = private.posts.get(number=1).attachments.get()
    assert client.get(private.get_absolute_url()).status_code == 404
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("forum:reply", args=[private.pk]), {"source": "let me in"}).status_code
        == 404
    )


def test_group_members_read_the_private_group_and_its_files(client, hidden_things):
    client.force_login(hidden_things["insider"])
    private = hidden_things["private"]
    assert SECRET in client.get(private.get_absolute_url()).content.decode()
    assert SECRET in client.get(reverse("forum:latest")).content.decode()
    attachment = private.posts.get(number=1).attachments.get()
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_held_posts_are_seen_by_their_author_and_moderators_only(client, hidden_things):
    held = hidden_things["held"]
    client.force_login(hidden_things["parent"])
    body = client.get(held.get_absolute_url()).content.decode()
    assert SECRET in body and "Awaiting approval" in body
    client.force_login(make_moderator())
    body = client.get(held.get_absolute_url()).content.decode()
    assert SECRET in body and "Approve" in body


def test_held_reply_is_left_out_of_its_published_thread_for_others(client, hidden_things):
    young = hidden_things["young_thread"]
    client.force_login(make_user())
    body = client.get(young.get_absolute_url() + "?page=1").content.decode()
    assert "Youth voice thread" in body and SECRET not in body


def test_staff_space_is_visible_to_moderators(client, hidden_things):
    client.force_login(make_moderator())
    assert SECRET in client.get(hidden_things["staff_thread"].get_absolute_url()).content.decode()


def test_verified_only_space_needs_a_verified_professional():
    la_leads = Space.objects.get(slug="la-leads")
    assert not permissions.can_read_space(make_user(role="commissioner"), la_leads)
    assert permissions.can_read_space(make_user(role="commissioner", is_verified=True), la_leads)
    assert not permissions.can_read_space(
        make_user(role="parent_carer", is_verified=True), la_leads
    )


def test_queryset_and_predicate_agree(hidden_things):
    from community.forum.models import Post, Thread

    users = [None, make_user(), hidden_things["insider"], hidden_things["parent"], make_moderator()]
    from django.contrib.auth.models import AnonymousUser

    users[0] = AnonymousUser()
    for user in users:
        visible = set(permissions.visible_threads(user).values_list("pk", flat=True))
        for thread in Thread.objects.select_related("space"):
            assert (thread.pk in visible) == permissions.can_read_thread(user, thread), (
                user,
                thread,
            )
        readable_posts = set(permissions.visible_posts(user).values_list("pk", flat=True))
        for post in Post.objects.select_related("thread__space"):
            expected = permissions.can_read_post(user, post) and (
                post.deleted_at is None
                or permissions.is_moderator(user)
                or post.author_id == getattr(user, "pk", None)
            )
            assert (post.pk in readable_posts) == expected, (user, post, post.status)
