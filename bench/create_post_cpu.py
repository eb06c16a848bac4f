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
Set CREATE_POST_PROFILE=1 for cProfile's top 40 by cumulative time as well.
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
    if os.environ.get("CREATE_POST_PROFILE"):
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(CALLS // 2):
            actions.create_post(author=author, thread=thread, source=TEXT)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())
