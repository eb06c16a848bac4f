"""The socket re-checks access when it changes, answers malformed frames without closing, and
sends each notification once (through the real ASGI stack, in-memory layer)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from community.forum import actions
from community.forum.models import Space
from community.moderation import actions as moderation_actions
from community.privacy import actions as privacy_actions
from notifications.models import Notification
from tests.factories import make_moderator, make_thread, make_user, national
from tests.realtime.test_consumer import _connect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def verified_thread(network):
    space = national()
    space.visibility = Space.Visibility.VERIFIED
    space.save()
    member = make_user(username="verified-pro", is_verified=True)
    staff = make_user("staff", username="centre-staff")
    thread = make_thread(author=staff, space=space, title="For verified professionals")
    return {"member": member, "staff": staff, "thread": thread, "space": space}


async def _subscribed(member, thread):
    communicator = await _connect(member)
    assert (await communicator.receive_json_from())["type"] == "hello"
    await communicator.send_json_to({"type": "subscribe", "thread": thread.pk, "after_number": 0})
    assert (await communicator.receive_json_from())["type"] == "subscribed"
    return communicator


async def assert_unsubscribed(communicator, thread) -> None:
    assert (await communicator.receive_json_from(timeout=5)) == {
        "type": "unsubscribed",
        "thread": thread.pk,
        "reason": "access",
    }


async def test_malformed_frames_get_an_error_and_the_socket_stays_open(network):
    communicator = await _connect(await sync_to_async(make_user)())
    await communicator.receive_json_from()
    for frame in ["not json", "\x00", '{"type":"subscribe","thread":1e400}', "[[[", "1e400"]:
        await communicator.send_to(text_data=frame)
        reply = await communicator.receive_json_from()
        assert reply["type"] == "error", frame
    await communicator.send_json_to({"type": "subscribe", "thread": 10**30})
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.send_json_to({"type": "resume", "after": -5})
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from()) == {"type": "pong"}  # still open
    await communicator.disconnect()


async def test_notification_pushed_before_the_resume_reply_arrives_once(network):
    author = await sync_to_async(make_user)()
    thread = await sync_to_async(make_thread)(author=author)
    first = await sync_to_async(thread.posts.get)(number=1)
    communicator = await _connect(author)
    await communicator.receive_json_from()
    # Committed after the socket joined the member's group, before the client's resume.
    await sync_to_async(actions.create_post)(
        author=await sync_to_async(make_user)(), thread=thread, source="In the gap", reply_to=first
    )
    live = await communicator.receive_json_from(timeout=5)
    await communicator.send_json_to({"type": "resume", "after": 0})
    reply = await communicator.receive_json_from(timeout=5)
    notification = await sync_to_async(Notification.objects.get)(user=author)
    assert [n["id"] for n in live["notifications"]] == [notification.pk]
    assert reply == {"type": "unread", "unread": 1}  # counted, not sent again
    await communicator.disconnect()


async def test_unverifying_a_member_unsubscribes_their_open_socket(verified_thread):
    communicator = await _subscribed(verified_thread["member"], verified_thread["thread"])
    await sync_to_async(privacy_actions.set_verified)(
        staff=verified_thread["staff"], member=verified_thread["member"], verified=False
    )
    await assert_unsubscribed(communicator, verified_thread["thread"])
    await communicator.disconnect()


async def test_role_change_in_the_admin_unsubscribes_their_open_socket(verified_thread):
    member = verified_thread["member"]
    communicator = await _subscribed(member, verified_thread["thread"])

    def change_role() -> int:
        admin = make_user("staff", is_staff=True, is_superuser=True)
        client = Client()
        client.force_login(admin)
        page = client.get(f"/admin/accounts/user/{member.pk}/change/")
        form = page.context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
        data.update(
            {
                "role": "parent_carer",
                "groups": [],
                "user_permissions": [],
                "date_joined_0": member.date_joined.strftime("%d/%m/%Y"),
                "date_joined_1": member.date_joined.strftime("%H:%M:%S"),
                "last_login_0": "",
                "last_login_1": "",
                "home_region": "",
                "local_authority": "",
            }
        )
        data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
        return client.post(f"/admin/accounts/user/{member.pk}/change/", data).status_code

    assert await sync_to_async(change_role)() == 302
    await assert_unsubscribed(communicator, verified_thread["thread"])
    await communicator.disconnect()


async def test_suspension_through_the_access_recheck_ends_the_socket(verified_thread):
    from datetime import timedelta

    from django.utils import timezone

    member = verified_thread["member"]
    communicator = await _subscribed(member, verified_thread["thread"])
    await sync_to_async(moderation_actions.suspend_user)(
        moderator=verified_thread["staff"],
        user=member,
        until=timezone.now() + timedelta(days=1),
        reason="Test",
    )
    assert (await communicator.receive_json_from(timeout=5)) == {"type": "session.end"}
    await communicator.disconnect()


async def test_hiding_a_threads_first_post_unsubscribes_readers(network):
    reader = await sync_to_async(make_user)()
    thread = await sync_to_async(make_thread)(title="About to be hidden")
    communicator = await _subscribed(reader, thread)
    moderator = await sync_to_async(make_moderator)()
    first = await sync_to_async(thread.posts.get)(number=1)

    def hide() -> None:
        from community.moderation.models import ReviewItem

        moderation_actions.flag_post(flagger=reader, post=first, reason="spam")
        item = ReviewItem.objects.get(post=first)
        moderation_actions.resolve_review_item(moderator=moderator, item=item, decision="hide")

    await sync_to_async(hide)()
    while True:
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == "unsubscribed":
            break
    assert message == {"type": "unsubscribed", "thread": thread.pk, "reason": "access"}
    await communicator.disconnect()


async def test_space_visibility_change_unsubscribes_readers_who_lost_it(network):
    reader = await sync_to_async(make_user)(role="parent_carer")
    thread = await sync_to_async(make_thread)(title="Soon for staff only")
    communicator = await _subscribed(reader, thread)
    staff = await sync_to_async(make_user)("staff")
    await sync_to_async(actions.set_space_visibility)(
        actor=staff, space=await sync_to_async(national)(), visibility=Space.Visibility.STAFF
    )
    await assert_unsubscribed(communicator, thread)
    await communicator.disconnect()


async def _forget_group_memberships(layer) -> None:
    """Drop every group membership of the layer, as a Redis restart does, without closing its
    connections: channels_redis's own flush() also closes its pools, which breaks the consumer's
    pending receive (a race that failed this test when the machine was busy)."""
    if isinstance(getattr(layer, "groups", None), dict):  # the in-memory layer
        layer.groups.clear()
        return
    import redis.asyncio as aioredis
    from django.conf import settings

    client = aioredis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{layer.prefix}:group:*")]
        assert keys, "the socket's groups should be in Redis before they are forgotten"
        await client.delete(*keys)
    finally:
        await client.aclose()


async def test_ping_rejoins_groups_a_redis_restart_forgot_and_catches_up(network):
    from channels.layers import get_channel_layer

    author = await sync_to_async(make_user)()
    thread = await sync_to_async(make_thread)(author=author)
    first = await sync_to_async(thread.posts.get)(number=1)
    replier = await sync_to_async(make_user)()
    communicator = await _connect(author)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "resume", "after": 0, "seen": []})
    assert (await communicator.receive_json_from())["notifications"] == []
    await sync_to_async(actions.create_post)(
        author=replier, thread=thread, source="Before the restart", reply_to=first
    )
    before = await communicator.receive_json_from(timeout=5)
    # What a Redis restart without persistence does: every group membership is forgotten.
    await _forget_group_memberships(get_channel_layer())
    await sync_to_async(actions.create_post)(
        author=replier, thread=thread, source="During the gap", reply_to=first
    )
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.send_json_to({"type": "ping"})
    caught_up = await communicator.receive_json_from(timeout=5)
    assert (await communicator.receive_json_from(timeout=5)) == {"type": "pong"}
    ids = await sync_to_async(
        lambda: list(
            Notification.objects.filter(user=author).order_by("pk").values_list("pk", flat=True)
        )
    )()
    assert [n["id"] for n in before["notifications"]] == ids[:1]
    assert [n["id"] for n in caught_up["notifications"]] == ids[1:]
    # Back in the group: the next reply arrives live.
    await sync_to_async(actions.create_post)(
        author=replier, thread=thread, source="After the ping", reply_to=first
    )
    live = await communicator.receive_json_from(timeout=5)
    assert len(live["notifications"]) == 1 and live["notifications"][0]["id"] not in ids
    await communicator.disconnect()


async def test_resume_fills_a_hole_below_the_last_id_and_skips_what_the_client_holds(network):
    author = await sync_to_async(make_user)()
    thread = await sync_to_async(make_thread)(author=author)
    first = await sync_to_async(thread.posts.get)(number=1)
    replier = await sync_to_async(make_user)()
    for text in ("one", "two (its push was lost)", "three"):
        await sync_to_async(actions.create_post)(
            author=replier, thread=thread, source=f"Reply {text}", reply_to=first
        )
    one, two, three = await sync_to_async(
        lambda: list(
            Notification.objects.filter(user=author).order_by("pk").values_list("pk", flat=True)
        )
    )()
    communicator = await _connect(author)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "resume", "after": three, "seen": [one, three]})
    reply = await communicator.receive_json_from()
    assert [n["id"] for n in reply["notifications"]] == [two]
    await communicator.disconnect()


async def test_more_recent_notifications_than_the_client_lists_are_never_sent_twice(network):
    """A moderator told 260 things in the last minutes lists only the highest 200 it holds:
    neither the resume nor a ping sends the 60 below them again; a real hole above still comes."""
    from realtime.consumers import SEEN_LISTED

    member = await sync_to_async(make_user)()
    thread = await sync_to_async(make_thread)(author=member)
    replier = await sync_to_async(make_user)()
    reply = await sync_to_async(actions.create_post)(
        author=replier, thread=thread, source="One reply, told many times"
    )

    def tell_many() -> list[int]:
        Notification.objects.filter(user=member).delete()
        Notification.objects.bulk_create(
            Notification(user=member, kind="reply", actor=replier, thread=thread, post=reply)
            for _ in range(260)
        )
        return list(
            Notification.objects.filter(user=member).order_by("pk").values_list("pk", flat=True)
        )

    ids = await sync_to_async(tell_many)()
    hole = ids[-SEEN_LISTED + 10]  # a push lost while Redis was down
    held = [i for i in ids if i != hole]
    communicator = await _connect(member)
    await communicator.receive_json_from()
    # As live.js does: the highest 200 ids the tab holds.
    await communicator.send_json_to(
        {"type": "resume", "after": ids[-1], "seen": held[-SEEN_LISTED:]}
    )
    reply_message = await communicator.receive_json_from()
    assert [n["id"] for n in reply_message["notifications"]] == [hole]
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=5)) == {"type": "pong"}
    await communicator.disconnect()


def test_ids_that_age_out_of_a_socket_raise_its_hole_floor():
    from realtime.consumers import SENT_IDS_KEPT, LiveConsumer

    consumer = LiveConsumer()
    consumer.sent_ids, consumer.hole_floor = {}, 0
    consumer._hold(range(1, SENT_IDS_KEPT + 102))
    assert len(consumer.sent_ids) == SENT_IDS_KEPT
    assert consumer.hole_floor == 101 and min(consumer.sent_ids) == 102


async def test_a_busy_members_older_notifications_never_crowd_out_what_was_just_missed(network):
    """A tab that starts from nothing (resume after 0) is sent the member's newest 200, not
    their oldest; later, with 300 more recent ones it never held below them, a resume still
    brings the two it missed just now (taken oldest first, the reply was full of old ones)."""
    member = await sync_to_async(make_user)()
    thread = await sync_to_async(make_thread)(author=member)
    replier = await sync_to_async(make_user)()
    reply = await sync_to_async(actions.create_post)(
        author=replier, thread=thread, source="Told many times over"
    )

    def tell(count: int) -> list[int]:
        Notification.objects.bulk_create(
            Notification(user=member, kind="reply", actor=replier, thread=thread, post=reply)
            for _ in range(count)
        )
        return list(
            Notification.objects.filter(user=member).order_by("pk").values_list("pk", flat=True)
        )

    await sync_to_async(lambda: Notification.objects.filter(user=member).delete())()
    older = await sync_to_async(tell)(500)
    communicator = await _connect(member)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "resume", "after": 0, "seen": []})
    first = await communicator.receive_json_from()
    shown = [n["id"] for n in first["notifications"]]
    assert shown == older[-200:]
    await communicator.disconnect()
    # Five more arrive; the tab got the 1st, 3rd and 5th live, then lost its socket.
    everything = await sync_to_async(tell)(5)
    new = everything[-5:]
    communicator = await _connect(member)
    await communicator.receive_json_from()
    held = [*shown, new[0], new[2], new[4]]
    await communicator.send_json_to({"type": "resume", "after": new[4], "seen": held[-200:]})
    again = await communicator.receive_json_from()
    assert [n["id"] for n in again["notifications"]] == [new[1], new[3]]
    await communicator.disconnect()
