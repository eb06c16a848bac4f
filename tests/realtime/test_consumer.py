"""The /ws/ consumer through the real ASGI stack: session auth, Origin check, visibility, catch-up."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from community.forum import actions
from config.asgi import application
from notifications.models import Notification
from tests.factories import make_thread, make_user, private_group

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _connect(user=None, origin: str = "http://testserver") -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if user is not None:
        cookie = await sync_to_async(_cookie_for)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.fixture
def setup(network):
    author = make_user(username="author")
    thread = make_thread(author=author, title="A live thread for tests")
    return {"author": author, "thread": thread}


async def test_foreign_origin_is_refused(setup):
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_session_identifies_the_member(setup):
    communicator = await _connect(setup["author"])
    hello = await communicator.receive_json_from()
    assert hello == {"type": "hello", "user": setup["author"].pk}
    await communicator.disconnect()


async def test_reply_reaches_the_authors_socket_with_the_unread_count(setup):
    communicator = await _connect(setup["author"])
    await communicator.receive_json_from()
    thread = setup["thread"]
    first = await sync_to_async(thread.posts.get)(number=1)
    replier = await sync_to_async(make_user)()
    await sync_to_async(actions.create_post)(
        author=replier, thread=thread, source="A live reply", reply_to=first
    )
    message = await communicator.receive_json_from(timeout=3)
    assert message["type"] == "notifications" and message["unread"] == 1
    assert message["notifications"][0]["kind"] == "reply"
    assert message["notifications"][0]["url"] == thread.post_url(2)
    await communicator.disconnect()


async def test_each_bell_carries_the_members_unread_count_read_ones_left_out(setup):
    from notifications import actions as notification_actions

    author, thread = setup["author"], setup["thread"]
    communicator = await _connect(author)
    await communicator.receive_json_from()
    replier = await sync_to_async(make_user)()
    first = await sync_to_async(thread.posts.get)(number=1)
    seen = []
    for text in ("First live reply", "Second live reply", "Third live reply"):
        if text.startswith("Third"):
            await sync_to_async(notification_actions.mark_all_read)(user=author)
        await sync_to_async(actions.create_post)(
            author=replier, thread=thread, source=text, reply_to=first
        )
        while (message := await communicator.receive_json_from(timeout=3))["type"] != (
            "notifications"
        ):
            pass
        seen.append(message["unread"])
    assert seen == [1, 2, 1]
    await communicator.disconnect()


async def test_resume_returns_what_was_missed_and_nothing_twice(setup):
    thread = setup["thread"]
    first = await sync_to_async(thread.posts.get)(number=1)
    replier = await sync_to_async(make_user)()
    for text in ("one missed reply", "two missed replies"):
        await sync_to_async(actions.create_post)(
            author=replier, thread=thread, source=text, reply_to=first
        )
    ids = await sync_to_async(
        lambda: list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    )()
    communicator = await _connect(setup["author"])
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "resume", "after": ids[0]})
    message = await communicator.receive_json_from()
    assert [n["id"] for n in message["notifications"]] == ids[1:]
    await communicator.send_json_to({"type": "resume", "after": ids[-1]})
    assert (await communicator.receive_json_from())["notifications"] == []
    await communicator.disconnect()


async def test_thread_events_reach_subscribed_readers(setup):
    thread = setup["thread"]
    communicator = await _connect(None)  # visitors may follow public threads
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "subscribe", "thread": thread.pk, "after_number": 1})
    assert (await communicator.receive_json_from()) == {
        "type": "subscribed",
        "thread": thread.pk,
        "missed": [],
    }
    replier = await sync_to_async(make_user)()
    post = await sync_to_async(actions.create_post)(
        author=replier, thread=thread, source="Visible to visitors"
    )
    event = await communicator.receive_json_from(timeout=3)
    assert event == {
        "type": "post.created",
        "thread_id": thread.pk,
        "post_id": post.pk,
        "number": 2,
    }
    await communicator.disconnect()


async def test_subscribe_reports_missed_posts(setup):
    thread = setup["thread"]
    replier = await sync_to_async(make_user)()
    for text in ("missed one", "missed two"):
        await sync_to_async(actions.create_post)(author=replier, thread=thread, source=text)
    communicator = await _connect(setup["author"])
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "subscribe", "thread": thread.pk, "after_number": 1})
    while True:
        message = await communicator.receive_json_from()
        if message["type"] == "subscribed":
            break
    assert message["missed"] == [2, 3]
    await communicator.disconnect()


async def test_private_thread_cannot_be_joined_by_outsiders(setup):
    group = await sync_to_async(private_group)()
    hidden = await sync_to_async(make_thread)(space=group, title="Private group thread")
    outsider = await sync_to_async(make_user)()
    communicator = await _connect(outsider)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "subscribe", "thread": hidden.pk})
    reply = await communicator.receive_json_from()
    assert reply["type"] == "error" and reply["error"] == "no such thread"
    await sync_to_async(actions.create_post)(
        author=hidden.author, thread=hidden, source="Secret reply"
    )
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_member_who_leaves_the_group_stops_receiving(setup):
    from community.forum.models import Membership

    group = await sync_to_async(private_group)()
    member = await sync_to_async(make_user)()
    await sync_to_async(Membership.objects.create)(user=member, space=group)
    hidden = await sync_to_async(make_thread)(space=group, title="Group only thread")
    communicator = await _connect(member)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "subscribe", "thread": hidden.pk})
    assert (await communicator.receive_json_from())["type"] == "subscribed"
    await sync_to_async(actions.leave_space)(user=member, space=group)
    message = await communicator.receive_json_from(timeout=3)
    assert message == {"type": "unsubscribed", "thread": hidden.pk, "reason": "access"}
    await sync_to_async(actions.create_post)(
        author=hidden.author, thread=hidden, source="After you left"
    )
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_held_posts_are_not_announced(setup):
    from community.forum.models import Space

    space = await sync_to_async(Space.objects.get)(slug="young-people")
    moderator = await sync_to_async(make_user)(role="moderator")
    thread = await sync_to_async(make_thread)(
        author=moderator, space=space, title="Youth voice live"
    )
    communicator = await _connect(None)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "subscribe", "thread": thread.pk})
    await communicator.receive_json_from()
    young = await sync_to_async(make_user)(role="young_person", age_band="16-17")
    await sync_to_async(actions.create_post)(
        author=young, thread=thread, source="Held until approved"
    )
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_reading_on_one_tab_clears_the_count_on_another(setup):
    thread = setup["thread"]
    first = await sync_to_async(thread.posts.get)(number=1)
    replier = await sync_to_async(make_user)()
    await sync_to_async(actions.create_post)(
        author=replier, thread=thread, source="Unread reply", reply_to=first
    )
    other_tab = await _connect(setup["author"])
    await other_tab.receive_json_from()
    from notifications import actions as notification_actions

    notification = await sync_to_async(Notification.objects.get)(user=setup["author"])
    await sync_to_async(notification_actions.mark_read)(
        user=setup["author"], notification=notification
    )
    assert (await other_tab.receive_json_from(timeout=3)) == {"type": "unread", "unread": 0}
    await other_tab.disconnect()


async def test_bad_messages_get_an_error_not_a_crash(setup):
    communicator = await _connect(setup["author"])
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "subscribe", "thread": "abc"})
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.send_json_to(["not", "an", "object"])
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from()) == {"type": "pong"}
    await communicator.disconnect()


async def test_suspension_closes_the_members_sockets(setup):
    from datetime import timedelta

    from django.utils import timezone

    from community.moderation import actions as moderation_actions

    member = setup["author"]
    cookie = await sync_to_async(_cookie_for)(member)
    headers = [
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
        (b"cookie", f"sessionid={cookie}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    await communicator.connect()
    assert (await communicator.receive_json_from())["user"] == member.pk
    moderator = await sync_to_async(make_user)(role="moderator")
    await sync_to_async(moderation_actions.suspend_user)(
        moderator=moderator, user=member, until=timezone.now() + timedelta(days=2), reason="Abuse"
    )
    assert (await communicator.receive_json_from(timeout=3)) == {"type": "session.end"}
    closed = await communicator.receive_output(timeout=3)
    assert closed["type"] == "websocket.close" and closed["code"] == 4001
    # A new socket with the old session cookie is no longer the member.
    again = WebsocketCommunicator(application, "/ws/", headers=headers)
    await again.connect()
    assert (await again.receive_json_from())["user"] is None
    await again.disconnect()


async def test_forwarded_thread_events_skip_the_database_thread(setup, monkeypatch):
    """A thread event is forwarded without channels' hop to its one database thread: with a
    hundred readers in a process, those hops queued one after another were most of the cost."""
    import channels.consumer

    hops = []

    async def counted_hop():
        hops.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted_hop)
    thread = setup["thread"]
    communicator = await _connect(None)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "subscribe", "thread": thread.pk, "after_number": 1})
    await communicator.receive_json_from()
    hops.clear()
    replier = await sync_to_async(make_user)()
    await sync_to_async(actions.create_post)(author=replier, thread=thread, source="No hop")
    assert (await communicator.receive_json_from(timeout=3))["type"] == "post.created"
    assert hops == []
    await communicator.disconnect()
