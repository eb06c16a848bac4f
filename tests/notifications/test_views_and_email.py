import re

import pytest
from django.urls import reverse

from community.forum import actions
from notifications import presence
from notifications.emails import send_digest
from notifications.models import Notification, Preferences, Subscription
from tests.factories import make_thread, make_user, private_group

pytestmark = pytest.mark.django_db


def _reply_to(author, committed):
    thread = make_thread(author=author, title="Weekend cover for peer supporters")
    with committed():
        actions.create_post(
            author=make_user(display_name="Helpful Harriet"),
            thread=thread,
            source="Here is how we did it",
            reply_to=thread.posts.get(number=1),
        )
    return thread


def test_away_member_gets_the_reply_by_email_with_one_click_unsubscribe(
    client, mailoutbox, committed
):
    author = make_user(email="author@example.org")
    thread = _reply_to(author, committed)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["author@example.org"]
    assert "Helpful Harriet replied to your post" in email.subject
    assert "Here is how we did it" in email.body and thread.post_url(2) in email.body
    unsubscribe = re.search(r"<(http[^>]+)>", email.extra_headers["List-Unsubscribe"]).group(1)
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in email.body
    path = unsubscribe.split("8000", 1)[1]
    assert "Stop emails" in client.get(path).content.decode()  # no sign-in needed
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    assert Preferences.objects.get(user=author).email_when_away is False
    mailoutbox.clear()
    _reply_to(author, committed)
    assert mailoutbox == []


def test_online_member_is_not_emailed(mailoutbox, committed):
    author = make_user()
    presence.mark_seen(author.pk)
    _reply_to(author, committed)
    assert mailoutbox == [] and Notification.objects.filter(user=author).count() == 1


def test_tampered_unsubscribe_link_is_a_400(client):
    response = client.get(reverse("notifications:unsubscribe", args=["not-a-token"]))
    assert response.status_code == 400


def test_bell_list_and_mark_read(client, committed):
    author = make_user()
    thread = _reply_to(author, committed)
    client.force_login(author)
    page = client.get(reverse("forum:latest")).content.decode()
    assert "data-bell-count>1<" in page
    listing = client.get(reverse("notifications:list")).content.decode()
    assert "replied to your post" in listing
    notification = Notification.objects.get(user=author)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == thread.post_url(2)
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "data-bell-count>0<" in client.get(reverse("forum:latest")).content.decode()


def test_mark_all_read(client, committed):
    author = make_user()
    _reply_to(author, committed)
    _reply_to(author, committed)
    client.force_login(author)
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(user=author, read_at__isnull=True).exists()


def test_others_cannot_open_my_notifications(client, committed):
    author = make_user()
    _reply_to(author, committed)
    client.force_login(make_user())
    notification = Notification.objects.get(user=author)
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404


def test_catch_up_json_returns_only_what_came_after(client, committed):
    author = make_user()
    _reply_to(author, committed)
    _reply_to(author, committed)
    client.force_login(author)
    first, second = Notification.objects.filter(user=author).order_by("pk")
    data = client.get(reverse("notifications:after") + f"?after={first.pk}").json()
    assert [n["id"] for n in data["notifications"]] == [second.pk] and data["unread"] == 2
    assert client.get(reverse("notifications:after") + "?after=x").status_code == 400


def test_level_form_on_thread_page_sets_the_level(client):
    member = make_user()
    thread = make_thread()
    client.force_login(member)
    assert 'name="level"' in client.get(thread.get_absolute_url()).content.decode()
    response = client.post(
        reverse("notifications:set_level"),
        {"target": "thread", "target_id": thread.pk, "level": 0, "next": thread.get_absolute_url()},
    )
    assert response["Location"] == thread.get_absolute_url()
    assert Subscription.objects.get(user=member, target="thread").level == 0
    prefs = client.get(reverse("notifications:preferences")).content.decode()
    assert thread.title in prefs


def test_level_for_unreadable_thread_is_404_and_bad_level_400(client):
    member = make_user()
    client.force_login(member)
    hidden = make_thread(space=private_group())
    assert (
        client.post(
            reverse("notifications:set_level"),
            {"target": "thread", "target_id": hidden.pk, "level": 3},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("notifications:set_level"),
            {"target": "thread", "target_id": hidden.pk, "level": 9},
        ).status_code
        == 400
    )


def test_level_form_next_does_not_redirect_off_site(client):
    member = make_user()
    thread = make_thread()
    client.force_login(member)
    response = client.post(
        reverse("notifications:set_level"),
        {"target": "thread", "target_id": thread.pk, "level": 2, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("notifications:preferences")


def test_digest_lists_readable_active_threads_and_unsubscribes(mailoutbox):
    member = make_user()
    Preferences.objects.create(user=member, digest="daily")
    make_thread(title="A busy public thread")
    make_thread(space=private_group(), title="A private group thread")
    assert send_digest.call(member.pk, "daily") is True
    body = mailoutbox[0].body
    assert "A busy public thread" in body and "A private group thread" not in body
    assert "List-Unsubscribe" in mailoutbox[0].extra_headers


def test_minors_get_no_digest_by_default():
    from notifications.emails import preferences_for

    assert preferences_for(make_user(role="young_person", age_band="13-15")).digest == "none"
    assert preferences_for(make_user()).digest == "weekly"


def test_email_preferences_form(client):
    member = make_user()
    client.force_login(member)
    client.post(reverse("notifications:preferences"), {"digest": "daily"})
    prefs = Preferences.objects.get(user=member)
    assert prefs.digest == "daily" and prefs.email_when_away is False


def test_a_notification_about_a_post_later_hidden_no_longer_shows_it(client, committed):
    from community.moderation import actions as moderation_actions

    author = make_user()
    thread = make_thread(author=author, title="Weekend cover for peer supporters")
    with committed():
        reply = actions.create_post(
            author=make_user(),
            thread=thread,
            source="A reply later hidden",
            reply_to=thread.posts.get(number=1),
        )
    moderation_actions.flag_post(flagger=make_user(), post=reply, reason="safeguarding")
    client.force_login(author)
    listing = client.get(reverse("notifications:list")).content.decode()
    assert "A post you can no longer see" in listing and "Weekend cover" not in listing
    data = client.get(reverse("notifications:after") + "?after=0").json()
    assert data["notifications"][0]["url"] == "/notifications/"
    notification = Notification.objects.get(user=author, kind="reply")
    assert (
        client.get(reverse("notifications:open", args=[notification.pk]))["Location"]
        == "/notifications/"
    )
