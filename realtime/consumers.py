"""The WebSocket at /ws/: one per tab. It authenticates from the session, joins only what the
member may read, forwards events, and never writes.

Client → server:  {"type": "resume", "after": <last notification id>,
                   "seen": [recent notification ids it holds]}  ("seen" is optional: with
                   it, a recent notification below "after" that never arrived is sent too)
                  {"type": "subscribe", "thread": <id>, "after_number": <last post number shown>}
                  {"type": "unsubscribe", "thread": <id>}
                  {"type": "ping"}  (also re-joins the socket's groups and sends any
                                     notification it missed, e.g. after a Redis restart)
Server → client:  {"type": "hello", "user": <id or null>}
                  {"type": "notifications", "notifications": [...], "unread": n}
                  {"type": "unread", "unread": n}
                  {"type": "subscribed", "thread": id, "missed": [post numbers]}
                  {"type": "post.created" | "post.edited" | "post.deleted" | "post.restored"
                           | "post.approved" | "reaction.added" | "reaction.removed",
                   "thread_id", "post_id", "number"}
                  {"type": "unsubscribed", "thread": id, "reason": "access"}
                  {"type": "session.end"}  (then the socket closes with 4001)
                  {"type": "error", "error": "..."}

A frame that is not a JSON object (not JSON at all, a NUL, `{"thread": 1e400}`) gets an
"error" message and the socket stays open. Each notification id is sent at most once per
socket: one committed while the client's resume is being answered arrives once, not twice.
"""

from __future__ import annotations

import json
from datetime import timedelta

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user_model
from prometheus_client import Gauge

from community.accounts.permissions import can_use_network
from community.forum import permissions
from community.forum.models import Thread
from notifications import presence, push
from notifications.selectors import notifications_after, notifications_missed, unread_count

from .hub import SCOPE_KEY, Broadcast, frame, hub_for, write_frame

MAX_THREADS_PER_SOCKET = 20
MAX_ID = 2**63 - 1
# Ids remembered per socket to drop repeats (resume and live push racing); old ones age out.
SENT_IDS_KEPT = 500
# The most ids a client lists in "seen" (live.js keeps the highest 200 it has shown). Ids
# below the lowest it lists are never sent again as holes (see _resume).
SEEN_LISTED = 200
# How far back a resume or a ping looks for holes below the last id a client saw.
CATCH_UP_WINDOW = timedelta(minutes=15)

# Channel-layer messages whose handlers never touch the database: no stale-connection hop.
# (Thread events and members' bell updates come through the process's hub, not here.)
FORWARD_ONLY = {
    "unread": "unread",
}

SOCKETS_OPEN = Gauge("fhn_sockets_open", "WebSockets open", multiprocess_mode="livesum")


def as_id(value) -> int | None:
    """A positive database id from a client's frame, or None (never an exception)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isdigit() and len(value) < 20:
        number = int(value)
    else:
        return None  # floats (1e400 is infinity), lists, objects, None
    return number if 0 < number <= MAX_ID else None


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.threads: dict[int, int] = {}  # thread id → its space id
        self.sent_ids: dict[int, None] = {}
        # At or below this id the socket no longer knows what the client holds (the client's
        # list was full, or ids aged out of sent_ids): holes are filled only above it, so a
        # member with hundreds of recent notifications is not sent them again on each ping.
        self.hole_floor = 0
        # A client that says which recent ids it holds ("seen") gets holes filled too.
        self.resumed = False
        self.last_resume_after = 0
        self.counted = False
        # While this socket joins a group and answers ("hello", "subscribed"), what the hub
        # hands over waits here, so the answer always comes first, as the protocol promises.
        self.held_back: list[tuple[str, object]] | None = None
        if self._signed_in and not can_use_network(self.user):
            await self.close(code=4001)
            return
        await self.accept()
        SOCKETS_OPEN.inc()
        self.counted = True
        self.held_back = []
        try:
            if self._signed_in:
                # The member's bell comes through the process's hub, as thread events do: a
                # post with 5,000 watchers is one message per process, not one per socket.
                await hub_for(self.channel_layer).join(push.user_group(self.user.pk), self)
                await database_sync_to_async(presence.mark_seen)(self.user.pk)
            await self.send_json(
                {"type": "hello", "user": self.user.pk if self._signed_in else None}
            )
        finally:
            await self._release_held_back()

    async def _release_held_back(self) -> None:
        """Send, in order, what the hub handed over while we were answering."""
        while self.held_back:
            kind, item = self.held_back.pop(0)
            if kind == "text":
                await self.send(text_data=item)
            else:
                await self._send_notifications(item["notifications"], item["unread"])
        self.held_back = None

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        """Under daphne, text to an open socket goes straight to its protocol: channels'
        session wrapper (it saves sessions on HTTP responses only) and daphne's reply
        handler add nothing to a WebSocket frame but time, once per socket per message
        (a post's bell to 5,000 watchers is 5,000 sends). Anything else (a socket still
        opening or already closing, binary data, a close) takes the usual way."""
        protocol = self.scope.get(SCOPE_KEY)
        if (
            protocol is not None
            and text_data is not None
            and bytes_data is None
            and not close
            and protocol.state == protocol.STATE_OPEN
        ):
            write_frame(protocol, frame(text_data))
            return
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    async def take(self, broadcast: Broadcast) -> None:
        """A thread event, serialised (and under daphne framed) once by the hub for every
        reader in this process."""
        if self.held_back is not None:
            self.held_back.append(("text", broadcast.text))
        elif (protocol := self.scope.get(SCOPE_KEY)) is not None:
            broadcast.write_to(protocol)
        else:
            await self.send(text_data=broadcast.text)

    async def take_notifications(self, payload: dict) -> None:
        """This member's entry of a many-member bell update, handed over by the hub."""
        if self.held_back is not None:
            self.held_back.append(("notifications", payload))
        else:
            await self._send_notifications(payload["notifications"], payload["unread"])

    async def dispatch(self, message) -> None:
        """Channels' own dispatch hops to its one database thread (`close_old_connections`)
        before every message, queued one after another on that one thread. Handlers that read
        the database do it through `database_sync_to_async`, which closes stale connections
        itself, so messages that only forward (an unread count) skip the hop. (Thread events
        and bell updates, the many-per-post ones, reach the socket through the hub.)"""
        if message["type"] in FORWARD_ONLY:
            await getattr(self, FORWARD_ONLY[message["type"]])(message)
            return
        await super().dispatch(message)

    @property
    def _signed_in(self) -> bool:
        return self.user is not None and self.user.is_authenticated

    async def disconnect(self, code) -> None:
        if getattr(self, "counted", False):
            SOCKETS_OPEN.dec()
            self.counted = False
        if self._signed_in:
            await hub_for(self.channel_layer).leave(push.user_group(self.user.pk), self)
        for thread_id in list(self.threads):
            await self._leave_thread(thread_id)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        """Parse a frame; anything malformed is answered with an error, never a close."""
        if text_data is None:
            await self.send_json({"type": "error", "error": "messages are JSON text"})
            return
        try:
            content = json.loads(text_data)
        except ValueError:  # not JSON, a NUL, bad escapes, a number too deep to parse
            await self.send_json({"type": "error", "error": "messages are JSON objects"})
            return
        except RecursionError:
            await self.send_json({"type": "error", "error": "message too deeply nested"})
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": "messages are JSON objects"})
            return
        kind = content.get("type")
        if kind == "resume":
            await self._resume(content.get("after"), content.get("seen"))
        elif kind == "subscribe":
            await self._subscribe(content.get("thread"), content.get("after_number"))
        elif kind == "unsubscribe":
            await self._unsubscribe(content.get("thread"))
        elif kind == "ping":
            await self._rejoin_and_catch_up()
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "error": "unknown message type"})

    async def _resume(self, after, seen=None) -> None:
        if not self._signed_in:
            return
        if after in (None, 0, "0", ""):
            after = 0
        else:
            after = as_id(after)
            if after is None:
                await self.send_json({"type": "error", "error": "after must be a notification id"})
                return
        # Recent ids the client already holds: a hole below `after` is sent, these are not.
        if isinstance(seen, list):
            held = [number for number in map(as_id, seen[:SENT_IDS_KEPT]) if number is not None]
            # A hole is an id missing between ids the client holds: below the lowest it lists
            # it either never held anything (older than this tab) or its list was full; a
            # client that holds nothing has no holes. Without this, a member's other recent
            # notifications (hundreds, for a moderator) were "holes" and, 200 at a time in id
            # order, crowded out the new ones.
            self.hole_floor = max(self.hole_floor, min(held) if held else after)
            self._hold(sorted(held))
            self.resumed = True
        items, unread = await self._missed(after)
        await self._send_notifications(items, unread)
        self.last_resume_after = max(self.last_resume_after, after)

    async def _rejoin_and_catch_up(self) -> None:
        """On each ping: join our groups again and send what we may have missed.

        A Redis restart without persistence forgets every group; a consumer whose connection
        to Redis came back by itself would then hear nothing more. Joining is idempotent, and
        the catch-up sends only ids this socket has not sent.
        """
        own = [push.thread_group(thread_id) for thread_id in self.threads]
        if self._signed_in:
            own.append(push.user_group(self.user.pk))
        if own:
            await hub_for(self.channel_layer).rejoin(own)
        if self._signed_in:
            await database_sync_to_async(presence.mark_seen)(self.user.pk)
        for space_id in set(self.threads.values()):
            await self.channel_layer.group_add(push.space_group(space_id), self.channel_name)
        if self._signed_in and self.resumed:
            after = max([self.last_resume_after, *self.sent_ids])
            items, unread = await self._missed(after)
            if items:
                await self._send_notifications(items, unread)

    async def _send_notifications(self, items: list[dict], unread: int) -> None:
        """Send what this socket has not sent yet (a resume reply and a live push can race)."""
        fresh = [item for item in items if item["id"] not in self.sent_ids]
        self._hold(item["id"] for item in fresh)
        if fresh or not items:
            await self.send_json(
                {"type": "notifications", "notifications": fresh, "unread": unread}
            )
        else:
            await self.send_json({"type": "unread", "unread": unread})

    def _hold(self, ids) -> None:
        """Remember ids the client holds; one that ages out raises the hole floor past it."""
        for number in ids:
            self.sent_ids[number] = None
        while len(self.sent_ids) > SENT_IDS_KEPT:
            oldest = next(iter(self.sent_ids))
            del self.sent_ids[oldest]
            self.hole_floor = max(self.hole_floor, oldest)

    @database_sync_to_async
    def _missed(self, after: int) -> tuple[list[dict], int]:
        if self.resumed:
            from django.utils import timezone

            rows = notifications_missed(
                viewer=self.user,
                after=after,
                held=set(self.sent_ids),
                since=timezone.now() - CATCH_UP_WINDOW,
                floor=self.hole_floor,
            )
        else:
            rows = notifications_after(viewer=self.user, after=after)
        return [push.serialise(n, self.user) for n in rows], unread_count(self.user)

    async def _subscribe(self, thread_id, after_number) -> None:
        thread_id = as_id(thread_id)
        if thread_id is None:
            await self.send_json({"type": "error", "error": "thread must be a thread id"})
            return
        after_number = 0 if after_number in (None, 0, "0", "") else as_id(after_number)
        if after_number is None:
            await self.send_json({"type": "error", "error": "after_number must be a post number"})
            return
        if len(self.threads) >= MAX_THREADS_PER_SOCKET and thread_id not in self.threads:
            await self.send_json({"type": "error", "error": "too many threads on one socket"})
            return
        readable = await self._readable_numbers_after(thread_id, after_number)
        if readable is None:
            # The same answer for missing and forbidden: never reveal that a hidden thread exists.
            await self.send_json({"type": "error", "error": "no such thread", "thread": thread_id})
            return
        space_id, missed = readable
        self.threads[thread_id] = space_id
        # Thread events come through the process's hub (one delivery per process, not per
        # socket); the space's group is the socket's own (rare: a visibility change).
        self.held_back = []
        try:
            await hub_for(self.channel_layer).join(push.thread_group(thread_id), self)
            await self.channel_layer.group_add(push.space_group(space_id), self.channel_name)
            await self.send_json({"type": "subscribed", "thread": thread_id, "missed": missed})
        finally:
            await self._release_held_back()

    @database_sync_to_async
    def _readable_numbers_after(
        self, thread_id: int, after_number: int
    ) -> tuple[int, list[int]] | None:
        # The socket lives for hours: read memberships afresh for every decision.
        permissions.forget_cached_access(self.user)
        thread = Thread.objects.select_related("space").filter(pk=thread_id).first()
        if thread is None or not permissions.can_read_thread(self.user, thread):
            return None
        if after_number <= 0:
            return thread.space_id, []
        return thread.space_id, list(
            permissions.posts_of_readable_thread(self.user, thread)
            .filter(number__gt=after_number)
            .order_by("number")
            .values_list("number", flat=True)[:100]
        )

    async def _unsubscribe(self, thread_id) -> None:
        thread_id = as_id(thread_id)
        if thread_id is None:
            await self.send_json({"type": "error", "error": "thread must be a thread id"})
            return
        await self._leave_thread(thread_id)

    async def _leave_thread(self, thread_id: int) -> None:
        space_id = self.threads.pop(thread_id, None)
        await hub_for(self.channel_layer).leave(push.thread_group(thread_id), self)
        if space_id is not None and space_id not in self.threads.values():
            await self.channel_layer.group_discard(push.space_group(space_id), self.channel_name)

    # Channel layer handlers (message "type" with dots as underscores).

    async def unread(self, message) -> None:
        await self.send_json({"type": "unread", "unread": message["unread"]})

    async def session_end(self, message) -> None:
        """The member was suspended or signed out everywhere: close this socket now."""
        await self.send_json({"type": "session.end"})
        await self.close(code=4001)

    async def access_recheck(self, message) -> None:
        """Access changed (role, verification, suspension, a membership, a thread hidden or
        moved, a space's visibility): re-read the member and drop what they may no longer read.
        """
        if self._signed_in:
            fresh = await self._reload_member()
            if fresh is None or not can_use_network(fresh):
                await self.session_end(message)
                return
            self.user = fresh
        for thread_id in list(self.threads):
            if await self._readable_numbers_after(thread_id, 0) is None:
                await self._leave_thread(thread_id)
                await self.send_json(
                    {"type": "unsubscribed", "thread": thread_id, "reason": "access"}
                )

    @database_sync_to_async
    def _reload_member(self):
        return get_user_model().objects.filter(pk=self.user.pk).first()
