"""Search latency on PostgreSQL: p50 and p95 for every shape of the search grammar.

Usage: python bench/search.py [--posts 100000] [--runs 50]
       python bench/search.py --national [--runs 30]
Uses (and creates if missing) its own database, fhn_bench_search, on the PostgreSQL at
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/fhn_bench_search).
With --national it uses the 1,000,000-post set of bench/seed_national.py (fhn_national,
seeded first; its text follows real English word frequencies) and every query shape:
one common word, rare words, phrases, @user, #space, tags:, status:, date ranges, and
both orders, as a visitor and as a signed-in member. Beside each query's wall time it
shows the database time of its statements (the time spent waiting on the database
cursor), and the CPU per search of this process and of the PostgreSQL backend serving it
(averaged over the runs; the backend's from /proc, so PostgreSQL must run on this machine).
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
NATIONAL_URL = os.environ.get(
    "BENCH_NATIONAL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fhn_national"
)

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


def national_queries() -> list[str]:
    """Queries of every shape, with words and members picked from the national set."""
    from django.db import connection

    with connection.cursor() as cursor:
        # A prolific author and an ordinary one, by posts in the last year (post_author index).
        cursor.execute(
            "SELECT u.username FROM accounts_user u JOIN LATERAL (SELECT count(*) n FROM"
            " (SELECT 1 FROM forum_post p WHERE p.author_id = u.id ORDER BY p.created_at DESC"
            " LIMIT 2000) x) c ON true WHERE u.id BETWEEN 2 AND 400"
            # An adult: nobody but moderators and the child may search by a child's name.
            " AND u.age_band NOT IN ('13-15', '16-17') ORDER BY c.n DESC LIMIT 1"
        )
        prolific = cursor.fetchone()[0]
    return [
        "people",  # one common word: about 1 post in 12
        "time",
        "support",
        "breastfeeding",  # a domain word: about 1 in 200
        "fountain feminine",  # two rare words
        "bereavement toddler",
        '"health visitor"',  # phrases
        '"we need" support',
        f"@{prolific}",  # filters alone and with words
        f"help @{prolific}",
        "@member-050000 time",  # an ordinary member
        "#national sleep",
        "#london funding",
        "#ask-an-expert order:latest",
        "volunteers tags:rural",
        "tags:send",
        "outreach status:solved",
        "people status:open",
        "status:closed",
        "funding after:2026-01-01 before:2026-03-01",
        "after:2026-11-01",
        "people order:latest",
        "breastfeeding order:latest",
        "support -people",
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


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a local PostgreSQL backend process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--national", action="store_true",
                        help="the national data set (bench/seed_national.py) and every query shape")  # fmt: skip
    parser.add_argument("--only", default="", help="run only the queries containing this text")
    parser.add_argument("--ranked", type=int, default=0,
                        help="what-if: rank this many newest matches per kind instead of "
                             "backends.RANKED_CANDIDATES")  # fmt: skip
    args = parser.parse_args()
    url = NATIONAL_URL if args.national else URL
    if args.national:
        sys.path.insert(0, str(ROOT / "bench"))
        from seed_national import is_seeded

        if not is_seeded(url):
            raise SystemExit("Seed the national set first: .venv/bin/python bench/seed_national.py")
    else:
        ensure_database()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CACHE_PREFIX", f"search-bench-{os.getpid()}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.chdir(ROOT)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if args.national:
        queries = national_queries()
        member = get_user_model().objects.get(username="bench")
    else:
        seed(args.posts)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        queries = QUERIES
        member = get_user_model().objects.get(username="bench1")
    queries = [q for q in queries if args.only in q]
    from community.forum.models import Post
    from community.search import backends
    from community.search.service import search

    if args.ranked:
        backends.RANKED_CANDIDATES = args.ranked

    db_time = [0.0]

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_time[0] += time.perf_counter() - started

    posts = Post.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    print(f"{posts} posts; PostgreSQL {connection.pg_version}; {args.runs} runs; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print("| query | viewer | results | p50 ms | p95 ms | DB p50 ms | app CPU ms | DB CPU ms "
          "| load |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |")  # fmt: skip
    worst = 0.0
    for viewer_name, viewer in (("visitor", AnonymousUser()), ("member", member)):
        for q in queries:
            timings, db = [], []
            search(viewer, q)  # once to warm the caches, as a busy server has them
            app_cpu, db_cpu = time.process_time(), backend_cpu(backend_pid)
            for _ in range(args.runs):
                db_time[0] = 0.0
                with connection.execute_wrapper(timed):
                    started = time.perf_counter()
                    results = search(viewer, q)
                    timings.append((time.perf_counter() - started) * 1000)
                db.append(db_time[0] * 1000)
            # CPU per search, averaged over the runs: this process's (the app server's share)
            # and the PostgreSQL backend's serving it (from /proc: same machine, 10 ms ticks).
            app_cpu = (time.process_time() - app_cpu) * 1000 / args.runs
            db_cpu = (backend_cpu(backend_pid) - db_cpu) * 1000 / args.runs
            timings.sort()
            p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
            worst = max(worst, p95)
            print(f"| `{q}` | {viewer_name} | {len(results.hits)} | "
                  f"{statistics.median(timings):.1f} | {p95:.1f} | {statistics.median(db):.1f} | "
                  f"{app_cpu:.1f} | {db_cpu:.1f} | {os.getloadavg()[0]:.1f} |", flush=True)  # fmt: skip
    print(f"\nworst p95 {worst:.1f} ms")


if __name__ == "__main__":
    main()
