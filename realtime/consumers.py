"""The WebSocket at /ws/: one per tab. It authenticates from the session, joins only what the
member may read, forwards events, and never writes.

Client → server:  {"type": "resume", "after": <last notification id>}
                  {"type": "subscribe", "thread": <id>, "after_number": <last post number shown>}
                  {"type": "unsubscribe", "thread": <id>}
                  {"type": "ping"}
Server → client:  {"type": "hello", "user": <id or null>}
                  {"type": "notifications", "notifications": [...], "unread": n}
                  {"type": "unread", "unread": n}
                  {"type": "subscribed", "thread": id, "missed": [post numbers]}
                  {"type": "post.created" | "post.edited" | "post.deleted" | "post.restored"
                           | "post.approved" | "reaction.added" | "reaction.removed",
                   "thread_id", "post_id", "number"}
                  {"type": "unsubscribed", "thread": id, "reason": "access"}
                  {"type": "error", "error": "..."}
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from community.forum import permissions
from community.forum.models import Thread
from notifications import presence, push
from notifications.selectors import notifications_after, unread_count

MAX_THREADS_PER_SOCKET = 20


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.threads: set[int] = set()
        await self.accept()
        if self.user is not None and self.user.is_authenticated:
            await self.channel_layer.group_add(push.user_group(self.user.pk), self.channel_name)
            await database_sync_to_async(presence.mark_seen)(self.user.pk)
        await self.send_json({"type": "hello", "user": self.user.pk if self._signed_in else None})

    @property
    def _signed_in(self) -> bool:
        return self.user is not None and self.user.is_authenticated

    async def disconnect(self, code) -> None:
        if self._signed_in:
            await self.channel_layer.group_discard(push.user_group(self.user.pk), self.channel_name)
        for thread_id in list(self.threads):
            await self.channel_layer.group_discard(push.thread_group(thread_id), self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": "messages are JSON objects"})
            return
        kind = content.get("type")
        if kind == "resume":
            await self._resume(content.get("after"))
        elif kind == "subscribe":
            await self._subscribe(content.get("thread"), content.get("after_number"))
        elif kind == "unsubscribe":
            await self._unsubscribe(content.get("thread"))
        elif kind == "ping":
            if self._signed_in:
                await database_sync_to_async(presence.mark_seen)(self.user.pk)
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "error": f"unknown message type {kind!r}"})

    async def _resume(self, after) -> None:
        if not self._signed_in:
            return
        try:
            after = max(int(after or 0), 0)
        except (TypeError, ValueError):
            await self.send_json({"type": "error", "error": "after must be a notification id"})
            return
        items, unread = await self._missed(after)
        await self.send_json({"type": "notifications", "notifications": items, "unread": unread})

    @database_sync_to_async
    def _missed(self, after: int) -> tuple[list[dict], int]:
        items = [
            push.serialise(n, self.user) for n in notifications_after(viewer=self.user, after=after)
        ]
        return items, unread_count(self.user)

    async def _subscribe(self, thread_id, after_number) -> None:
        try:
            thread_id = int(thread_id)
            after_number = int(after_number or 0)
        except (TypeError, ValueError):
            await self.send_json({"type": "error", "error": "thread must be a thread id"})
            return
        if len(self.threads) >= MAX_THREADS_PER_SOCKET and thread_id not in self.threads:
            await self.send_json({"type": "error", "error": "too many threads on one socket"})
            return
        missed = await self._readable_numbers_after(thread_id, after_number)
        if missed is None:
            # The same answer for missing and forbidden: never reveal that a hidden thread exists.
            await self.send_json({"type": "error", "error": "no such thread", "thread": thread_id})
            return
        self.threads.add(thread_id)
        await self.channel_layer.group_add(push.thread_group(thread_id), self.channel_name)
        await self.send_json({"type": "subscribed", "thread": thread_id, "missed": missed})

    @database_sync_to_async
    def _readable_numbers_after(self, thread_id: int, after_number: int) -> list[int] | None:
        # The socket lives for hours: read memberships afresh for every decision.
        permissions.forget_cached_access(self.user)
        thread = Thread.objects.select_related("space").filter(pk=thread_id).first()
        if thread is None or not permissions.can_read_thread(self.user, thread):
            return None
        if after_number <= 0:
            return []
        return list(
            permissions.posts_of_readable_thread(self.user, thread)
            .filter(number__gt=after_number)
            .order_by("number")
            .values_list("number", flat=True)[:100]
        )

    async def _unsubscribe(self, thread_id) -> None:
        try:
            thread_id = int(thread_id)
        except (TypeError, ValueError):
            return
        self.threads.discard(thread_id)
        await self.channel_layer.group_discard(push.thread_group(thread_id), self.channel_name)

    # Channel layer handlers (message "type" with dots as underscores).

    async def notify(self, message) -> None:
        await self.send_json(
            {
                "type": "notifications",
                "notifications": message["notifications"],
                "unread": message["unread"],
            }
        )

    async def unread(self, message) -> None:
        await self.send_json({"type": "unread", "unread": message["unread"]})

    async def thread_event(self, message) -> None:
        await self.send_json(message["event"])

    async def session_end(self, message) -> None:
        """The member was suspended or signed out everywhere: close this socket now."""
        await self.send_json({"type": "session.end"})
        await self.close(code=4001)

    async def access_recheck(self, message) -> None:
        """Access changed somewhere: drop every thread this member may no longer read."""
        for thread_id in list(self.threads):
            if await self._readable_numbers_after(thread_id, 0) is None:
                self.threads.discard(thread_id)
                await self.channel_layer.group_discard(
                    push.thread_group(thread_id), self.channel_name
                )
                await self.send_json(
                    {"type": "unsubscribed", "thread": thread_id, "reason": "access"}
                )
