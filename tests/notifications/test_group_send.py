"""A thread's readers are told through `fanout.send_to_group`: channels_redis's group send in
one Redis round trip while the group holds the channels it held last time, two when it
changed (instead of four), delivering what `group_send` delivers."""

from __future__ import annotations

import time

import pytest
from channels.layers import get_channel_layer

from notifications import fanout
from tests.conftest import require_service

GROUP = "thread-424242"


def _redis_layer():
    layer = get_channel_layer()
    require_service("Redis (REDIS_URL)", hasattr(layer, "_group_key"))
    return layer


async def test_a_group_message_reaches_each_channel_in_the_group_once():
    layer = _redis_layer()
    first, second = await layer.new_channel(), await layer.new_channel()
    other = await layer.new_channel()
    await layer.group_add(GROUP, first)
    await layer.group_add(GROUP, second)
    message = {"type": "thread.event", "event": {"type": "post.created", "post_id": 1}}
    try:
        # Both channels are this process's: one Redis message, read once, handed to both.
        assert await fanout.send_to_group(layer, GROUP, {**message, "group": GROUP}) == 1
        assert await layer.receive(first) == {**message, "group": GROUP}
        assert await layer.receive(second) == {**message, "group": GROUP}
        await layer.send(other, {"type": "marker"})
        assert await layer.receive(other) == {"type": "marker"}  # nothing else was sent
    finally:
        await layer.group_discard(GROUP, first)
        await layer.group_discard(GROUP, second)


async def test_members_past_the_group_expiry_are_dropped_and_not_sent_to():
    layer = _redis_layer()
    gone = await layer.new_channel()
    stale = int(time.time()) - layer.group_expiry - 10
    await layer.connection(layer.consistent_hash(GROUP)).zadd(
        layer._group_key(GROUP), {gone: stale}
    )
    assert await fanout.send_to_group(layer, GROUP, {"type": "thread.event", "event": {}}) == 0
    assert not await layer.connection(layer.consistent_hash(GROUP)).exists(layer._group_key(GROUP))


async def test_an_empty_group_is_no_message():
    layer = _redis_layer()
    assert await fanout.send_to_group(layer, "thread-0", {"type": "thread.event"}) == 0


class _CountingConnection:
    """A Redis connection that counts the round trips made through it (calls and pipelines)."""

    def __init__(self, connection, calls: list) -> None:
        self._connection, self._calls = connection, calls

    async def eval(self, *args):
        self._calls.append("eval")
        return await self._connection.eval(*args)

    def pipeline(self, *args, **kwargs):
        self._calls.append("pipeline")
        return self._connection.pipeline(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._connection, name)


async def test_a_group_that_did_not_change_is_sent_to_in_one_round_trip(monkeypatch):
    layer = _redis_layer()
    group = "thread-434343"
    first, joined_later = await layer.new_channel(), await layer.new_channel()
    await layer.group_add(group, first)
    calls: list[str] = []
    connection = layer.connection

    monkeypatch.setattr(layer, "connection", lambda i: _CountingConnection(connection(i), calls))
    message = {
        "type": "thread.event",
        "event": {"type": "post.created", "post_id": 2},
        "group": group,
    }
    try:
        await fanout.send_to_group(layer, group, message)  # learns the group's channels
        calls.clear()
        assert await fanout.send_to_group(layer, group, message) == 1
        assert calls == ["eval"]
        assert await layer.receive(first) == message
        assert await layer.receive(first) == message

        # A channel joins: the one-call send finds the group changed and writes nothing, then
        # the two-step send reaches both channels, each once.
        await layer.group_add(group, joined_later)
        calls.clear()
        assert await fanout.send_to_group(layer, group, message) == 1
        assert calls == ["eval", "pipeline"]
        assert await layer.receive(first) == message
        assert await layer.receive(joined_later) == message

        # A channel leaves: it is not sent to, not even once more from the remembered list.
        await layer.group_discard(group, first)
        assert await fanout.send_to_group(layer, group, message) == 1
        assert await layer.receive(joined_later) == message
        await layer.send(first, {"type": "marker"})
        assert await layer.receive(first) == {"type": "marker"}
    finally:
        await layer.group_discard(group, first)
        await layer.group_discard(group, joined_later)


async def test_the_posters_blocking_send_delivers_what_the_async_send_does(monkeypatch):
    """`send_to_group_now` (the poster's thread event, from its own thread) reaches the same
    channels, in one Redis call once it knows the group, and follows the group's changes."""
    import asyncio

    layer = _redis_layer()
    group = "thread-454545"
    first, joined_later = await layer.new_channel(), await layer.new_channel()
    await layer.group_add(group, first)
    client = fanout._blocking_client(layer)
    calls: list[str] = []

    class Counting:
        def eval(self, *args):
            calls.append("eval")
            return client.eval(*args)

        def pipeline(self, *args, **kwargs):
            calls.append("pipeline")
            return client.pipeline(*args, **kwargs)

    monkeypatch.setattr(fanout, "_blocking_client", lambda layer: Counting())
    message = {"type": "thread.event", "event": {"post_id": 3}, "group": group}
    try:
        assert await asyncio.to_thread(fanout.send_to_group_now, layer, group, message) == 1
        assert await layer.receive(first) == message
        calls.clear()
        assert await asyncio.to_thread(fanout.send_to_group_now, layer, group, message) == 1
        assert calls == ["eval"]
        assert await layer.receive(first) == message
        await layer.group_add(group, joined_later)
        assert await asyncio.to_thread(fanout.send_to_group_now, layer, group, message) == 1
        assert await layer.receive(first) == message
        assert await layer.receive(joined_later) == message
        await layer.group_discard(group, first)
        await layer.group_discard(group, joined_later)
        assert await asyncio.to_thread(fanout.send_to_group_now, layer, group, message) == 0
    finally:
        await layer.group_discard(group, first)
        await layer.group_discard(group, joined_later)


def test_the_blocking_send_leaves_other_layers_to_their_own_send():
    from channels.layers import InMemoryChannelLayer

    assert fanout.send_to_group_now(InMemoryChannelLayer(), "thread-1", {"type": "x"}) is None


@pytest.mark.parametrize("blocking", [False, True], ids=["async", "worker's blocking send"])
async def test_members_bells_reach_each_of_their_channels_and_nobody_elses(blocking):
    """`send_to_members` reads every member's group in one script call (one string back): a
    member with two sockets is sent to both, one with no socket (or only an expired one) is
    left out. `send_to_members_now` (the worker's, from its own thread) does the same."""
    import asyncio

    layer = _redis_layer()
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("user-9001", first)
    await layer.group_add("user-9001", second)
    await layer.group_add("user-9002", second)
    stale = int(time.time()) - layer.group_expiry - 10
    expired = await layer.new_channel()
    await layer.connection(layer.consistent_hash("user-9004")).zadd(
        layer._group_key("user-9004"), {expired: stale}
    )
    by_user = {9001: {"unread": 1}, 9002: {"unread": 2}, 9003: {"unread": 3}, 9004: {"unread": 4}}
    try:
        send = fanout.send_to_members_now if blocking else fanout.send_to_members
        arguments = (layer, lambda uid: f"user-{uid}", "notify.many", by_user)
        if blocking:
            written = await asyncio.to_thread(send, *arguments)
        else:
            written = await send(*arguments)
        # Both channels are this process's: one Redis message naming both, carrying the
        # entries of the members who have a socket here (each consumer takes its own).
        assert written == 1
        expected = {
            "type": "notify.many",
            "by_user": {"9001": {"unread": 1}, "9002": {"unread": 2}},
        }
        assert await layer.receive(first) == expected
        assert await layer.receive(second) == expected
        assert not await layer.connection(layer.consistent_hash("user-9004")).exists(
            layer._group_key("user-9004")
        )
    finally:
        await layer.group_discard("user-9001", first)
        await layer.group_discard("user-9001", second)
        await layer.group_discard("user-9002", second)
