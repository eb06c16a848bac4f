#!/usr/bin/env python
"""Benchmark the insight dashboard at the bench data set's size (41,000 posts) on PostgreSQL.

    .venv/bin/python bench/insight.py                     # seed (once), then time the pages
    .venv/bin/python bench/insight.py --requests 30

Seeds the forum exactly as bench/pages.py does (2,000 threads of 20 posts plus one of 1,000),
then adds the rest of the network at a matching scale: library resources with credits,
events with registrations, training proposals, SupportLine requests, flags, held posts,
safeguarding concerns and appeals. Pages are requested in-process through Django's test
client as a signed-in member of centre staff (so no network or server start-up is timed),
and the table shows the median and 95th percentile time per page with the CPU this process
spent per request beside it (the database's own CPU is not in it). See docs/insight.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench import pages  # noqa: E402  (needs the path above)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fhn_insight_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/6"
WORK_DIR = Path(tempfile.gettempdir()) / "fhn-insight-bench"
STAFF_EMAIL = "insight-staff@bench.example"
MARKER_EVENT = "Bench insight event 0"
TARGET_MS = 300


def seed_network(rng: random.Random) -> None:
    """The rest of the network, beside the forum's bench data set, in bulk."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from community.accounts.models import Region
    from community.forum.models import Post, Status, Topic
    from community.library.models import Credit, Resource, ResourceVersion
    from community.moderation.models import (
        Flag,
        ReviewItem,
        SafeguardingConcern,
        SafeguardingNote,
    )
    from community.privacy.models import Appeal
    from community.supportline.models import ConsultationRequest
    from community.training.models import Event, Proposal, Registration

    User = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        staff = User.objects.create_user(
            username="insight-staff", email=STAFF_EMAIL, password="x", role=User.Role.STAFF,
            display_name="Insight Staff",
        )  # fmt: skip
        members = list(User.objects.exclude(pk=staff.pk).order_by("pk")[:300])
        regions = list(Region.objects.all())
        topics = list(Topic.objects.all())
        posts = list(Post.objects.order_by("?").values_list("pk", flat=True)[:3000])

        resources = Resource.objects.bulk_create(
            Resource(
                title=f"Bench resource {i}", slug=f"bench-resource-{i}", summary="s", source="b",
                owner=staff, state=Resource.State.PUBLISHED,
                published_at=now - timedelta(days=rng.randint(1, 400)),
                evidence_rating=rng.choice(Resource.EvidenceRating.values),
                type=rng.choice(Resource.Type.values), is_national=i % 3 != 0,
                next_review_at=(now + timedelta(days=rng.randint(-60, 300))).date(),
            )
            for i in range(400)
        )  # fmt: skip
        versions = ResourceVersion.objects.bulk_create(
            ResourceVersion(resource=r, number=1, title=r.title, summary="s", source="b",
                            html="<p>b</p>", published_by=staff)
            for r in resources
        )  # fmt: skip
        for r, v in zip(resources, versions, strict=True):
            r.current_version = v
        Resource.objects.bulk_update(resources, ["current_version"])
        Resource.topics.through.objects.bulk_create(
            Resource.topics.through(resource_id=r.pk, topic_id=t.pk)
            for r in resources
            for t in rng.sample(topics, 2)
        )
        Resource.regions.through.objects.bulk_create(
            Resource.regions.through(resource_id=r.pk, region_id=rng.choice(regions).pk)
            for r in resources
            if not r.is_national
        )
        Credit.objects.bulk_create(
            Credit(resource=r, user=u, role=rng.choice(Credit.Role.values))
            for r in resources[:150]
            for u in rng.sample(members, 3)
        )

        starts = [now - timedelta(days=rng.randint(-30, 200)) for _ in range(150)]
        events = Event.objects.bulk_create(
            Event(
                title=f"Bench insight event {i}", description="d", starts_at=start,
                ends_at=start + timedelta(hours=2), capacity=60, created_by=staff,
                region=rng.choice([None, *regions]),
            )
            for i, start in enumerate(starts)
        )  # fmt: skip
        Registration.objects.bulk_create(
            Registration(
                event=e, user=u,
                status=rng.choice(["confirmed"] * 4 + ["waitlisted", "cancelled"]),
                attended=rng.choice([True, True, False, None]),
            )
            for e in events
            for u in rng.sample(members, 30)
        )  # fmt: skip
        Proposal.objects.bulk_create(
            Proposal(title=f"Proposal {i}", description="d", proposer=rng.choice(members),
                     topic=rng.choice(topics), support_count=rng.randint(0, 40),
                     created_at=now - timedelta(days=rng.randint(0, 200)))
            for i in range(250)
        )  # fmt: skip
        requests = ConsultationRequest.objects.bulk_create(
            ConsultationRequest(
                reference=f"SL-BENCH-{i:05d}", requester=rng.choice(members),
                organisation="Hub", region=rng.choice(regions), stage="delivering",
                question="q", question_html="<p>q</p>",
                status=rng.choice(ConsultationRequest.Status.values),
                created_at=now - timedelta(days=rng.randint(0, 200)),
                first_response_due_at=now - timedelta(days=rng.randint(-5, 195)),
                first_responded_at=None if i % 5 == 0
                else now - timedelta(days=rng.randint(0, 199)),
            )
            for i in range(800)
        )  # fmt: skip
        ConsultationRequest.topics.through.objects.bulk_create(
            ConsultationRequest.topics.through(consultationrequest_id=r.pk, topic_id=t.pk)
            for r in requests
            for t in rng.sample(topics, 2)
        )
        Flag.objects.bulk_create(
            Flag(post_id=p, flagger=rng.choice(members), reason=rng.choice(Flag.Reason.values),
                 outcome=rng.choice(Flag.Outcome.values),
                 created_at=now - timedelta(days=rng.randint(0, 120)))
            for p in posts[:1200]
        )  # fmt: skip
        Post.objects.filter(pk__in=posts[1200:1600]).update(status=Status.HELD)
        ReviewItem.objects.bulk_create(
            ReviewItem(kind=ReviewItem.Kind.HELD_POST, post_id=p, state="approved",
                       created_at=now - timedelta(days=rng.randint(0, 120)))
            for p in posts[1200:1600]
        )  # fmt: skip
        concerns = SafeguardingConcern.objects.bulk_create(
            SafeguardingConcern(post_id=p, raised_by=staff,
                                created_at=now - timedelta(days=rng.randint(1, 120)))
            for p in posts[1600:1660]
        )  # fmt: skip
        SafeguardingNote.objects.bulk_create(
            SafeguardingNote(concern=c, author=staff, text="n",
                             created_at=c.created_at + timedelta(hours=rng.randint(0, 48)))
            for c in concerns
            for _ in range(2)
        )  # fmt: skip
        Appeal.objects.bulk_create(
            Appeal(post_id=p, appellant=rng.choice(members), decision="hide", statement="s",
                   state=rng.choice(Appeal.State.values),
                   created_at=now - timedelta(days=rng.randint(0, 120)))
            for p in posts[1660:1760]
        )  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    pages.log("Seeded the rest of the network for insight.")


def timed(client, path: str, params: dict, n: int) -> dict:
    client.get(path, params)  # warm: templates, caches
    walls, cpus = [], []
    for _ in range(n):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path, params)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    walls.sort()
    return {
        "median": statistics.median(walls),
        "p95": walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))],
        "cpu": statistics.median(cpus),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--cache-prefix", default="insight-bench")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--reseed", action="store_true", help="drop and recreate the database")
    args = parser.parse_args(argv)

    env = pages.bench_env(args)
    env.update(STATIC_ROOT=str(WORK_DIR / "static"), VAR_DIR=str(WORK_DIR / "var"),
               MEDIA_ROOT=str(WORK_DIR / "media"))  # fmt: skip
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    pages.ensure_database(args.database_url, drop=args.reseed)
    pages.log("Migrating the bench database...")
    pages.manage(env, "migrate", "--noinput")
    pages.manage(env, "collectstatic", "--noinput")
    pages.setup_django(env)
    if not pages.is_seeded():
        pages.seed()

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from community.accounts.models import Region
    from community.forum.models import Post, Topic
    from community.training.models import Event

    if not Event.objects.filter(title=MARKER_EVENT).exists():
        seed_network(random.Random(19))
    staff = get_user_model().objects.get(email=STAFF_EMAIL)
    client = Client()
    client.force_login(staff)

    today = timezone.localdate()
    year = {"start": (today - timedelta(days=364)).isoformat(), "end": today.isoformat()}
    narrowed = {"region": Region.objects.get(slug="london").pk,
                "topic": Topic.objects.order_by("slug").first().pk}  # fmt: skip
    cases = [
        ("Dashboard, last 90 days", "/insight/", {}),
        ("Dashboard, a year", "/insight/", year),
        ("Dashboard, a year, London, one topic", "/insight/", {**year, **narrowed}),
        ("Report page, a year", "/insight/report/", year),
        ("CSV pack, a year", "/insight/report/figures.zip", year),
    ]
    posts = Post.objects.count()
    pages.log(f"\n{posts:,} posts; {args.requests} requests per page, in-process, PostgreSQL.")
    pages.log(f"{'page':<40} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8}")
    worst = 0.0
    for label, path, params in cases:
        result = timed(client, path, params, args.requests)
        worst = max(worst, result["median"])
        pages.log(
            f"{label:<40} {result['median']:>10.0f} {result['p95']:>8.0f} {result['cpu']:>8.0f}"
        )
    from community.insight import selectors
    from community.insight.filters import Filters

    filters = Filters(start=today - timedelta(days=364), end=today)
    walls, cpus = [], []
    for _ in range(args.requests):
        wall, cpu = time.perf_counter(), time.process_time()
        selectors.insight(viewer=staff, filters=Filters(start=filters.start, end=filters.end),
                          with_charts=False)  # fmt: skip
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    pages.log(
        f"{'Figures only (every measure, no page)':<40} {statistics.median(walls):>10.0f} "
        f"{sorted(walls)[round(0.95 * (len(walls) - 1))]:>8.0f} {statistics.median(cpus):>8.0f}"
    )
    pages.log(f"\nTarget: under {TARGET_MS} ms. Worst median: {worst:.0f} ms.")
    pages.log(f"Machine: {pages.git_describe()}; load before: {pages.machine_busy():.0%} busy.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
