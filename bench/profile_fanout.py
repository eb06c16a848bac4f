"""Where the worker's fan-out task spends its time for one post in a busy thread.

    python bench/profile_fanout.py [--watchers 5000] [--runs 3] [--profile] [--hubs 4]

Runs in one process against PostgreSQL and Redis (the `bench/live.py` data set:
BENCH_DATABASE_URL, BENCH_REDIS_URL). It starts a thread that `--watchers` members watch,
posts to it (the request's part: the post and its task row), then calls the fan-out task's
function directly, as the worker would, and prints its wall and CPU time per stage: who is
told, the rows written, the bells sent. With `--hubs N` the watchers' personal
groups are first joined to N fake daphne "hub" channels in Redis, as N daphne processes
holding their sockets would have them, so the bell send does the work it does in production
(nobody reads those channels; their messages expire). Figures, not a timed test.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hubs", type=int, default=4, help="fake daphne hub channels (0: none)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--wall", action="store_true", help="profile wall time, not CPU")
    args = parser.parse_args()

    import live  # bench/live.py: the same database, environment and members
    from _livesetup import watched_thread

    live.ensure_database()
    live.configure_environment()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from community.forum.actions import create_post
    from community.forum.models import Space, Topic
    from notifications import push, tasks

    author, watchers = live.seed_members(args.watchers)
    space = Space.objects.filter(slug="national").first()
    topic = Topic.objects.order_by("slug").first()
    if space is None or topic is None:
        sys.exit("No national space or topic: run bench/live.py once to seed its data set.")
    thread = watched_thread(
        author=author, space=space, topic=topic, title="Fan-out profile",
        source="The thread everybody watches.", watchers=watchers,
    )  # fmt: skip
    layer = get_channel_layer()
    hubs = [f"{layer.prefix}hubprofile{n}!hub" for n in range(args.hubs)]
    if hubs:

        async def join() -> None:
            for i, member in enumerate(watchers):
                await layer.group_add(push.user_group(member.pk), hubs[i % len(hubs)])

        async_to_sync(join)()

    walls, cpus = [], []
    profiler = (
        cProfile.Profile(time.perf_counter if args.wall else time.process_time)
        if args.profile
        else None
    )
    for i in range(args.runs):
        post = create_post(author=author, thread=thread, source=f"Profiled reply {i}.")
        event = {
            "type": "post.created",
            "post_id": post.pk,
            "thread_id": thread.pk,
            "space_id": space.pk,
            "author_id": author.pk,
            "status": "published",
        }
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler and i == args.runs - 1:
            profiler.enable()
        tasks.fan_out.func(event)
        if profiler and i == args.runs - 1:
            profiler.disable()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        print(
            f"run {i + 1}: fan-out to {len(watchers)} watchers {walls[-1]:.0f} ms wall, {cpus[-1]:.0f} ms CPU"
        )
    print(
        f"median: {statistics.median(walls):.0f} ms wall, {statistics.median(cpus):.0f} ms CPU"
        f" (load {os.getloadavg()[0]:.1f})"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
            args.limit
        )
    if hubs:

        async def leave() -> None:
            for i, member in enumerate(watchers):
                await layer.group_discard(push.user_group(member.pk), hubs[i % len(hubs)])

        async_to_sync(leave)()


if __name__ == "__main__":
    main()
