"""One reader of thread groups per daphne process, handing each message to its local sockets.

A post in a thread read by 100 sockets of this process used to be 100 channel-layer deliveries:
channels_redis puts the one Redis message in 100 receive buffers, and each socket's consumer
wakes, creates tasks to wait on its buffer, dispatches and serialises the same JSON. Here the
process's hub holds the only channel in each `thread-<id>` group; it receives the message once,
serialises it once and writes the same text to each local socket (Discourse's MessageBus does
the same: one subscription per process, fanned out in memory).

Members' groups (`user-<id>`, the bell) go through it too: a post with 5,000 watchers is one
message per process carrying each member's bell update, handed to that member's sockets. (Tried
once and taken back when the restart test lost a busy member's notifications; the cause was
the resume reply, which sent a member's oldest notifications rather than their newest.)

Nothing is decided here about who may read what: a socket joins a thread through its consumer,
which checks access first (and leaves again when access changes), exactly as before.

Under daphne the hub also frames each message once: autobahn's prepared messages (its own
broadcast API) write the same bytes to every socket, instead of each send passing through
channels' session wrapper, daphne's reply handler and autobahn's framing (daphne's CPU per
post to 200 sockets: 17 -> 13 ms; what is left per socket is mostly Twisted's write path).
`DaphneSockets` finds each socket's protocol object; any other server (the test
communicator) gets the ordinary send.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import logging
import weakref
from typing import Any, Protocol

from autobahn.websocket.protocol import PreparedMessage
from twisted.internet.tcp import Server as TCPServer

logger = logging.getLogger(__name__)

# After the layer fails (Redis down), wait this long before receiving again, then join every
# group again: a Redis restart without persistence forgets them.
RETRY_SECONDS = 0.5


# Where DaphneSockets leaves the socket's daphne protocol object in the scope.
SCOPE_KEY = "fhn.daphne_protocol"


class Broadcast:
    """One thread event for every reader in this process: serialised once, framed once."""

    __slots__ = ("_prepared", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._prepared = None

    def write_to(self, protocol: Any) -> None:
        """Write the event to a daphne socket, if it is still open (daphne drops a reply to a
        closed socket the same way)."""
        if protocol.state != protocol.STATE_OPEN:
            return
        if self._prepared is None:
            self._prepared = frame(self.text)
            _say_once("thread hub: daphne sockets get prepared frames")
        write_frame(protocol, self._prepared)


def frame(text: str) -> PreparedMessage:
    """A text message framed for any socket: what the server factory's prepareMessage builds
    (a server's frames are unmasked)."""
    return PreparedMessage(
        text.encode("utf-8"), isBinary=False, applyMask=False, doNotCompress=False
    )


def write_frame(protocol: Any, prepared: PreparedMessage) -> None:
    """Write a framed message to an open daphne socket, straight to the kernel when nothing
    is waiting in front of it.

    Twisted's `transport.write` only queues: it registers the socket for writability (an
    `epoll_ctl`), and the reactor's next turn calls `send()` and unregisters it (another). For
    a post read by 100 sockets of a process that was 200 `epoll_ctl`s, 100 reactor callbacks
    and autobahn's per-write debug formatting (about half of daphne's CPU per post). When
    the transport's buffer is empty the bytes go out with one `send()` now, in the same order
    Twisted would send them; whatever the kernel does not take (or an error) goes through
    Twisted's own write, which queues it and handles the error as usual. Anything but a plain
    TCP transport (TLS in daphne, a compressed socket) takes autobahn's way.
    """
    transport = protocol.transport
    if (
        type(transport) is not TCPServer
        or protocol._perMessageCompress is not None
        or protocol.send_queue
        or not transport.connected
        or transport.disconnecting
        or transport._writeDisconnected
        or transport._tempDataBuffer
        or len(transport.dataBuffer) != transport.offset
        or getattr(transport, "TLS", False)
    ):
        protocol.sendPreparedMessage(prepared)
        return
    data = prepared.payloadHybi
    try:
        sent = transport.socket.send(data)
    except (BlockingIOError, InterruptedError):
        sent = 0
    except OSError:  # the peer went away: Twisted's write finds out and closes as usual
        sent = 0
    if sent < len(data):
        transport.write(data[sent:])
    else:
        _say_once("daphne sockets: frames written straight to the socket")
    protocol.trafficStats.outgoingOctetsWireLevel += len(data)


@functools.cache
def _say_once(text: str) -> None:
    """Once per process: the operator (and a test against real daphne) can see the path."""
    logger.info(text)


class Reader(Protocol):
    channel_name: str

    async def take(self, broadcast: Broadcast) -> None: ...

    async def take_notifications(self, payload: dict) -> None: ...


class DaphneSockets:
    """ASGI middleware, outermost on the WebSocket route: puts daphne's protocol object for
    the socket in the scope, so the hub can write prepared frames to it.

    Daphne hands each application `send=partial(server.handle_reply, protocol)` (daphne 4.x,
    pinned); anything else leaves the scope as it is and sockets are sent to as usual.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if isinstance(send, functools.partial) and send.args:
            protocol = send.args[0]
            if hasattr(protocol, "sendPreparedMessage"):
                scope = {**scope, SCOPE_KEY: protocol}
        return await self.app(scope, receive, send)


class ThreadHub:
    """The thread groups this process's sockets read, and the one task that receives for them."""

    def __init__(self, layer) -> None:
        self.layer = layer
        # Weak: a consumer that died without its disconnect (a crash) is not kept alive here.
        self.readers: dict[str, weakref.WeakSet[Reader]] = {}
        self.channel: str | None = None
        self.task: asyncio.Task | None = None

    async def join(self, group: str, reader: Reader) -> None:
        await self._start()
        readers = self.readers.setdefault(group, weakref.WeakSet())
        readers.add(reader)
        # Idempotent: joined again each time, so a group a Redis restart forgot comes back.
        await self.layer.group_add(group, self.channel)

    async def leave(self, group: str, reader: Reader) -> None:
        readers = self.readers.get(group)
        if readers is None:
            return
        readers.discard(reader)
        if not readers:
            del self.readers[group]
            await self.layer.group_discard(group, self.channel)

    async def rejoin(self, groups: list[str] | None = None) -> None:
        """Join these groups again, or every group this process reads (after the layer
        failed: a Redis restart forgets them). A socket's ping names only its own: with every
        member's bell here, "every group" is one per socket of the process, too many to
        re-add on each of their pings."""
        if self.channel is None:
            return
        for group in list(self.readers) if groups is None else groups:
            if group in self.readers:
                await self.layer.group_add(group, self.channel)

    async def _start(self) -> None:
        if self.task is not None and not self.task.done():
            return
        if self.channel is None:
            # The layer's usual prefix: channels_redis reads one process-wide key for every
            # channel of this process, whichever coroutine holds its receive lock.
            self.channel = await self.layer.new_channel()
        self.task = asyncio.get_running_loop().create_task(self._run(), name="thread-hub")

    async def _run(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("thread hub: channel layer receive failed", exc_info=True)
                await self._rejoin_when_back()
                continue
            try:
                await self._hand_out(message)
            except Exception:  # one bad message must not stop every socket's updates
                logger.exception("thread hub: could not hand out %r", message.get("type"))

    async def _rejoin_when_back(self) -> None:
        """After the layer failed, join every group again as soon as it answers (sockets'
        pings re-add only their own groups, up to 30 s apart)."""
        for attempt in itertools.count():
            await asyncio.sleep(RETRY_SECONDS)
            try:
                await self.rejoin()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                level = logging.WARNING if attempt == 0 else logging.DEBUG
                logger.log(level, "thread hub: could not join groups again", exc_info=True)

    async def _hand_out(self, message: dict) -> None:
        if message.get("type") == "notify.many":
            # Bell updates for many members (notifications.fanout): each member's own entry
            # to that member's sockets in this process; nobody else's payload is touched.
            for user_id, payload in message["by_user"].items():
                for reader in list(self.readers.get(f"user-{user_id}", ())):
                    try:
                        await reader.take_notifications(payload)
                    except Exception:  # a socket closing as we write: its consumer leaves
                        logger.debug("hub: bell to a closing socket failed", exc_info=True)
            return
        readers = list(self.readers.get(message.get("group", ""), ()))
        if not readers:
            return
        if message.get("type") == "thread.event":
            broadcast = Broadcast(json.dumps(message["event"]))
            for reader in readers:
                try:
                    await reader.take(broadcast)
                except Exception:  # a socket closing as we write: its consumer leaves soon
                    logger.debug("thread hub: send to a closing socket failed", exc_info=True)
        else:
            # Anything else (an access re-check) is the consumer's own business, run in its
            # own task and order: pass it to the socket's channel.
            for reader in readers:
                await self.layer.send(reader.channel_name, message)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ThreadHub] = weakref.WeakKeyDictionary()


def hub_for(layer) -> ThreadHub:
    """This event loop's hub (one per daphne process; one per test's loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        if hub is not None and hub.task is not None:
            hub.task.cancel()  # the layer was replaced (tests): its groups went with it
        hub = _hubs[loop] = ThreadHub(layer)
    return hub
