#!/usr/bin/env python
"""CPU per request of the benchmarked pages through Django's WSGI handler, in one process.

    .venv/bin/python bench/profile_wsgi.py                       # thread, latest, region
    .venv/bin/python bench/profile_wsgi.py --page thread --profile --sort tottime

Calls the production WSGI application (config/wsgi.py, the middleware and all) in a loop with
a signed-in browser's cookies (session and CSRF), cycling over the same spread of threads and
list pages as bench/pages.py, and counts CPU time (time.process_time), not wall time: the
machine is shared, and CPU time is what a page costs the server. No HTTP server, socket or
load generator is involved, so the figure is the application's own cost; PostgreSQL and
Redis are real (their CPU is theirs, not counted here). Uses bench/pages.py's data set.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import logging
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402  (bench/pages.py: settings, data set and targets)

PAGES = [
    "bare",
    "latest",
    "region",
    "thread",
    "big1",
    "big50",
    "notifications",
    "library",
    "search",
]


def _paths(targets: pages.Targets) -> dict[str, list[str]]:
    big = targets.big_thread_path
    return {
        "bare": ["/admin/"],
        "latest": targets.latest_paths,
        "region": targets.region_paths,
        "thread": targets.thread_paths,
        "big1": [big + "?page=1"],
        "big50": [big + f"?page={targets.big_thread_pages}"],
        "notifications": targets.notification_paths,
        "library": targets.library_paths,
        "search": targets.search_paths,
    }


def _cookies() -> str:
    """A signed-in browser's Cookie header: a session for the bench reader and a CSRF cookie."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.get("/accounts/login/")  # sets the CSRF cookie, as the bench's real sign-in does
    client.force_login(get_user_model().objects.get(username=pages.BENCH_USERNAME))
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


def _environ(path: str, cookie: str) -> dict:
    from io import BytesIO

    path_info, _sep, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_COOKIE": cookie,
        "HTTP_ACCEPT": "text/html",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _services_cpu() -> tuple[float, float]:
    """CPU seconds used so far by the bench database's PostgreSQL backends (this process's
    pool: nobody else uses that database during a run) and by the Redis server (all of it)."""
    import os

    from django.core.cache import cache
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = [row[0] for row in cursor.fetchall()]
    ticks = os.sysconf("SC_CLK_TCK")
    pg = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # not on this machine, or gone
        pg += (int(fields[11]) + int(fields[12])) / ticks
    info = cache._cache.get_client().info("cpu")
    return pg, float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--page", action="append", choices=PAGES, help="repeat; default thread, latest, region"
    )
    parser.add_argument("--anonymous", action="store_true")
    parser.add_argument("-n", type=int, default=400, help="requests per batch (default 400)")
    parser.add_argument("--batches", type=int, default=5, help="batches; the median is printed")
    parser.add_argument("--spread", type=int, default=200)
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile's top functions (CPU timer)"
    )
    parser.add_argument("--sort", default="tottime", choices=["cumulative", "tottime", "ncalls"])
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--dump", type=Path, help="with --profile: also write the stats here")
    parser.add_argument(
        "--services",
        action="store_true",
        help="also print PostgreSQL's CPU per request (the bench database's backends, read "
        "from /proc) and Redis's (INFO cpu: the whole server, so others' use counts too)",
    )
    parser.add_argument("--database-url", default=pages.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=pages.DEFAULT_REDIS_URL)
    parser.add_argument("--cache-prefix", default=pages.DEFAULT_CACHE_PREFIX)
    args = parser.parse_args(argv)

    pages.setup_django(pages.bench_env(args))
    logging.disable(logging.WARNING)
    if not pages.is_seeded():
        raise SystemExit(
            "No bench data set: run `.venv/bin/python bench/pages.py --seed-only` first."
        )

    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    application = get_wsgi_application()
    cookie = "" if args.anonymous else _cookies()
    all_paths = _paths(pages.bench_targets(args.spread))
    statuses: dict[int, int] = {}

    def start_response(status, headers, exc_info=None):
        code = int(status.split(" ", 1)[0])
        statuses[code] = statuses.get(code, 0) + 1

    def request(path: str) -> bytes:
        response = application(_environ(path, cookie), start_response)
        try:
            return b"".join(response)
        finally:
            getattr(response, "close", lambda: None)()

    print(f"{'signed in' if cookie else 'anonymous'}, {args.batches} batches of {args.n}")
    for key in args.page or ["thread", "latest", "region"]:
        paths = all_paths[key]
        for path in paths:  # primed, as the bench's runs are
            request(path)
        statuses.clear()
        queries: list[str] = []

        def record(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            body = request(paths[0])
        cycle = itertools.cycle(paths)
        cpu, pg_cpu, redis_cpu = [], [], []
        for _ in range(args.batches):
            services = _services_cpu() if args.services else None
            started = time.process_time()
            for _ in range(args.n):
                request(next(cycle))
            cpu.append((time.process_time() - started) / args.n * 1000)
            if services is not None:
                pg, redis = _services_cpu()
                pg_cpu.append((pg - services[0]) / args.n * 1000)
                redis_cpu.append((redis - services[1]) / args.n * 1000)
        print(
            f"{key:13} {len(paths):4} paths  {len(body):7} bytes  {len(queries)} queries  "
            f"CPU ms/request median {statistics.median(cpu):.2f} (min {min(cpu):.2f}, "
            f"max {max(cpu):.2f})  statuses {statuses}"
        )
        if args.services:
            print(
                f"{'':13} PostgreSQL CPU ms/request median {statistics.median(pg_cpu):.2f} "
                f"(min {min(pg_cpu):.2f}), Redis {statistics.median(redis_cpu):.2f} "
                f"(min {min(redis_cpu):.2f})"
            )
        if args.profile:
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(args.n):
                request(next(cycle))
            profile.disable()
            if args.dump:
                profile.dump_stats(args.dump.with_suffix(f".{key}.prof"))
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.limit)
            text = out.getvalue()
            print(text[text.index("   ncalls") :] if "   ncalls" in text else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
