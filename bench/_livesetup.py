"""The live benches' shared setup: a thread started by the bench author, watched by members.

Used by bench/live.py (its three measurements) and bench/profile_fanout.py, which profile
the same thing: a post in a thread its watchers follow.
"""

from __future__ import annotations

import time


def watched_thread(*, author, space, topic, title: str, source: str, watchers) -> object:
    """Start a thread titled `title` and a timestamp, and have each of `watchers` watch it
    (Subscription level WATCHING, in one bulk insert)."""
    from community.forum.actions import start_thread
    from notifications.models import Level, Subscription

    thread = start_thread(
        author=author, space=space, topic=topic, title=f"{title} {int(time.time())}",
        source=source,
    )  # fmt: skip
    Subscription.objects.bulk_create(
        [
            Subscription(
                user=user, target=Subscription.Target.THREAD, target_id=thread.pk,
                level=Level.WATCHING,
            )
            for user in watchers
        ],
        batch_size=1000,
    )  # fmt: skip
    return thread
