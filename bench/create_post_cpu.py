"""CPU per `create_post` in the poster's process, and where it goes (issue 15).

Run it through pytest, so it gets the test database and fixtures (it is not collected by
`make test`: its name does not start with test_):

    DJANGO_SETTINGS_MODULE=config.settings \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fhn_x REDIS_URL=redis://127.0.0.1:6379/N \
        .venv/bin/python -m pytest bench/create_post_cpu.py -p tests.conftest -s -q

It is the production layout for the poster: the database task queue (nothing runs in the
request but the enqueueing), the Redis cache and channel layer, real commits. It prints the
median CPU time (`time.process_time`, so every thread of the process counts, including the
channel-layer sender) of 200 calls after 10 warm-up calls, the median wall time of the call and
of the moment the readers' thread event has been sent, then the median CPU of each part: the
recorders inside the transaction, each after-commit subscriber, and all after-commit work.
Set CREATE_POST_PROFILE=1 for cProfile's top 40 by cumulative time as well, and
CREATE_POST_TIMELINE=1 for a timeline of one call: each PostgreSQL round trip (psycopg's
`wait`, labelled with the statement it belongs to; BEGIN and COMMIT are round trips of their
own), each Redis command or pipeline (the cache's and the channel layer's) and the action's
steps, as median offsets from the call's start over the calls.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import time
from collections import defaultdict

import pytest

from community import events
from community.forum import actions
from tests.factories import make_thread, make_user, national

CALLS = int(os.environ.get("CREATE_POST_CALLS", 200))
TEXT = (
    "A reply with **some** Markdown, a link https://example.org/page and a few words to "
    "index, as a practitioner might write it. "
) * 3


def _name(subscriber) -> str:
    return f"{getattr(subscriber, '__module__', '')}.{getattr(subscriber, '__qualname__', '')}"


@pytest.mark.django_db(transaction=True)
def test_create_post_cpu(network, db_tasks, settings, monkeypatch):
    settings.POSTS_PER_MINUTE = 10**6
    settings.NEW_MEMBER_POSTS_HELD = 0
    author = make_user(trust_level=2)
    thread = make_thread(space=national(), author=make_user())
    parts: dict[str, list[float]] = defaultdict(list)

    def timed(name, function):
        def run(*args, **kwargs):
            started = time.process_time()
            function(*args, **kwargs)
            parts[name].append((time.process_time() - started) * 1000)

        return run

    monkeypatch.setattr(events, "_recorders", [timed("in transaction: " + _name(r), r) for r in events._recorders])  # fmt: skip
    monkeypatch.setattr(events, "_subscribers", [timed("after commit: " + _name(s), s) for s in events._subscribers])  # fmt: skip
    monkeypatch.setattr(events, "_deliver", timed("after commit, all (incl. enqueues)", events._deliver))  # fmt: skip
    from notifications import push

    send_all, sent_at = push._send_all, []

    def marked(messages, *rest):
        send_all(messages, *rest)
        sent_at.append(time.perf_counter())

    monkeypatch.setattr(push, "_send_all", marked)
    for _ in range(10):
        actions.create_post(author=author, thread=thread, source=TEXT)
    parts.clear()
    calls, walls, to_send = [], [], []
    for _ in range(CALLS):
        sent_at.clear()
        started, wall = time.process_time(), time.perf_counter()
        actions.create_post(author=author, thread=thread, source=TEXT)
        calls.append((time.process_time() - started) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        to_send.append((sent_at[0] - wall) * 1000)
    print(f"\ncreate_post CPU ms over {CALLS} calls: median {statistics.median(calls):.2f}, "
          f"mean {statistics.mean(calls):.2f}, min {min(calls):.2f}")  # fmt: skip
    print(f"wall ms: the call {statistics.median(walls):.2f}, the thread event sent "
          f"{statistics.median(to_send):.2f} after the call started (medians)")  # fmt: skip
    for name, values in parts.items():
        print(f"  {name}: median {statistics.median(values):.2f}")
    if os.environ.get("CREATE_POST_TIMELINE"):
        _timeline(author, thread, monkeypatch, sent_at)
    if os.environ.get("CREATE_POST_PROFILE"):
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(CALLS // 2):
            actions.create_post(author=author, thread=thread, source=TEXT)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(
            os.environ.get("CREATE_POST_PROFILE_SORT", "cumulative")
        ).print_stats(40)
        print(out.getvalue())


def _timeline(author, thread, monkeypatch, sent_at) -> None:
    """Median offsets (ms from the call's start) of every round trip and step in create_post."""
    import psycopg
    import redis.asyncio.client as aredis
    import redis.client as sredis
    from django.db import connection

    marks: list[tuple[str, float, float]] = []
    label = ["BEGIN"]

    def wrapper(execute, sql, params, many, context):
        label[0] = " ".join(sql.split()[:4])[:60]
        try:
            return execute(sql, params, many, context)
        finally:
            label[0] = "COMMIT?"

    wait = psycopg.Connection.wait

    def timed_wait(self, gen, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return wait(self, gen, *args, **kwargs)
        finally:
            marks.append(("pg: " + label[0], t0, time.perf_counter()))

    def sync_timed(name, function):
        def run(self, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return function(self, *args, **kwargs)
            finally:
                what = args[0] if args and isinstance(args[0], str) else name
                marks.append((f"redis: {what}", t0, time.perf_counter()))

        return run

    def async_timed(name, function):
        async def run(self, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return await function(self, *args, **kwargs)
            finally:
                what = args[0] if args and isinstance(args[0], str) else name
                marks.append((f"redis (sender): {what[:20]}", t0, time.perf_counter()))

        return run

    def step(name, function):
        def run(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                marks.append((f"step: {name}", t0, time.perf_counter()))

        return run

    monkeypatch.setattr(psycopg.Connection, "wait", timed_wait)
    monkeypatch.setattr(sredis.Redis, "execute_command", sync_timed("cmd", sredis.Redis.execute_command))  # fmt: skip
    monkeypatch.setattr(sredis.Pipeline, "execute", sync_timed("pipeline", sredis.Pipeline.execute))  # fmt: skip
    monkeypatch.setattr(aredis.Redis, "execute_command", async_timed("cmd", aredis.Redis.execute_command))  # fmt: skip
    monkeypatch.setattr(aredis.Pipeline, "execute", async_timed("pipeline", aredis.Pipeline.execute))  # fmt: skip
    for name in ("_render", "_check_rate", "_screen", "record_read", "publish_on_commit"):
        monkeypatch.setattr(actions, name, step(name, getattr(actions, name)))
    runs = []
    with connection.execute_wrapper(wrapper):
        for _ in range(CALLS // 2):
            marks.clear()
            sent_at.clear()
            label[0] = "BEGIN"
            wall = time.perf_counter()
            actions.create_post(author=author, thread=thread, source=TEXT)
            end = time.perf_counter()
            runs.append(
                [(n, (a - wall) * 1000, (b - wall) * 1000) for n, a, b in marks]
                + [("(thread event sent)", (sent_at[0] - wall) * 1000, (sent_at[0] - wall) * 1000)]
                + [("(call returns)", (end - wall) * 1000, (end - wall) * 1000)]
            )
    shape = [n for n, _a, _b in runs[-1]]
    same = [r for r in runs if [n for n, _a, _b in r] == shape]
    print(
        f"\ntimeline of create_post, medians of {len(same)} of {len(runs)} calls (ms from the call's start):"
    )
    print(f"  {'start':>7} {'end':>7} {'took':>6}  what")
    for i, name in enumerate(shape):
        start = statistics.median(r[i][1] for r in same)
        end = statistics.median(r[i][2] for r in same)
        took = statistics.median(r[i][2] - r[i][1] for r in same)
        print(f"  {start:7.2f} {end:7.2f} {took:6.2f}  {name}")
