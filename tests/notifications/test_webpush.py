"""Web push end to end: real aes128gcm encryption and VAPID signatures, checked by a push
receiver on loopback that decrypts with the subscription's own keys."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from community.forum import actions
from community.forum.models import Post
from notifications import actions as notification_actions
from notifications import webpush
from notifications.models import Level, Notification, PushDevice
from tests.factories import make_moderator, make_thread, make_user, private_group
from tests.notifications.push_receiver import serve

pytestmark = pytest.mark.django_db
NEUTRAL_LINES = {str(group.line) for group in webpush.PUSH_GROUPS.values()}


@pytest.fixture
def receiver():
    running, stop = serve()
    yield running
    stop()


def add_device(client, member, subscription) -> PushDevice:
    client.force_login(member)
    answer = client.post(
        reverse("notifications:add_device"),
        json.dumps(subscription.as_json()),
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    return PushDevice.objects.get(pk=answer.json()["id"])


def watch(member, thread) -> None:
    notification_actions.set_level(
        user=member, target="thread", target_id=thread.pk, level=Level.WATCHING
    )


def test_a_reply_to_a_watched_thread_reaches_the_device_encrypted(client, receiver, committed):
    watcher = make_user(username="watcher")
    thread = make_thread(author=make_user(), title="Outreach to dads in Hubtown")
    watch(watcher, thread)
    subscription = receiver.subscribe()
    add_device(client, watcher, subscription)
    with committed():
        reply = actions.create_post(
            author=make_user(), thread=thread, source="Our dads' group meets on Saturdays"
        )
    notification = Notification.objects.get(user=watcher, post=reply)
    assert receiver.refused == []
    [push] = receiver.received
    assert push.payload == {
        "title": "Family Hubs Network",
        "body": "There is a new reply for you.",
        "url": f"/notifications/{notification.pk}/open/",
        "tag": f"notification-{notification.pk}",
    }
    # Signed by our VAPID key for this push service, with our contact.
    assert push.vapid_public_key == settings.VAPID_PUBLIC_KEY
    assert push.vapid_claims["aud"] == receiver.url
    assert push.vapid_claims["sub"] == settings.VAPID_SUBJECT
    assert PushDevice.objects.get(user=watcher).last_pushed_at is not None
    # The link re-checks: it leads the member to the post.
    opened = client.get(push.payload["url"])
    assert opened.status_code == 302 and f"/{thread.pk}/" in opened["Location"]


def test_a_push_service_saying_gone_removes_the_device(client, receiver, committed):
    watcher = make_user()
    thread = make_thread(author=make_user())
    watch(watcher, thread)
    kept, gone = receiver.subscribe(), receiver.subscribe()
    add_device(client, watcher, kept)
    add_device(client, watcher, gone)
    receiver.unsubscribe(gone)
    with committed():
        actions.create_post(author=make_user(), thread=thread, source="A reply for two devices")
    assert [r.token for r in receiver.received] == [kept.endpoint.rsplit("/", 1)[1]]
    assert list(PushDevice.objects.values_list("endpoint", flat=True)) == [kept.endpoint]


def _stale_notification(member, post: Post) -> Notification:
    return Notification.objects.create(
        user=member,
        kind="posted",
        thread=post.thread,
        post=post,
        data={"title": post.thread.title, "slug": post.thread.slug, "number": post.number},
    )


@pytest.mark.parametrize("what", ["hidden", "held", "private"])
def test_nothing_is_pushed_about_a_post_the_member_cannot_see(client, receiver, what):
    member = make_user()
    add_device(client, member, receiver.subscribe())
    space = private_group() if what == "private" else None
    thread = make_thread(author=make_user(), **({"space": space} if space else {}))
    post = thread.posts.get(number=1)
    if what in ("hidden", "held"):
        Post.objects.filter(pk=post.pk).update(status=what)
        post.refresh_from_db()
    notification = _stale_notification(member, post)
    assert webpush.send_push.call(notification.pk) == 0
    assert receiver.received == []
    # And the link, followed anyway, does not reveal it.
    opened = client.get(reverse("notifications:open", args=[notification.pk]))
    assert opened["Location"] == "/notifications/"


def test_a_supportline_update_pushes_no_case_details(client, receiver, committed):
    from tests.supportline.builders import make_case, make_supportline_staff

    requester = make_user(username="requester", role="commissioner")
    case = make_case(requester, question="Our midwifery pathway for Jo Bloggs, NHS 943 476 5919")
    add_device(client, requester, receiver.subscribe())
    staff = make_supportline_staff()
    from community.supportline import actions as supportline

    with committed():
        supportline.post_message(case=case, author=staff, source="We can help with Jo's pathway")
    [push] = receiver.received
    assert push.payload["body"] == "There is news on a SupportLine case."
    text = json.dumps(push.payload)
    assert case.reference not in text and "Jo" not in text and "midwifery" not in text
    # Someone else following the link finds nothing.
    client.force_login(make_user())
    assert client.get(push.payload["url"]).status_code == 404


def test_a_minors_devices_get_nothing_until_they_choose(client, receiver, committed):
    young = make_user(username="young", role="young_person", age_band="13-15")
    thread = make_thread(author=make_user())
    watch(young, thread)
    add_device(client, young, receiver.subscribe())
    with committed():
        actions.create_post(author=make_user(), thread=thread, source="A first reply here")
    assert receiver.received == []
    client.post(reverse("notifications:devices"), {"groups": ["replies"]})
    with committed():
        actions.create_post(author=make_user(), thread=thread, source="A second reply here")
    [push] = receiver.received
    assert push.payload["body"] in NEUTRAL_LINES
    assert "reply here" not in json.dumps(push.payload)


def test_safeguarding_alerts_are_offered_only_to_leads_and_moderators(client):
    member, lead, moderator = make_user(), make_user(is_safeguarding_lead=True), make_moderator()
    assert "safeguarding" not in webpush.default_groups(member)
    assert "safeguarding" in webpush.default_groups(lead)
    assert "safeguarding" in webpush.default_groups(moderator)
    client.force_login(member)
    answer = client.post(reverse("notifications:devices"), {"groups": ["safeguarding"]})
    assert answer.status_code == 400
    assert b"Safeguarding alerts" not in answer.content


def test_the_device_page_lists_only_the_members_own_devices(client, receiver):
    member, other = make_user(), make_user()
    mine = add_device(client, member, receiver.subscribe())
    theirs = add_device(client, other, receiver.subscribe())
    client.force_login(member)
    page = client.get(reverse("notifications:devices"))
    assert page.status_code == 200
    assert f"/devices/{mine.pk}/remove/".encode() in page.content
    assert f"/devices/{theirs.pk}/remove/".encode() not in page.content
    assert client.post(f"/notifications/devices/{theirs.pk}/remove/").status_code == 404
    assert PushDevice.objects.filter(pk=theirs.pk).exists()
    assert client.post(f"/notifications/devices/{mine.pk}/remove/").status_code == 302
    assert not PushDevice.objects.filter(pk=mine.pk).exists()


def test_device_actions_publish_their_events_on_commit(receiver, published_events, committed):
    member = make_user()
    subscription = receiver.subscribe().as_json()
    device_fields = {
        "endpoint": subscription["endpoint"],
        "p256dh": subscription["keys"]["p256dh"],
        "auth": subscription["keys"]["auth"],
    }
    with committed():
        device = notification_actions.register_device(user=member, **device_fields)
        assert published_events == []  # not before the commit
    with committed():
        notification_actions.register_device(user=member, **device_fields)  # the same browser
    with committed():
        notification_actions.set_push_groups(user=member, groups=["replies"])
    with committed():
        notification_actions.remove_device(user=member, device_id=device.pk)
    assert published_events == [
        {"type": "push.device_added", "user_id": member.pk, "device_id": device.pk,
         "replaced": False},
        {"type": "push.device_added", "user_id": member.pk, "device_id": device.pk,
         "replaced": True},
        {"type": "push.preferences_changed", "user_id": member.pk, "groups": ["replies"]},
        {"type": "push.device_removed", "user_id": member.pk, "device_id": device.pk},
    ]  # fmt: skip
    # The endpoint is a capability: no event carries it.
    assert subscription["endpoint"] not in json.dumps(published_events)


def test_refused_device_actions_publish_nothing(published_events, committed):
    member, other = make_user(), make_user()
    with committed(), pytest.raises(ValidationError):
        notification_actions.register_device(
            user=member, endpoint="https://push.example/x", p256dh="AAAA", auth="AAAA"
        )
    with committed(), pytest.raises(ValidationError):
        notification_actions.set_push_groups(user=member, groups=["no-such-group"])
    device = PushDevice.objects.create(
        user=other, endpoint="https://push.example/y", p256dh="x", auth="y"
    )
    with committed(), pytest.raises(Http404):
        notification_actions.remove_device(user=member, device_id=device.pk)
    assert published_events == []


@pytest.mark.parametrize("devices", [1, 6])
def test_the_device_page_queries_do_not_grow_with_devices(
    client, receiver, django_assert_num_queries, devices
):
    member = make_user()
    for _ in range(devices):
        add_device(client, member, receiver.subscribe())
    client.get(reverse("notifications:devices"))  # preferences row made once
    # member, bell count, preferences, devices (the session is in the cache)
    with django_assert_num_queries(2):  # session and member come from the cache
        assert client.get(reverse("notifications:devices")).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"endpoint": "https://push.example/x"}),
        json.dumps({"endpoint": "ftp://x", "keys": {"p256dh": "AAAA", "auth": "AAAA"}}),
        json.dumps(
            {"endpoint": "https://push.example/x", "keys": {"p256dh": "AAAA", "auth": "AAAA"}}
        ),
        json.dumps(
            {"endpoint": "http://push.example/x", "keys": {"p256dh": "A" * 87, "auth": "A" * 22}}
        ),
        json.dumps(["a list"]),
    ],
)
def test_a_bad_subscription_is_refused_clearly(client, body):
    client.force_login(make_user())
    answer = client.post(reverse("notifications:add_device"), body, content_type="application/json")
    assert answer.status_code == 400
    assert "error" in answer.json()
    assert not PushDevice.objects.exists()


def test_the_manifest_service_worker_and_offline_page(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["display"] == "standalone" and data["start_url"] == "/"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    worker = client.get("/sw.js")
    assert worker["Service-Worker-Allowed"] == "/" and b"caches" in worker.content
    csp = worker["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp
    member = make_user(username="privateperson", display_name="Private Person")
    client.force_login(member)
    offline = client.get("/offline/")  # cached by the worker: the same for everyone
    assert b"You are offline" in offline.content
    assert b"privateperson" not in offline.content and b"Private Person" not in offline.content
