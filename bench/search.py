"""Search latency on PostgreSQL with 100,000 posts: p50 and p95 for realistic queries.

Usage: python bench/search.py [--posts 100000] [--runs 50]
Uses (and creates if missing) its own database, fhn_bench_search, on the PostgreSQL at
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/fhn_bench_search).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fhn_bench_search")

WORDS = (
    "family hub parents carers children baby infant feeding breastfeeding perinatal mental "
    "health outreach rural transport minibus volunteers peer support speech language early "
    "years nursery school attendance youth worker send autism assessment waiting list "
    "referral pathway midwife health visitor domestic abuse housing debt advice food bank "
    "digital offer website start for life evaluation outcomes commissioning budget staff "
    "training supervision safeguarding consent data sharing co-production young people "
    "dads fathers grandparents kinship foster care reducing parental conflict sleep play "
    "stay group session drop-in evening weekend library leaflet translation interpreter"
).split()
QUERIES = [
    "breastfeeding peer support",
    "rural outreach transport",
    '"health visitor" referral',
    "safeguarding consent @bench1",
    "send assessment waiting order:latest",
    "volunteers tags:rural",
    "sleep",
]


def ensure_database() -> None:
    import psycopg

    parsed = urlparse(URL)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def seed(total_posts: int) -> None:
    from django.utils import timezone

    from community.forum.models import Post, Space, Thread, Topic
    from community.search.indexing import rebuild
    from tests.factories import make_user

    if Post.objects.count() >= total_posts:
        return
    rng = random.Random(8)
    authors = [make_user(username=f"bench{i}") for i in range(20)]
    spaces = list(Space.objects.all())
    topics = list(Topic.objects.all())
    per_thread = 10
    now = timezone.now()
    threads = Thread.objects.bulk_create(
        Thread(
            space=rng.choice(spaces), topic=rng.choice(topics),
            title=sentence(rng, 6)[:-1], slug=f"bench-{i}", author=rng.choice(authors),
            post_count=per_thread, highest_post_number=per_thread,
            created_at=now - timezone.timedelta(minutes=i * 7), last_post_at=now,
        )
        for i in range(total_posts // per_thread)
    )  # fmt: skip
    for thread in threads[::25]:
        thread.tags.add("rural")
    batch = []
    for thread in threads:
        for number in range(1, per_thread + 1):
            text = " ".join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 6)))
            batch.append(
                Post(thread=thread, number=number, author=rng.choice(authors), source=text,
                     html=f"<p>{text}</p>", text=text,
                     created_at=thread.created_at + timezone.timedelta(minutes=number))
            )  # fmt: skip
        if len(batch) >= 5000:
            Post.objects.bulk_create(batch)
            batch = []
    Post.objects.bulk_create(batch)
    started = time.perf_counter()
    count = rebuild("post")
    print(f"indexed {count} posts in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    ensure_database()
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.chdir(ROOT)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    seed(args.posts)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from community.forum.models import Post
    from community.search.service import search

    member = get_user_model().objects.get(username="bench1")
    print(f"{Post.objects.count()} posts; PostgreSQL {connection.pg_version}; {args.runs} runs")
    print("| query | viewer | results | p50 ms | p95 ms |\n| --- | --- | --- | --- | --- |")
    for viewer_name, viewer in (("visitor", AnonymousUser()), ("member", member)):
        for q in QUERIES:
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                results = search(viewer, q)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"| `{q}` | {viewer_name} | {len(results.hits)} | "
                  f"{statistics.median(timings):.1f} | {p95:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
