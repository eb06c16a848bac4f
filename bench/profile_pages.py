#!/usr/bin/env python
"""Profile the benchmarked pages in-process (cProfile over Django's test Client).

    .venv/bin/python bench/profile_pages.py                      # signed in: latest, region, thread
    .venv/bin/python bench/profile_pages.py --page thread -n 100 --sort tottime
    .venv/bin/python bench/profile_pages.py --anonymous --page latest

Uses the bench database and settings of bench/pages.py (run that first, or with --seed-only,
to create the data set). For each page it prints the queries one request makes, the CPU
time per request without the profiler, and cProfile's top functions. No server is involved:
this shows the view, ORM and template cost, not daphne's or ASGI's (see docs/bench.md).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402  (bench/pages.py: settings, data set and targets)

PAGES = ["bare", "latest", "space", "region", "thread", "big1", "big50"]


def paths(targets: pages.Targets) -> dict[str, str]:
    big = targets.big_thread_path
    return {
        "bare": "/admin/",
        "latest": "/",
        "space": "/s/national/",
        "region": f"/r/{pages.BENCH_REGION}/",
        "thread": targets.thread_path + "?page=1",
        "big1": big + "?page=1",
        "big50": big + f"?page={targets.big_thread_pages}",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--page", action="append", choices=PAGES, help="repeat; default latest, region, thread"
    )
    parser.add_argument("--anonymous", action="store_true", help="profile without signing in")
    parser.add_argument("-n", type=int, default=50, help="requests per page (default 50)")
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime", "ncalls"])
    parser.add_argument("--limit", type=int, default=35, help="rows of the profile to print")
    parser.add_argument("--database-url", default=pages.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=pages.DEFAULT_REDIS_URL)
    parser.add_argument("--cache-prefix", default=pages.DEFAULT_CACHE_PREFIX)
    args = parser.parse_args(argv)

    pages.setup_django(pages.bench_env(args))
    logging.disable(logging.WARNING)  # the 404 logger would otherwise print every request
    if not pages.is_seeded():
        raise SystemExit(
            "No bench data set: run `.venv/bin/python bench/pages.py --seed-only` first."
        )

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client()
    if not args.anonymous:
        client.force_login(get_user_model().objects.get(username=pages.BENCH_USERNAME))
    urls = paths(pages.bench_targets())
    for key in args.page or ["latest", "region", "thread"]:
        path = urls[key]
        for _ in range(5):
            response = client.get(path)
        queries: list[tuple[float, str]] = []

        def record(execute, sql, params, many, context, queries=queries):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append((time.perf_counter() - started, sql))

        with connection.execute_wrapper(record):
            response = client.get(path)
        cpu = []
        for _ in range(5):
            started = time.process_time()
            for _ in range(max(args.n // 5, 1)):
                client.get(path)
            cpu.append((time.process_time() - started) / max(args.n // 5, 1) * 1000)
        print(f"\n=== {key} {path} ({'anonymous' if args.anonymous else 'signed in'})")
        print(
            f"HTTP {response.status_code}, {len(response.content)} bytes, {len(queries)} queries "
            f"({sum(q[0] for q in queries) * 1000:.1f} ms in the database), "
            f"CPU {statistics.median(cpu):.1f} ms/request unprofiled (median of 5 batches)"
        )
        for seconds, sql in queries:
            print(f"  {seconds * 1000:6.2f} ms  {sql[:110]}")
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.n):
            client.get(path)
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(args.sort).print_stats(args.limit)
        text = out.getvalue()
        print(text[text.index("   ncalls") :] if "   ncalls" in text else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
