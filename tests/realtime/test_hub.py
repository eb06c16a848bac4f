"""The process's thread hub: one delivery per process, handed to the sockets reading a thread."""

from __future__ import annotations

import json

import pytest
from channels.layers import get_channel_layer

from realtime.hub import ThreadHub


class FakeSocket:
    """Stands in for a consumer's socket: records the text written to it."""

    def __init__(self, name: str) -> None:
        self.channel_name = name
        self.sent: list[str] = []
        self.notified: list[dict] = []

    async def take_text(self, text: str) -> None:
        self.sent.append(text)

    async def take_notifications(self, payload: dict) -> None:
        self.notified.append(payload)


@pytest.fixture
def layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.pop("default", None)
    yield get_channel_layer()
    channel_layers.backends.pop("default", None)


async def test_hub_reads_on_the_process_key_its_sockets_read(layer):
    """channels_redis reads one key per process for every "!" channel, whoever holds its
    receive lock: a hub channel with another prefix would wait behind the sockets' reads."""
    hub = ThreadHub(layer)
    await hub.join("thread-1", FakeSocket("x"))
    socket_channel = await layer.new_channel()
    assert layer.non_local_name(hub.channel) == layer.non_local_name(socket_channel)
    hub.task.cancel()


async def test_one_thread_event_reaches_each_reader_once_and_only_that_threads(layer):
    import asyncio

    hub = ThreadHub(layer)
    a, b, other = FakeSocket("a"), FakeSocket("b"), FakeSocket("c")
    await hub.join("thread-1", a)
    await hub.join("thread-1", b)
    await hub.join("thread-2", other)
    event = {"type": "post.created", "thread_id": 1, "post_id": 9, "number": 2}
    await layer.group_send(
        "thread-1", {"type": "thread.event", "event": event, "group": "thread-1"}
    )
    for _ in range(50):
        if a.sent and b.sent:
            break
        await asyncio.sleep(0.01)
    assert [json.loads(t) for t in a.sent] == [event] == [json.loads(t) for t in b.sent]
    assert other.sent == []
    # The last reader to leave takes the process out of the group.
    await hub.leave("thread-1", a)
    await hub.leave("thread-1", b)
    assert "thread-1" not in hub.readers
    await layer.group_send(
        "thread-1", {"type": "thread.event", "event": event, "group": "thread-1"}
    )
    await asyncio.sleep(0.05)
    assert len(a.sent) == 1
    hub.task.cancel()


async def test_a_many_member_bell_update_gives_each_socket_its_own_members_entry_only(layer):
    import asyncio

    from notifications import fanout, push

    hub = ThreadHub(layer)
    ann_tab_1, ann_tab_2, bob, carol = (FakeSocket(n) for n in ("a1", "a2", "b", "c"))
    await hub.join("user-1", ann_tab_1)
    await hub.join("user-1", ann_tab_2)
    await hub.join("user-2", bob)
    await hub.join("user-3", carol)
    by_user = {
        1: {"notifications": [{"id": 10}], "unread": 1},
        2: {"notifications": [{"id": 11}], "unread": 4},
    }
    await fanout.send_to_members(layer, push.user_group, "notify.many", by_user)
    for _ in range(50):
        if ann_tab_1.notified and ann_tab_2.notified and bob.notified:
            break
        await asyncio.sleep(0.01)
    assert ann_tab_1.notified == ann_tab_2.notified == [by_user[1]]
    assert bob.notified == [by_user[2]]
    assert carol.notified == []
    hub.task.cancel()


async def test_over_redis_each_members_entry_is_handed_over_once(settings):
    """With channels_redis, every member's group holds the same hub channel: the message
    must name it once, or the hub would hand out the whole message once per member."""
    import asyncio
    import os

    from channels_redis.core import RedisChannelLayer

    from notifications import fanout, push
    from tests.conftest import require_service

    redis_url = os.environ.get("REDIS_URL", "")
    require_service("Redis (REDIS_URL)", bool(redis_url))
    layer = RedisChannelLayer(hosts=[redis_url], prefix="hubtest")
    hub = ThreadHub(layer)
    sockets = [FakeSocket(f"s{i}") for i in range(30)]
    for i, socket in enumerate(sockets, start=1):
        await hub.join(f"user-{i}", socket)
    by_user = {i: {"notifications": [{"id": 100 + i}], "unread": 1} for i in range(1, 31)}
    written = await fanout.send_to_members(layer, push.user_group, "notify.many", by_user)
    assert written == 1  # one message for this process
    for _ in range(100):
        if all(s.notified for s in sockets):
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    assert [s.notified for s in sockets] == [[by_user[i]] for i in range(1, 31)]
    hub.task.cancel()
    for i in range(1, 31):
        await layer.group_discard(f"user-{i}", hub.channel)


async def test_what_the_hub_hands_over_while_a_socket_answers_waits_for_the_answer():
    """hello (and subscribed) come first: a bell update handed over while the socket was
    joining its groups is sent right after the answer, in the order it came."""
    from realtime.consumers import LiveConsumer

    consumer = LiveConsumer()
    consumer.sent_ids, consumer.hole_floor = {}, 0
    written: list[dict] = []

    async def base_send(message):
        written.append(json.loads(message["text"]))

    consumer.base_send = base_send
    consumer.held_back = []
    await consumer.take_notifications({"notifications": [{"id": 7}], "unread": 1})
    await consumer.take_text(json.dumps({"type": "post.created", "number": 2}))
    await consumer.send_json({"type": "hello", "user": 1})
    assert written == [{"type": "hello", "user": 1}]
    await consumer._release_held_back()
    assert [m["type"] for m in written] == ["hello", "notifications", "post.created"]
    assert consumer.held_back is None
    await consumer.take_text(json.dumps({"type": "post.created", "number": 3}))
    assert written[-1]["number"] == 3
