"""Sending one message to many members' personal groups in a few Redis round trips.

A post in a thread with a thousand watchers is a thousand bell updates. One `group_send` per
member costs four Redis round trips each and a thousand messages for daphne to pop (about
1.2 s on the bench machine). Instead: read every member's group (`user-<id>`) in one
pipeline, then write ONE message per daphne process, addressed to all of that process's
sockets of those members and carrying each member's own payload keyed by member id; each
consumer forwards only its member's entry (the payloads never leave the server). This is
channels_redis's own group-send path (its Lua script, its `__asgi_channel__` list) with the
groups resolved together. Other layers (the in-memory one of the embedded default) get one
`group_send` per member, with the same message shape.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections import defaultdict

logger = logging.getLogger(__name__)

_SEND_LUA = """
    local over_capacity = 0
    local current_time = ARGV[#ARGV - 1]
    local expiry = ARGV[#ARGV]
    for i=1,#KEYS do
        if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + #KEYS]) then
            redis.call('ZADD', KEYS[i], current_time, ARGV[i])
            redis.call('EXPIRE', KEYS[i], expiry)
        else
            over_capacity = over_capacity + 1
        end
    end
    return over_capacity
"""

# Step 1 in one call per Redis connection: drop each group's expired members and list the
# rest. A pipeline of two commands per member cost the worker ~0.1 ms of Python per member
# (0.5 s for 5,000 watchers); one script call with every key costs a few ms. The reply is one
# string (a line per group, its channels separated by spaces: channel names hold neither),
# because redis-py parses a reply of 5,000 arrays item by item in Python, about a fifth of
# the worker's CPU for such a post.
_CHANNELS_LUA = """
    local expired_before = ARGV[1]
    local out = {}
    for i=1,#KEYS do
        redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, expired_before)
        out[i] = table.concat(redis.call('ZRANGE', KEYS[i], 0, -1), ' ')
    end
    return table.concat(out, '\\n')
"""


def _channel_lines(reply: bytes) -> list[list[str]]:
    """`_CHANNELS_LUA`'s one string: a line per group, its channels separated by spaces."""
    return [line.split() for line in reply.decode("utf8").split("\n")]


def _members_send(layer, group_of, message_type: str, by_user: dict[int, dict]):
    """`send_to_members` without I/O, as `_group_send`: yields `(connection index, commands)`
    per Redis round trip, is sent their replies, returns the Redis messages written."""
    # 1. Every member's channels, one script call per Redis connection.
    by_connection: dict[int, list[int]] = defaultdict(list)
    for uid in by_user:
        by_connection[layer.consistent_hash(group_of(uid))].append(uid)
    channels_of: dict[int, list[str]] = {}
    expired_before = int(time.time()) - layer.group_expiry
    for index, uids in by_connection.items():
        keys = [layer._group_key(group_of(uid)) for uid in uids]
        [reply] = yield index, [("eval", (_CHANNELS_LUA, len(keys), *keys, expired_before))]
        for uid, channels in zip(uids, _channel_lines(reply), strict=True):
            channels_of[uid] = channels
    # 2. One message per channel key (a daphne process), with only its members' payloads.
    per_key: dict[str, dict] = {}
    for uid, channels in channels_of.items():
        for channel in channels:
            local = layer.non_local_name(channel) if "!" in channel else channel
            entry = per_key.setdefault(
                layer.prefix + local,
                {
                    "index": layer.consistent_hash(local),
                    "capacity": layer.get_capacity(channel),
                    "message": {"type": message_type, "by_user": {}, "__asgi_channel__": []},
                    "channels": set(),
                },
            )
            # Once per channel: a process's hub (realtime) is the one channel of all its
            # members' groups, and channels_redis delivers a message once per name listed.
            if channel not in entry["channels"]:
                entry["channels"].add(channel)
                entry["message"]["__asgi_channel__"].append(channel)
            entry["message"]["by_user"][str(uid)] = by_user[uid]
    # 3. Write them with channels_redis's group-send script, one call per connection.
    keys_by_connection: dict[int, list[str]] = defaultdict(list)
    for key, entry in per_key.items():
        keys_by_connection[entry["index"]].append(key)
    for index, keys in keys_by_connection.items():
        args = [layer.serialize(per_key[key]["message"]) for key in keys]
        args += [per_key[key]["capacity"] for key in keys]
        args += [time.time(), layer.expiry]
        yield index, [("eval", (_SEND_LUA, len(keys), *keys, *args))]
    return len(per_key)


async def send_to_members(layer, group_of, message_type: str, by_user: dict[int, dict]) -> int:
    """Deliver `by_user[id]` to every socket of each member; return the Redis messages written.

    Consumers receive `{"type": message_type, "by_user": {"<id>": payload, ...}}` and take
    their own entry.
    """
    if not by_user:
        return 0
    if not hasattr(layer, "_group_key"):  # not channels_redis: one group send per member
        for uid, payload in by_user.items():
            await layer.group_send(
                group_of(uid), {"type": message_type, "by_user": {str(uid): payload}}
            )
        return len(by_user)
    return await _run_async(layer, _members_send(layer, group_of, message_type, by_user))


def send_to_members_now(layer, group_of, message_type: str, by_user: dict[int, dict]) -> int | None:
    """`send_to_members` from the calling thread (the worker's, after the fan-out commits),
    with this process's blocking Redis client; None (nothing sent) where `send_to_group_now`
    would not send either."""
    client = _blocking_client_for(layer)
    if client is None:
        return None
    if not by_user:
        return 0
    return _run_blocking(client, _members_send(layer, group_of, message_type, by_user))


# channels_redis's whole group send in one call, when the group still holds exactly the
# channels it held last time (a thread group holds one hub channel per daphne process, and
# they rarely change): drop the group's expired members, compare what is left with the
# channels the message was addressed to, and only if they are the same drop each channel's
# expired messages and write the message (the group-send script's own steps). Otherwise
# nothing is written and the group's channels come back, for the two-step send.
# KEYS: the group, then each channel key. ARGV: the group's expiry cut-off, the messages'
# expiry cut-off, the number n of channels expected, those n channels, a message and a
# capacity per channel key, the time and the expiry.
_SEND_IF_SAME_LUA = """
    redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[1])
    local current = redis.call('ZRANGE', KEYS[1], 0, -1)
    local n = tonumber(ARGV[3])
    if #current ~= n then return current end
    local expected = {}
    for i=1,n do expected[ARGV[3 + i]] = true end
    for i=1,#current do
        if not expected[current[i]] then return current end
    end
    local keys = #KEYS - 1
    local first = 3 + n
    local current_time = ARGV[#ARGV - 1]
    local expiry = ARGV[#ARGV]
    local over_capacity = 0
    for i=1,keys do
        local key = KEYS[i + 1]
        redis.call('ZREMRANGEBYSCORE', key, 0, ARGV[2])
        if redis.call('ZCOUNT', key, '-inf', '+inf') < tonumber(ARGV[first + keys + i]) then
            redis.call('ZADD', key, current_time, ARGV[first + i])
            redis.call('EXPIRE', key, expiry)
        else
            over_capacity = over_capacity + 1
        end
    end
    return over_capacity
"""

# The channels each group held at its last send, per layer (bounded: a busy process sends to
# many threads). Only a guess: the script above checks it against Redis on every send.
_last_channels: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_REMEMBERED_GROUPS = 10_000


def _remember(layer, group: str, channels: list[str]) -> None:
    remembered = _last_channels.setdefault(layer, {})
    if len(remembered) >= _REMEMBERED_GROUPS and group not in remembered:
        remembered.pop(next(iter(remembered), None), None)
    remembered[group] = channels


def _one_call(layer, group: str, message: dict) -> tuple[list, int] | None:
    """The arguments of the one-call send to the channels the group held last time, and the
    Redis messages it writes; None when they are not known, or not all on the group's server."""
    channels = _last_channels.get(layer, {}).get(group)
    if not channels:
        return None
    by_connection, messages, capacities = layer._map_channel_keys_to_connection(channels, message)
    index = layer.consistent_hash(group)
    if list(by_connection) != [index]:
        return None
    keys = by_connection[index]
    now = time.time()
    args = [
        _SEND_IF_SAME_LUA,
        1 + len(keys),
        layer._group_key(group),
        *keys,
        int(now) - layer.group_expiry,
        int(now) - int(layer.expiry),
        len(channels),
        *channels,
        *(messages[k] for k in keys),
        *(capacities[k] for k in keys),
        now,
        layer.expiry,
    ]
    return args, len(messages)


def _sent(result, group: str, count: int, writes: int) -> int | None:
    """What the one-call send did: the messages written, or None when the group changed."""
    if isinstance(result, list):
        return None
    if result:
        logger.info("%s of %s channels over capacity in group %s", result, count, group)
    return writes


def _group_send(layer, group: str, message: dict):
    """One group send without I/O: yields `(connection index, commands)` for each Redis round
    trip (one command is sent alone, several as one pipeline), is sent back their replies, and
    returns the Redis messages written. `send_to_group` (async) and `send_to_group_now`
    (blocking) differ only in how they run the commands.

    In one round trip when the group holds the channels it held at its last send; else the
    group's channels are read (that same call, or a read of its own when they are not known),
    remembered, then written to as channels_redis does: per Redis server, drop each channel
    key's expired messages, then its group-send script.
    """
    index = layer.consistent_hash(group)
    if (one := _one_call(layer, group, message)) is not None:
        args, writes = one
        [result] = yield index, [("eval", args)]
        if (sent := _sent(result, group, args[1] - 1, writes)) is not None:
            return sent
        channels = [channel.decode("utf8") for channel in result]  # the group changed
    else:
        expired_before = int(time.time()) - layer.group_expiry
        command = ("eval", (_CHANNELS_LUA, 1, layer._group_key(group), expired_before))
        [reply] = yield index, [command]
        [channels] = _channel_lines(reply)
    _remember(layer, group, channels)
    if not channels:
        return 0
    by_connection, messages, capacities = layer._map_channel_keys_to_connection(channels, message)
    for index, keys in by_connection.items():
        expired = int(time.time()) - int(layer.expiry)
        args = [messages[k] for k in keys] + [capacities[k] for k in keys]
        commands = [("zremrangebyscore", (k, 0, expired)) for k in keys]
        commands.append(("eval", (_SEND_LUA, len(keys), *keys, *args, time.time(), layer.expiry)))
        replies = yield index, commands
        if over_capacity := replies[-1]:
            logger.info(
                "%s of %s channels over capacity in group %s", over_capacity, len(keys), group
            )
    return len(messages)


def _issue(client, commands: list[tuple[str, tuple]]):
    """Send one step's commands with a redis-py client, async or blocking: one command alone,
    several as one pipeline. Returns what the client returns (awaitable or not) and whether
    it is one command's reply rather than the pipeline's list."""
    if len(commands) == 1:
        name, args = commands[0]
        return getattr(client, name)(*args), True
    pipe = client.pipeline(transaction=False)
    for name, args in commands:
        getattr(pipe, name)(*args)
    return pipe.execute(), False


async def send_to_group(layer, group: str, message: dict) -> int:
    """channels_redis's `group_send`, in one Redis round trip when the group holds the same
    channels as at its last send, else two (channels_redis's own takes four); return the Redis
    messages written.

    A post's event to a thread's readers waits behind each round trip. Other layers get their
    own `group_send`.
    """
    if not hasattr(layer, "_group_key"):
        await layer.group_send(group, message)
        return 1
    layer.require_valid_group_name(group)
    return await _run_async(layer, _group_send(layer, group, message))


def send_to_group_now(layer, group: str, message: dict) -> int | None:
    """`send_to_group` from the calling thread, with a blocking Redis client of this process;
    None (nothing sent) when the layer is not channels_redis on one server given by address.

    The poster's thread event used to be handed to the process's sender loop (another thread)
    and waited for: two thread wake-ups around a Redis call, each waiting for a core on a busy
    machine. Sent here, it is one blocking call in the poster's own thread.
    """
    client = _blocking_client_for(layer)
    if client is None:
        return None
    layer.require_valid_group_name(group)
    return _run_blocking(client, _group_send(layer, group, message))


async def _run_async(layer, steps) -> int:
    """Run a sans-I/O send's steps on the layer's own (async) connections."""
    replies = None
    while True:
        try:
            index, commands = steps.send(replies)
        except StopIteration as done:
            return done.value
        pending, single = _issue(layer.connection(index), commands)
        replies = [await pending] if single else await pending


def _run_blocking(client, steps) -> int:
    """Run a sans-I/O send's steps with a blocking client (one server: every index is it)."""
    replies = None
    while True:
        try:
            _index, commands = steps.send(replies)
        except StopIteration as done:
            return done.value
        reply, single = _issue(client, commands)
        replies = [reply] if single else reply


def _blocking_client_for(layer):
    """The blocking client for a channels_redis layer on one server given by address, or
    None (another layer, several servers, a sentinel): the caller sends the async way."""
    if not hasattr(layer, "_group_key") or len(layer.hosts) != 1:
        return None
    return _blocking_client(layer)


_blocking: dict[tuple[int, str], object] = {}


def _blocking_client(layer):
    """This process's blocking Redis client for the layer's one server (made again after a
    fork); None for a server not given by address (a sentinel)."""
    import os

    import redis

    address = layer.hosts[0].get("address")
    if not address:
        return None
    key = (os.getpid(), address)
    client = _blocking.get(key)
    if client is None:
        # Short timeouts: the poster waits on this call (a failed send is logged and dropped,
        # as the sender loop's was).
        client = _blocking[key] = redis.Redis.from_url(
            address, socket_timeout=2, socket_connect_timeout=0.5
        )
    return client
