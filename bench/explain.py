#!/usr/bin/env python
"""EXPLAIN every query of the hot pages at national size; fail on a sequential scan.

    .venv/bin/python bench/explain.py                    # against fhn_national (seed it first)
    .venv/bin/python bench/explain.py --verbose          # print every query's plan summary

Each page is requested once through Django's test client, signed in as the bench reader
(and a few as a visitor), with an empty cache (a fresh cache prefix) so every query the
page can run is run. The queries are captured (CaptureQueriesContext) and each is
EXPLAINed on the same database: SELECTs with ANALYZE, so the table shows the database
time of the page beside its wall time; writes without it, so nothing changes. A
sequential scan of a table holding more than --large rows (planner statistics) fails
the check; small tables (spaces, topics, regions) are read whole on purpose.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
for path in (str(BASE_DIR), str(BENCH_DIR)):
    if path not in sys.path:
        sys.path.insert(0, path)

import pages as page_bench  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fhn_national"
SEARCHES = [
    "family",
    "the",
    "breastfeeding peer support",
    '"health visitor" referral',
    "transport @member-000042",
    "sleep #national",
    "volunteers tags:rural",
    "outreach status:solved",
    "after:2026-01-01 before:2026-06-01 funding",
    "funding order:latest",
]


def plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=page_bench.DEFAULT_REDIS_URL)
    parser.add_argument("--large", type=int, default=20_000,
                        help="a table with more rows than this must not be scanned whole")  # fmt: skip
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    return parser.parse_args(argv)


def targets() -> list[tuple[str, str, bool]]:
    """(name, path, signed in) of each page checked."""
    from django.conf import settings

    from community.forum.models import Thread

    national = (
        Thread.objects.filter(space__slug="national", post_count__gte=15, post_count__lte=30)
        .order_by("-last_post_at")
        .first()
    )
    big = Thread.objects.get(title=page_bench.BIG_THREAD_TITLE)
    per_page = settings.FORUM_POSTS_PER_PAGE
    last_page = (big.highest_post_number + per_page - 1) // per_page
    pages = [
        ("thread", national.get_absolute_url(), True),
        ("thread (visitor)", national.get_absolute_url(), False),
        ("1,000-post thread, middle", f"{big.get_absolute_url()}?page={last_page // 2}", True),
        ("1,000-post thread, last", f"{big.get_absolute_url()}?page={last_page}", True),
        ("latest", "/", True),
        ("latest (visitor)", "/", False),
        ("latest, page 50", "/?page=50", True),
        ("region list", f"/r/{page_bench.BENCH_REGION}/", True),
        ("national space", "/s/national/", True),
        ("notifications", "/notifications/", True),
        ("library", "/library/", True),
        ("bookmarks", "/bookmarks/", True),
    ]
    from urllib.parse import urlencode

    for q in SEARCHES:
        pages.append((f"search {q}", "/search/?" + urlencode({"q": q}), True))
    pages.append(("search family (visitor)", "/search/?q=family", False))
    return pages


def main(argv=None) -> int:
    args = parse_args(argv)
    args.cache_prefix = f"explain-{os.getpid()}-{int(time.time())}"  # an empty cache
    env = page_bench.bench_env(args)
    if not (page_bench.WORK_DIR / "static" / "staticfiles.json").exists():
        # DEBUG=0 renders pages through the static files' manifest, as bench/pages.py does.
        page_bench.manage(env, "collectstatic", "--noinput")
    page_bench.setup_django(env)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    logging.disable(logging.WARNING)  # the request log and 4xx warnings, not the plans
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
        rows = {name: tuples for name, tuples in cursor.fetchall()}
    large = {name for name, tuples in rows.items() if tuples > args.large}
    bench = get_user_model().objects.get(username=page_bench.BENCH_USERNAME)
    member, visitor = Client(), Client()
    member.force_login(bench)
    failures, report = [], []
    print(f"Large tables (> {args.large:,} rows): {', '.join(sorted(large))}\n")
    print("| page | status | queries | wall ms | DB ms (EXPLAIN ANALYZE) | slowest query ms |"
          " seq scans of large tables |\n| --- | --- | --- | --- | --- | --- | --- |")  # fmt: skip
    for name, path, signed_in in targets():
        client = member if signed_in else visitor
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            wall = (time.perf_counter() - started) * 1000
        db_ms, slowest, scans = 0.0, 0.0, []
        for query in captured.captured_queries:
            sql = query["sql"]
            verb = sql.lstrip().split(None, 1)[0].upper()
            if verb not in ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE"):
                continue
            analyze = verb in ("SELECT", "WITH")
            with connection.cursor() as cursor:
                options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
                cursor.execute(f"EXPLAIN ({options}) {sql}")
                plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            ms = plan.get("Execution Time", 0.0) + plan.get("Planning Time", 0.0)
            db_ms += ms
            slowest = max(slowest, ms)
            for node in plan_nodes(plan["Plan"]):
                if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in large:
                    scans.append(node["Relation Name"])
                    failures.append((name, node["Relation Name"], sql))
            if args.verbose:
                types = sorted({n["Node Type"] for n in plan_nodes(plan["Plan"])})
                print(f"    {ms:7.1f} ms {', '.join(types)}: {sql[:200]}")
        report.append({"page": name, "path": path, "status": response.status_code,
                       "queries": len(captured.captured_queries), "wall_ms": round(wall, 1),
                       "db_ms": round(db_ms, 1), "slowest_ms": round(slowest, 1),
                       "seq_scans": scans})  # fmt: skip
        print(f"| {name} | {response.status_code} | {len(captured.captured_queries)} | "
              f"{wall:.0f} | {db_ms:.1f} | {slowest:.1f} | {', '.join(scans) or 'none'} |",
              flush=True)  # fmt: skip
    print(f"\nload average {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    for name, table, sql in failures:
        print(f"\nFAIL {name}: sequential scan of {table}\n  {sql[:2000]}")
    bad = [r for r in report if r["status"] >= 500]
    for r in bad:
        print(f"FAIL {r['page']}: status {r['status']}")
    return 1 if failures or bad else 0


if __name__ == "__main__":
    sys.exit(main())
