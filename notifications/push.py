"""How members are told live: messages on the channel layer, sent only after commit.

Group names are the protocol between this module and realtime's consumers:
`user-<id>` for one member's tabs, `thread-<id>` for everyone reading a thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading

from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import InMemoryChannelLayer, channel_layers, get_channel_layer
from django.db.models import Count
from prometheus_client import Counter

from community.sqlarrays import among

from . import emails, fanout, kinds, presence, webpush
from .models import Delivered, Notification

logger = logging.getLogger(__name__)

NOTIFICATIONS_PUSHED = Counter("fhn_notifications_sent_total", "Notifications pushed to members")

THREAD_EVENTS = {
    "post.created",
    "post.edited",
    "post.deleted",
    "post.restored",
    "post.approved",
    "reaction.added",
    "reaction.removed",
}


POLL_EVENTS = {"poll.voted", "poll.status"}
POLL_EVENT_KEYS = ("type", "thread_id", "post_id", "name", "status", "voters", "counts")


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def thread_group(thread_id: int) -> str:
    return f"thread-{thread_id}"


def space_group(space_id: int) -> str:
    """Sockets reading any thread of the space (told when its visibility changes)."""
    return f"space-{space_id}"


def serialise(notification: Notification, viewer=None) -> dict:
    """A notification for the socket or JSON; with a viewer, what it points at is re-checked."""
    if viewer is not None:
        text, url = kinds.text_for(notification, viewer), kinds.link_for(notification, viewer)
    else:
        text, url = kinds.text_of(notification), kinds.link_of(notification)
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": text,
        "url": url,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def _send_all(messages: list[tuple[str, dict]]) -> None:
    layer = _sender_layer()
    if layer is None or not messages:
        return
    if len(messages) == 1:
        # One group (a thread's readers, almost always): sent from this thread, without the
        # hop to the sender loop and back (fanout.send_to_group_now).
        group, message = messages[0]
        try:
            if fanout.send_to_group_now(layer, group, {**message, "group": group}) is not None:
                return
        except Exception:  # as below: logged, never raised into the committed action
            logger.warning("channel layer send failed for group %s", group, exc_info=True)
            return

    async def send() -> None:
        # Concurrent sends, bounded: a thread with a thousand watchers is a thousand sends.
        limit = asyncio.Semaphore(50)

        async def one(group: str, message: dict) -> None:
            async with limit:
                # Named in the message: each daphne process's hub (realtime) reads many
                # thread groups on one channel and hands a message to that group's sockets.
                await fanout.send_to_group(layer, group, {**message, "group": group})

        await asyncio.gather(*(one(group, message) for group, message in messages))

    _run(send, len(messages))


_sender: tuple[int, asyncio.AbstractEventLoop] | None = None
_sender_lock = threading.Lock()


def _sender_loop() -> asyncio.AbstractEventLoop:
    """This process's one event loop for channel-layer sends, running in a thread of its own.

    Kept for the life of the process (started again after a fork), so channels_redis keeps its
    connection pool for this loop: each send is a Redis round trip, not a new event loop, a new
    thread and a new Redis connection (about 3 ms of the poster's CPU with `async_to_sync`).
    """
    global _sender
    with _sender_lock:
        if _sender is None or _sender[0] != os.getpid() or _sender[1].is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="channel-sender", daemon=True).start()
            _sender = (os.getpid(), loop)
        return _sender[1]


_twin: tuple[object, object] | None = None


def _sender_layer():
    """The channel layer the sender loop uses: a twin of the default one, so that its Redis
    pool belongs to that loop alone (channels_redis's `flush()` and loop-close hooks, called
    from another loop, close every pool they know of). The in-memory layer of tests without
    Redis cannot be twinned: its messages live in the one instance."""
    global _twin
    layer = get_channel_layer()
    if layer is None or isinstance(layer, InMemoryChannelLayer):
        return layer
    if _twin is None or _twin[0] is not layer:
        _twin = (layer, channel_layers.make_backend(DEFAULT_CHANNEL_LAYER))
    return _twin[1]


def _run(send, count: int) -> None:
    future = asyncio.run_coroutine_threadsafe(send(), _sender_loop())
    try:
        future.result(timeout=10)
    except Exception:  # a push that fails is caught up by the client's resume, never lost
        future.cancel()
        logger.warning("channel layer send failed for %d messages", count, exc_info=True)


def unread_counts(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Notification.objects.filter(among("user_id", user_ids), read_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(user_ids, 0)
    counts.update({row["user_id"]: row["n"] for row in rows})
    return counts


def deliver(notifications: list[Delivered], *, unread: dict[int, int] | None = None) -> None:
    """Push new notifications to their members' tabs and email those who are away.

    Runs in the worker after the fan-out task commits (`recording.notify` hands over what it
    wrote, and each member's unread count when its insert counted them). Every member's bell
    update goes to their personal group, all of them written in a few Redis round trips
    (`fanout`).
    """
    if not notifications:
        return
    user_ids = sorted({n.user_id for n in notifications})
    counts = unread if unread is not None else unread_counts(user_ids)
    by_user: dict[int, dict] = {}
    # The rows of one post's fan-out share their data: its text and link are worked out once
    # per kind, not once per watcher.
    worded: dict[tuple, dict] = {}
    for n in notifications:
        entry = by_user.setdefault(n.user_id, {"notifications": [], "unread": counts[n.user_id]})
        key = (n.kind, n.thread_id, id(n.data))
        if key not in worded:
            worded[key] = serialise(n)
        entry["notifications"].append(
            {
                **worded[key],
                "id": n.pk,
                "created_at": n.created_at.isoformat(),
                "read": n.read_at is not None,
            }
        )
    _send_to_members(by_user)
    NOTIFICATIONS_PUSHED.inc(len(notifications))
    webpush.queue_pushes(notifications)
    emailable = [n for n in notifications if kinds.get(n.kind).email]
    if emailable:
        away = set(user_ids) - presence.online_ids(user_ids)
        for n in emailable:
            if n.user_id in away or kinds.get(n.kind).email_always:
                emails.queue_notification_email(n.pk)


def _send_to_members(by_user: dict[int, dict]) -> None:
    layer = _sender_layer()
    if layer is None or not by_user:
        return
    # From this thread (the worker's, once the fan-out commits), as the poster's thread event
    # is: the bell is not handed to the sender loop's thread and waited for.
    try:
        if fanout.send_to_members_now(layer, user_group, "notify.many", by_user) is not None:
            return
    except Exception:  # as below: a push that fails is caught up by the client's resume
        logger.warning("channel layer send failed for %d members", len(by_user), exc_info=True)
        return

    async def send() -> None:
        await fanout.send_to_members(layer, user_group, "notify.many", by_user)

    _run(send, len(by_user))


def unread_changed(user_id: int) -> None:
    """Tell every tab of the member the new unread count (read on one tab, cleared on all)."""
    _send_all(
        [(user_group(user_id), {"type": "unread", "unread": unread_counts([user_id])[user_id]})]
    )


def forward_thread_event(event: dict) -> None:
    """Tell readers of a thread that a post changed; their pages fetch what they may see."""
    kind = event.get("type")
    if kind in THREAD_EVENTS:
        if (
            kind != "post.deleted"
            and event.get("status") != "published"
            and kind != "post.approved"
        ):
            return  # held posts are not announced to readers
        message = {
            "type": "thread.event",
            "event": {
                "type": kind,
                "thread_id": event["thread_id"],
                "post_id": event["post_id"],
                "number": event["number"],
            },
        }
        _send_all([(thread_group(event["thread_id"]), message)])
    elif kind in POLL_EVENTS:
        if not event.get("post_readable"):
            return  # a held, hidden or deleted post's poll is not announced to readers
        # Counts only (and only those everyone reading may see): no voter, no names.
        message = {
            "type": "thread.event",
            "event": {key: event.get(key) for key in POLL_EVENT_KEYS},
        }
        _send_all([(thread_group(event["thread_id"]), message)])
    elif kind == "user.suspended":
        _send_all([(user_group(event["user_id"]), {"type": "session.end"})])
    elif kind in ("review.resolved", "post.flagged") and event.get("status") == "hidden":
        message = {
            "type": "thread.event",
            "event": {
                "type": "post.deleted",
                "thread_id": event["thread_id"],
                "post_id": event["post_id"],
                "number": event["number"],
            },
        }
        _send_all([(thread_group(event["thread_id"]), message)])
    elif kind in MEMBER_ACCESS_EVENTS:
        _send_all([(user_group(event["user_id"]), {"type": "access.recheck"})])
    elif kind in THREAD_ACCESS_EVENTS:
        _send_all([(thread_group(event["thread_id"]), {"type": "access.recheck"})])
    elif kind == "space.visibility_changed":
        _send_all([(space_group(event["space_id"]), {"type": "access.recheck"})])


# What open sockets listen for, beyond THREAD_EVENTS (tests check each is published).
MEMBER_ACCESS_EVENTS = frozenset({"membership.left", "access.changed", "member.verified"})
THREAD_ACCESS_EVENTS = frozenset({"thread.moved", "thread.hidden", "thread.deleted"})
LISTENED_TYPES = (
    THREAD_EVENTS
    | MEMBER_ACCESS_EVENTS
    | THREAD_ACCESS_EVENTS
    | {"user.suspended", "review.resolved", "post.flagged", "space.visibility_changed"}
)
