"""A thread's readers are told through `fanout.send_to_group`: channels_redis's group send in
two Redis round trips instead of four, delivering what `group_send` delivers."""

from __future__ import annotations

import time

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


async def test_members_bells_reach_each_of_their_channels_and_nobody_elses():
    """`send_to_members` reads every member's group in one script call (one string back): a
    member with two sockets is sent to both, one with no socket (or only an expired one) is
    left out."""
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
        written = await fanout.send_to_members(
            layer, lambda uid: f"user-{uid}", "notify.many", by_user
        )
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
