"""The process's thread hub: one delivery per process, handed to the sockets reading a thread."""

from __future__ import annotations

import json

import pytest
from channels.layers import get_channel_layer

from realtime.hub import Broadcast, ThreadHub


class FakeSocket:
    """Stands in for a consumer's socket: records the text written to it."""

    def __init__(self, name: str) -> None:
        self.channel_name = name
        self.sent: list[str] = []
        self.notified: list[dict] = []

    async def take(self, broadcast) -> None:
        self.sent.append(broadcast.text)

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
    """ "subscribed" comes first: thread events handed over while the socket was joining the
    thread are sent right after the answer, in the order they came."""
    from realtime.consumers import LiveConsumer

    consumer = LiveConsumer()
    consumer.sent_ids, consumer.hole_floor = {}, 0
    written: list[dict] = []

    async def base_send(message):
        written.append(json.loads(message["text"]))

    consumer.base_send = base_send
    consumer.held_back = []
    consumer.scope = {}  # not under daphne: the ordinary send
    await consumer.take_notifications({"notifications": [{"id": 7}], "unread": 1})
    await consumer.take(Broadcast(json.dumps({"type": "post.created", "number": 2})))
    await consumer.take(Broadcast(json.dumps({"type": "post.edited", "number": 1})))
    await consumer.send_json({"type": "subscribed", "thread": 1, "missed": []})
    assert written == [{"type": "subscribed", "thread": 1, "missed": []}]
    await consumer._release_held_back()
    assert [m["type"] for m in written] == [
        "subscribed",
        "notifications",
        "post.created",
        "post.edited",
    ]
    assert consumer.held_back is None
    await consumer.take(Broadcast(json.dumps({"type": "post.created", "number": 3})))
    assert written[-1]["number"] == 3


def test_a_broadcast_is_framed_once_and_skips_a_closing_socket():
    """Under daphne each socket gets autobahn's prepared frame: built once for all of them."""
    from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
    from twisted.internet.testing import StringTransport

    factory = WebSocketServerFactory()
    factory.protocol = WebSocketServerProtocol

    def open_socket(state=WebSocketServerProtocol.STATE_OPEN):
        protocol = factory.buildProtocol(None)
        protocol.makeConnection(StringTransport())
        protocol.state = state  # as after the opening handshake (or the closing one)
        return protocol

    text = json.dumps({"type": "post.created", "thread_id": 1, "post_id": 9, "number": 2})
    broadcast = Broadcast(text)
    first, second = open_socket(), open_socket()
    closing = open_socket(WebSocketServerProtocol.STATE_CLOSING)
    for protocol in (first, second, closing):
        broadcast.write_to(protocol)
    # An unmasked text frame (0x81), the length, then the JSON, framed once: the same bytes.
    frame = first.transport.value()
    assert frame[0] == 0x81 and frame[1] == len(text) and frame[2:] == text.encode()
    assert second.transport.value() == frame
    assert broadcast._prepared.payloadHybi == frame
    assert closing.transport.value() == b""


async def test_daphne_sockets_hands_the_socket_protocol_to_the_scope():
    import functools

    from autobahn.twisted.websocket import WebSocketServerProtocol

    from realtime.hub import SCOPE_KEY, DaphneSockets

    seen: list[dict] = []

    async def app(scope, receive, send):
        seen.append(scope)

    async def handle_reply(protocol, message):  # daphne's Server.handle_reply's shape
        pass

    protocol = WebSocketServerProtocol()
    await DaphneSockets(app)({"type": "websocket"}, None, functools.partial(handle_reply, protocol))
    assert seen[-1][SCOPE_KEY] is protocol

    async def other_server_send(message):
        pass

    await DaphneSockets(app)({"type": "websocket"}, None, other_server_send)
    assert SCOPE_KEY not in seen[-1]


async def test_a_sockets_ping_rejoins_only_its_own_groups(layer):
    """Every member's bell is a hub group: re-adding all of them on each socket's ping would
    be one Redis write per socket of the process, per ping. A ping names its own groups."""
    hub = ThreadHub(layer)
    sockets = [FakeSocket(f"s{i}") for i in range(4)]  # held: the hub keeps readers weakly
    for i in range(1, 4):
        await hub.join(f"user-{i}", sockets[i])
    await hub.join("thread-7", sockets[0])
    added: list[str] = []
    real_group_add = layer.group_add

    async def group_add(group, channel):
        added.append(group)
        await real_group_add(group, channel)

    layer.group_add = group_add
    await hub.rejoin(["user-2", "thread-7", "user-99"])  # user-99: nobody here reads it
    assert added == ["user-2", "thread-7"]
    added.clear()
    await hub.rejoin()  # after the layer failed: all of them
    assert sorted(added) == ["thread-7", "user-1", "user-2", "user-3"]
    hub.task.cancel()


class _Kernel:
    """A socket's send(): takes up to `room` bytes, or raises `error`."""

    def __init__(self, room: int = 1 << 20, error: OSError | None = None) -> None:
        self.room, self.error, self.sent = room, error, b""

    def send(self, data) -> int:
        if self.error is not None:
            raise self.error
        taken = bytes(data[: self.room])
        self.sent += taken
        return len(taken)


def _tcp_socket(monkeypatch, kernel: _Kernel, queued: bytes = b""):
    """A daphne socket over what looks to the hub like Twisted's plain TCP transport: its
    write() queues (as Twisted's does), its socket's send() is `kernel`."""
    from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
    from twisted.internet.testing import StringTransport

    from realtime import hub

    class TCPTransport(StringTransport):
        connected, disconnecting, _writeDisconnected, TLS = 1, False, False, False

        def __init__(self) -> None:
            super().__init__()
            self.socket, self.dataBuffer, self.offset = kernel, b"", 0
            self._tempDataBuffer = [queued] if queued else []

    monkeypatch.setattr(hub, "TCPServer", TCPTransport)
    factory = WebSocketServerFactory()
    factory.protocol = WebSocketServerProtocol
    protocol = factory.buildProtocol(None)
    protocol.makeConnection(TCPTransport())
    protocol.state = WebSocketServerProtocol.STATE_OPEN
    return protocol


def test_a_frame_goes_straight_to_the_kernel_when_nothing_waits_before_it(monkeypatch):
    from realtime.hub import frame, write_frame

    kernel = _Kernel()
    protocol = _tcp_socket(monkeypatch, kernel)
    prepared = frame('{"type": "post.created"}')
    write_frame(protocol, prepared)
    assert kernel.sent == prepared.payloadHybi
    assert protocol.transport.value() == b""  # nothing left in Twisted's queue


def test_what_the_kernel_does_not_take_is_queued_by_twisted_in_order(monkeypatch):
    from realtime.hub import frame, write_frame

    kernel = _Kernel(room=5)
    protocol = _tcp_socket(monkeypatch, kernel)
    prepared = frame("x" * 40)
    write_frame(protocol, prepared)
    assert kernel.sent + protocol.transport.value() == prepared.payloadHybi
    assert len(kernel.sent) == 5


def test_a_frame_behind_queued_bytes_waits_its_turn(monkeypatch):
    """Bytes already in Twisted's queue go first: the frame is queued after them."""
    from realtime.hub import frame, write_frame

    kernel = _Kernel()
    protocol = _tcp_socket(monkeypatch, kernel, queued=b"earlier")
    prepared = frame("later")
    write_frame(protocol, prepared)
    assert kernel.sent == b""
    assert protocol.transport.value() == prepared.payloadHybi


def test_a_send_error_is_left_to_twisteds_own_write(monkeypatch):
    from realtime.hub import frame, write_frame

    kernel = _Kernel(error=ConnectionResetError())
    protocol = _tcp_socket(monkeypatch, kernel)
    prepared = frame("gone")
    write_frame(protocol, prepared)
    assert protocol.transport.value() == prepared.payloadHybi  # Twisted finds out and closes
