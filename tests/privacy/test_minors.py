"""Every default for children, checked as a visitor, an adult member, the child and staff."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from community.accounts import permissions
from community.forum import actions
from community.forum.models import Attachment
from community.moderation.models import ReviewItem
from notifications.emails import preferences_for
from notifications.models import Notification
from tests.factories import any_topic, make_thread, make_user, national

pytestmark = pytest.mark.django_db


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    "viewer, status",
    [("anonymous", 404), ("adult", 404), ("other_minor", 404), ("minor", 200), ("moderator", 200), ("centre_staff", 200)],
)  # fmt: skip
def test_minor_profile_is_only_for_themself_moderators_and_staff(
    client, request, minor, viewer, status
):
    user = None if viewer == "anonymous" else (
        make_user(role="young_person", age_band="16-17") if viewer == "other_minor"
        else request.getfixturevalue(viewer)
    )  # fmt: skip
    response = _as(client, user).get(reverse("forum:user_activity", args=[minor.username]))
    assert response.status_code == status
    assert response["X-Robots-Tag"] == "noindex"
    assert (minor.display_name in response.content.decode()) == (status == 200)


def test_hidden_profile_looks_like_a_missing_one(client, minor):
    hidden = client.get(reverse("forum:user_activity", args=[minor.username]))
    missing = client.get(reverse("forum:user_activity", args=["nobody-at-all"]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden["X-Robots-Tag"] == missing["X-Robots-Tag"] == "noindex"


def test_adult_profile_stays_open_to_visitors_and_indexable(client, adult):
    response = client.get(reverse("forum:user_activity", args=[adult.username]))
    assert response.status_code == 200 and "X-Robots-Tag" not in response


@pytest.mark.parametrize(
    "viewer, sees_minor", [("adult", False), ("minor", True), ("moderator", True), ("centre_staff", True)]
)  # fmt: skip
def test_member_directory_leaves_children_out_for_adults(
    client, request, minor, adult, viewer, sees_minor
):
    user = request.getfixturevalue(viewer)
    page = _as(client, user).get(reverse("privacy:members")).content.decode()
    assert adult.display_name in page
    assert (minor.display_name in page) == sees_minor


def test_member_directory_needs_signing_in(client, adult):
    response = client.get(reverse("privacy:members"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "viewer, offered", [("adult", False), ("minor", False), ("moderator", True), ("centre_staff", True)]
)  # fmt: skip
def test_mention_suggestions_offer_children_only_to_moderators_and_staff(
    client, request, minor, viewer, offered
):
    make_user(username="kiddo-adult", display_name="Kiddo Adult")
    user = request.getfixturevalue(viewer)
    data = json.loads(_as(client, user).get(reverse("privacy:mention_suggest") + "?q=kidd").content)
    names = {m["username"] for m in data["members"]}
    assert "kiddo-adult" in names
    assert (minor.username in names) == offered


def test_mention_suggestions_refuse_visitors(client, minor):
    response = client.get(reverse("privacy:mention_suggest") + "?q=kid")
    assert response.status_code == 403 and "Sign in" in json.loads(response.content)["error"]


def test_visible_members_rule_for_every_viewer(minor, adult, moderator):
    from django.contrib.auth.models import AnonymousUser

    assert minor not in permissions.visible_members(AnonymousUser())
    assert minor not in permissions.visible_members(adult)
    assert minor in permissions.visible_members(minor)
    assert minor in permissions.visible_members(moderator)
    assert adult in permissions.visible_members(AnonymousUser())


def test_adults_mention_of_a_child_neither_links_nor_notifies(committed, minor, adult):
    thread = make_thread(author=make_user())
    with committed():
        post = actions.create_post(author=adult, thread=thread, source=f"Thanks @{minor.username}!")
    assert f"/u/{minor.username}/" not in post.html
    assert not post.mentions.exists()
    assert not Notification.objects.filter(user=minor).exists()


def test_moderators_mention_of_a_child_links_and_notifies(committed, minor, moderator):
    thread = make_thread(author=make_user())
    with committed():
        post = actions.create_post(
            author=moderator, thread=thread, source=f"Welcome @{minor.username}"
        )
    assert f"/u/{minor.username}/" in post.html
    assert Notification.objects.filter(user=minor, kind="mention").exists()


def test_adults_mention_of_an_adult_still_notifies(committed, adult):
    other = make_user(username="bob")
    thread = make_thread(author=make_user())
    with committed():
        actions.create_post(author=adult, thread=thread, source="Good point @bob")
    assert Notification.objects.filter(user=other, kind="mention").exists()


def test_child_mentioned_by_an_adult_gets_nothing_on_the_socket(
    committed, minor, adult, monkeypatch
):
    from notifications import push

    pushed = []
    monkeypatch.setattr(push, "deliver", lambda notifications, **_: pushed.extend(notifications))
    thread = make_thread(author=make_user())
    with committed():
        actions.create_post(author=adult, thread=thread, source=f"Hello @{minor.username} there")
    assert pushed  # the post did notify someone (the thread's author)
    assert minor.pk not in {n.user_id for n in pushed}
    assert not Notification.objects.filter(user=minor).exists()


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    return buffer.getvalue()


def test_children_cannot_upload_and_their_text_is_kept(client, minor):
    thread = make_thread(author=make_user())
    client.force_login(minor)
    upload = SimpleUploadedFile("me.jpg", _jpeg(), content_type="image/jpeg")
    response = client.post(
        reverse("forum:reply", args=[thread.pk]),
        {"source": "My drawing of the hub", "attachments": [upload]},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Members under 18 cannot attach files" in body and "My drawing of the hub" in body
    assert not Attachment.objects.exists() and thread.posts.count() == 1


def test_upload_refusal_is_in_the_action_too(minor):
    from community.forum.uploads import PreparedUpload

    upload = PreparedUpload(
        name="a.jpg", kind="image", content_type="image/jpeg", content=_jpeg(), width=8, height=8
    )
    with pytest.raises(ValidationError) as caught:
        actions.start_thread(author=minor, space=national(), topic=any_topic(),
                             title="My ideas for the hub", source="Some ideas", uploads=[upload])  # fmt: skip
    assert "attachments" in caught.value.message_dict


def test_adults_can_still_upload(client, adult):
    thread = make_thread(author=make_user())
    client.force_login(adult)
    upload = SimpleUploadedFile("room.jpg", _jpeg(), content_type="image/jpeg")
    client.post(
        reverse("forum:reply", args=[thread.pk]), {"source": "Our room", "attachments": [upload]}
    )
    assert Attachment.objects.count() == 1


def test_childrens_posts_wait_for_a_moderator(committed, minor):
    thread = make_thread(author=make_user())
    with committed():
        post = actions.create_post(author=minor, thread=thread, source="I liked the youth session")
    assert post.status == "held"
    item = ReviewItem.objects.get(post=post, kind=ReviewItem.Kind.HELD_POST)
    assert any("under 18" in r for r in item.reasons)


def test_adults_posts_are_not_held_by_the_minors_screen(adult):
    thread = make_thread(author=make_user())
    post = actions.create_post(
        author=adult, thread=thread, source="A normal reply from a practitioner"
    )
    assert post.status == "published"


def test_digests_are_off_by_default_for_children_only(minor, adult):
    assert preferences_for(minor).digest == "none"
    assert preferences_for(adult).digest == "weekly"


def test_sign_up_suggests_a_pseudonym(client):
    body = client.get(reverse("account_signup")).content.decode()
    assert (
        "please don&#x27;t use your real name" in body or "please don't use your real name" in body
    )
    assert "how about" in body


def test_threads_show_a_childs_name_without_a_profile_link_to_adults(
    client, minor, adult, moderator
):
    thread = make_thread(author=make_user())
    post = actions.create_post(author=minor, thread=thread, source="My idea for the hub")
    actions.approve_post(moderator=moderator, post=post)
    client.force_login(adult)
    body = client.get(thread.post_url(2)).content.decode()
    assert minor.display_name in body and f"/u/{minor.username}/" not in body
    client.force_login(moderator)
    assert f"/u/{minor.username}/" in client.get(thread.post_url(2)).content.decode()


@pytest.mark.parametrize("extra", [2, 25])
def test_member_directory_queries_do_not_grow_with_members(
    client, adult, django_assert_max_num_queries, extra
):
    for i in range(extra):
        make_user(
            role="young_person" if i % 3 == 0 else "practitioner",
            age_band="13-15" if i % 3 == 0 else "26+",
        )
    client.force_login(adult)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("privacy:members")).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("privacy:mention_suggest") + "?q=member").status_code == 200
