#!/usr/bin/env python
"""Benchmark the forum's hot pages: seed a large network, serve it, load it, print a table.

    .venv/bin/python bench/pages.py                   # seed (once), start 2 daphne, measure
    .venv/bin/python bench/pages.py --duration 5      # shorter runs
    .venv/bin/python bench/pages.py --url http://127.0.0.1:8000 --url http://127.0.0.1:8001

The data set is 2,000 threads of 20 posts each plus one thread of 1,000 posts, the bench
reader's 300 notifications, 200 library resources and the search index, in its own
PostgreSQL database (`fhn_bench` by default), written with bulk_create so seeding takes
seconds; running again reuses it (adding the notifications, library and index to a set
seeded before they were part of it). Pages are requested with `wrk` (falling back to a small
asyncio HTTP client), anonymous and signed in, and the table shows requests/s with the
median and 99th percentile latency beside the targets. See docs/bench.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fhn_bench"
NATIONAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fhn_national"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_CACHE_PREFIX = "bench"
# Logs, static files and media; BENCH_WORK_DIR keeps runs from different checkouts apart.
WORK_DIR = Path(os.environ.get("BENCH_WORK_DIR") or Path(tempfile.gettempdir()) / "fhn-bench")

# The data set.
THREADS = 2000
POSTS_PER_THREAD = 20
BIG_THREAD_POSTS = 1000
AUTHORS = 300
BIG_THREAD_TITLE = "Family hubs in practice: the long-running conversation"
# What the notifications, library and search pages list: the bench reader's notifications
# (as many as bench/seed_national.py gives them), published library resources (about as many
# per post as the national set's 5,000 per 1,000,000) and the search index of it all.
BENCH_NOTIFICATIONS = 300
RESOURCES = 200
# Search words found in the posts and titles of both data sets (POST_SOURCES and
# TITLE_SUBJECTS here; seed_national's DOMAIN_WORDS there): common words, as a member types.
SEARCH_WORDS = ["survey", "evening", "volunteers", "parents", "outreach", "data", "training",
                "health visitors"]  # fmt: skip
BENCH_USERNAME = "bench"
BENCH_EMAIL = "bench@bench.example"
BENCH_PASSWORD = "bench-password-not-secret"
BENCH_DISPLAY_NAME = "Bench Reader"
BENCH_REGION = "london"

# Targets from the issue (signed-in figures; anonymous pages should be close to bare Django).
TARGET_THREAD = 370
TARGET_LIST = 550
# --spread N cycles over N threads; list pages are fewer, so lists cycle over at most this many.
LIST_SPREAD = 20

POST_SOURCES = [
    "Thanks for starting this. We ran a similar pilot last year and the biggest lesson was to "
    "**involve families from the very first meeting**, not once the plan was written.\n\n"
    "- we asked our parent panel to rewrite the leaflet\n"
    "- health visitors handed it out at the 6-8 week review\n"
    "- take-up of the groups went from 12 to 31 families a term\n\n"
    "Happy to share the survey we used.",
    "Could you say more about how you staffed the evening sessions? Our hub closes at 5pm and "
    "the _working parents_ we speak to keep asking for later slots. Did you pay overtime, use "
    "volunteers, or move the whole team's hours?",
    "We tried this and it worked once we had a named lead in each team. Before that everyone "
    "assumed somebody else was following up. There is a write-up of our approach on "
    "[the practice library](https://example.org/library/named-leads) if it helps.\n\n"
    "One thing I would do differently: agree the data you will collect **before** you start, "
    "so that you can show the difference to commissioners six months in.",
    "Interesting. How did you measure the change?",
    "> the hub opening hours do not work for shift workers\n\n"
    "This is exactly what our survey said. We now open one late evening a week and on the "
    "first Saturday of the month. Attendance on Saturdays is mostly dads and grandparents, "
    "which nobody predicted.\n\n"
    "1. Saturday stay and play, 10 to 12\n"
    "2. Infant feeding drop-in, same morning\n"
    "3. A benefits and money advice slot, booked in advance",
    "Our local authority found the same. Evening slots were the most requested in our survey, "
    "ahead of online sessions. We are now piloting a text reminder the day before, which has "
    "cut no-shows noticeably. I can share the wording we use, it went through our parent "
    "panel twice.",
    "Agree with the points above. For anyone new to this: the national guidance has a section "
    "on co-production with a checklist, and the regional network meets monthly if you want to "
    "hear how others have done it. `Co-production` is not a one-off consultation!",
    "We mapped our referral pathway with the perinatal team and cut waiting from 8 weeks to 3. "
    "The trick was a single shared inbox and a weekly 20-minute triage call.\n\n"
    "| Step | Before | After |\n| --- | --- | --- |\n| Referral to triage | 10 days | 2 days |\n"
    "| Triage to first contact | 6 weeks | 2 weeks |",
]
TITLE_SUBJECTS = [
    "Evening parenting groups", "Peer supporters at weekends", "SEND drop-ins in the hub",
    "Publishing the Start for Life offer", "Screening questions for dads and partners",
    "Outreach to families who never come in", "Hub opening hours for shift workers",
    "Data sharing with health visiting", "Youth voice in the hub", "Infant feeding pathways",
    "Volunteer training and retention", "Welcome packs for new parents",
    "Money advice sessions", "Domestic abuse support in the hub", "Digital front doors",
]  # fmt: skip
TITLE_ANGLES = [
    "what worked for you?", "lessons from our pilot", "who staffs them?",
    "how do you measure impact?", "questions from a new hub lead", "sharing our template",
    "what would you do differently?", "a year on",
]  # fmt: skip
TAG_NAMES = [
    "co-production", "dads", "evening", "peer-support", "volunteers", "send", "drop-in",
    "pathways", "screening", "access", "youth-voice", "outreach", "data", "start-for-life",
    "infant-feeding", "parenting", "money-advice", "digital", "training", "evaluation",
]  # fmt: skip
FIRST_NAMES = [
    "Amira", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hamza", "Isla", "Jon", "Kira",
    "Leon", "Maya", "Nadia", "Owen", "Priya", "Rosa", "Sami", "Tess", "Usman",
]  # fmt: skip
SURNAMES = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Khan",
    "Morris",
    "Patel",
    "Shaw",
    "Wood",
]


def log(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------------------------
# Environment: the same settings for this process, manage.py and the servers.
# --------------------------------------------------------------------------------------------


def bench_env(args) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        CACHE_PREFIX=args.cache_prefix,
        DEBUG="0",
        # Fixed, so sessions made by one run still work in the next.
        SECRET_KEY="bench-not-a-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(WORK_DIR / "static"),
        VAR_DIR=str(WORK_DIR / "var"),
        MEDIA_ROOT=str(WORK_DIR / "media"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *argv: str) -> None:
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *argv],
        cwd=BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def ensure_database(database_url: str, *, drop: bool) -> None:
    """Create the bench database if it is missing (dropping it first with --reseed)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if drop:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"Created database {name}.")


def setup_django(env: dict[str, str]) -> None:
    for key in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "CACHE_PREFIX", "DEBUG",
                "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "STATIC_ROOT", "VAR_DIR",
                "MEDIA_ROOT", "LOG_LEVEL"):  # fmt: skip
        os.environ[key] = env[key]
    import django

    django.setup()


# --------------------------------------------------------------------------------------------
# Seeding: bulk writes, counters computed here, consistent with what the actions would write.
# --------------------------------------------------------------------------------------------


@dataclass
class Targets:
    thread_path: str
    big_thread_path: str
    big_thread_pages: int
    # For --spread: different threads and list pages to cycle through.
    thread_paths: list[str] = field(default_factory=list)
    latest_paths: list[str] = field(default_factory=list)
    region_paths: list[str] = field(default_factory=list)
    national_paths: list[str] = field(default_factory=list)
    notification_paths: list[str] = field(default_factory=lambda: ["/notifications/"])
    library_paths: list[str] = field(default_factory=lambda: ["/library/"])
    search_paths: list[str] = field(default_factory=lambda: [f"/search/?q={SEARCH_WORDS[0]}"])


def is_seeded() -> bool:
    from community.forum.models import Post, Thread

    return (
        Thread.objects.filter(title=BIG_THREAD_TITLE, post_count=BIG_THREAD_POSTS).exists()
        and Thread.objects.count() >= THREADS + 1
        and Post.objects.count() >= THREADS * POSTS_PER_THREAD + BIG_THREAD_POSTS
    )


def seed() -> None:
    """Write the data set in one transaction (all or nothing), then refresh planner statistics."""
    from django.db import connection, transaction

    from community.forum.models import Thread

    if Thread.objects.exists():
        raise SystemExit(
            "The bench database has threads but not the bench data set; run with --reseed "
            "to drop and recreate it."
        )
    started = time.perf_counter()
    with transaction.atomic():
        _seed(random.Random(2026))
        _seed_extras(random.Random(2027))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"Seeded in {time.perf_counter() - started:.1f}s.")


def has_extras() -> bool:
    """Whether the set has the bench reader's notifications, the library and the search index
    (sets seeded before they were part of it have the forum only)."""
    from community.library.models import Resource
    from community.search.models import Document
    from notifications.models import Notification

    return (
        Notification.objects.filter(user__email=BENCH_EMAIL).exists()
        and Resource.objects.exists()
        and Document.objects.exists()
    )


def add_extras() -> None:
    """Add the notifications, library and search index to a forum seeded without them, keeping
    the forum as it is (so figures for its pages stay comparable with earlier runs)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic():
        _seed_extras(random.Random(2027))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"Added them in {time.perf_counter() - started:.1f}s.")


def _seed(rng: random.Random) -> None:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.models import Count, Max, Q, Sum
    from django.utils import timezone
    from django.utils.text import slugify
    from taggit.models import Tag, TaggedItem

    from community import markup
    from community.accounts.models import LocalAuthority, Region
    from community.forum.models import Membership, Post, Reaction, Space, Thread, ThreadRead, Topic

    User = get_user_model()
    now = timezone.now()
    rendered = [markup.render(source) for source in POST_SOURCES]

    # Members: one bench reader (a verified practitioner in the London group) and authors.
    regions = list(Region.objects.order_by("name"))
    las_by_region: dict[int, list[LocalAuthority]] = {}
    for la in LocalAuthority.objects.order_by("name"):
        las_by_region.setdefault(la.region_id, []).append(la)
    london = next(r for r in regions if r.slug == BENCH_REGION)
    bench_user = User(
        username=BENCH_USERNAME,
        email=BENCH_EMAIL,
        display_name=BENCH_DISPLAY_NAME,
        role=User.Role.PRACTITIONER,
        is_verified=True,
        home_region=london,
        local_authority=las_by_region[london.pk][0],
        organisation="Bench hub",
        password=make_password(BENCH_PASSWORD),
    )
    unusable = make_password(None)
    roles = [User.Role.PRACTITIONER] * 6 + [
        User.Role.COMMISSIONER,
        User.Role.PARENT_CARER,
        User.Role.EXPERT,
    ]
    authors = []
    for i in range(AUTHORS):
        region = regions[i % len(regions)]
        role = roles[i % len(roles)]
        name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {SURNAMES[(i // len(FIRST_NAMES)) % len(SURNAMES)]}"
        authors.append(
            User(
                username=f"member-{i:03d}",
                email=f"member-{i:03d}@bench.example",
                display_name=name
                if role != User.Role.PARENT_CARER
                else f"{name.split()[0]} (parent)",
                role=role,
                is_verified=role != User.Role.PARENT_CARER,
                home_region=region,
                local_authority=las_by_region[region.pk][i % len(las_by_region[region.pk])],
                organisation="Family hub" if role != User.Role.PARENT_CARER else "",
                password=unusable,
            )
        )
    User.objects.bulk_create([bench_user, *authors])
    EmailAddress.objects.create(user=bench_user, email=BENCH_EMAIL, verified=True, primary=True)
    groups = {s.region_id: s for s in Space.objects.filter(kind=Space.Kind.REGIONAL)}
    Membership.objects.bulk_create(
        [Membership(user=u, space=groups[u.home_region_id]) for u in [bench_user, *authors]]
    )

    # Where threads live: public national space, every regional group, the open community spaces.
    spaces = {s.slug: s for s in Space.objects.all()}
    weighted = [(spaces["national"], 30), (spaces["announcements"], 2), (spaces["ask-an-expert"], 5),
                (spaces["library-suggestions"], 4), (spaces["la-leads"], 3),
                (spaces["parents-and-carers"], 3), (spaces["young-people"], 2)]  # fmt: skip
    weighted += [(space, 5) for space in groups.values()]
    weighted += [(groups[london.pk], 6)]  # London is the busiest group (~110 threads)
    space_choices, space_weights = zip(*weighted, strict=True)
    topics = list(Topic.objects.order_by("slug"))
    tags = Tag.objects.bulk_create([Tag(name=name, slug=name) for name in TAG_NAMES])

    # Threads: the first is the 1,000-post thread, active an hour ago so it is on page one.
    specs = []  # (thread, post count, start time, step between posts)
    big_start = now - timedelta(hours=1) - timedelta(minutes=30 * (BIG_THREAD_POSTS - 1))
    specs.append(
        (spaces["national"], BIG_THREAD_TITLE, BIG_THREAD_POSTS, big_start, timedelta(minutes=30))
    )
    for i in range(THREADS):
        space = rng.choices(space_choices, space_weights)[0]
        title = f"{TITLE_SUBJECTS[i % len(TITLE_SUBJECTS)]}: {TITLE_ANGLES[(i // 7) % len(TITLE_ANGLES)]}"
        if i >= len(TITLE_SUBJECTS) * len(TITLE_ANGLES):
            title += f" ({i // (len(TITLE_SUBJECTS) * len(TITLE_ANGLES)) + 1})"
        start = now - timedelta(days=90) + timedelta(minutes=rng.randint(0, 60 * 24 * 80))
        specs.append(
            (space, title, POSTS_PER_THREAD, start, timedelta(minutes=rng.randint(5, 180)))
        )

    threads = []
    posts_by_thread: list[list[Post]] = []
    reactions: list[tuple[int, int, User, str]] = []  # (thread index, post index, user, kind)
    for t_index, (space, title, count, start, step) in enumerate(specs):
        readers = [
            a for a in authors
            if (space.kind != Space.Kind.REGIONAL or a.home_region_id == space.region_id)
            and (space.visibility != Space.Visibility.VERIFIED or a.is_verified_professional)
        ]  # fmt: skip
        thread_author = rng.choice(readers)
        posts = []
        likes = 0
        for number in range(1, count + 1):
            author = thread_author if number == 1 else rng.choice(readers)
            body = rendered[(t_index + number) % len(rendered)]
            source = POST_SOURCES[(t_index + number) % len(rendered)]
            counts: dict[str, int] = {}
            if number % 4 == 1:
                for user in rng.sample(readers, rng.randint(1, 3)):
                    if user is author:
                        continue
                    kind = rng.choice(["like", "like", "thanks", "insightful", "agree"])
                    counts[kind] = counts.get(kind, 0) + 1
                    likes += kind == "like"
                    reactions.append((t_index, number - 1, user, kind))
            reply_to = number - rng.randint(1, 3) if number > 4 and number % 3 == 0 else None
            posts.append(
                Post(
                    number=number,
                    author=author,
                    source=source,
                    html=body.html,
                    text=body.text,
                    reply_to_number=reply_to,
                    reply_to_name=posts[reply_to - 1].author.display_name if reply_to else "",
                    created_at=start + step * (number - 1),
                    reaction_counts=counts,
                )
            )
        last = posts[-1]
        threads.append(
            Thread(
                space=space,
                topic=rng.choice(topics),
                title=title,
                slug=slugify(title)[:80] or "thread",
                author=thread_author,
                created_at=posts[0].created_at,
                post_count=count,
                highest_post_number=count,
                like_count=likes,
                last_post_at=last.created_at,
                last_poster_name=last.author.display_name,
            )
        )
        posts_by_thread.append(posts)

    Thread.objects.bulk_create(threads, batch_size=1000)
    all_posts = []
    for thread, posts in zip(threads, posts_by_thread, strict=True):
        for post in posts:
            post.thread = thread
            all_posts.append(post)
    Post.objects.bulk_create(all_posts, batch_size=2000)
    with connection.cursor() as cursor:
        # reply_to follows reply_to_number, as create_post writes them together.
        cursor.execute(
            f"UPDATE {Post._meta.db_table} AS p SET reply_to_id = q.id FROM {Post._meta.db_table} AS q "
            "WHERE p.reply_to_number IS NOT NULL AND q.thread_id = p.thread_id AND q.number = p.reply_to_number"
        )
    Reaction.objects.bulk_create(
        [
            Reaction(
                post=posts_by_thread[t][p],
                user=user,
                kind=kind,
                created_at=posts_by_thread[t][p].created_at,
            )
            for t, p, user, kind in reactions
        ],
        batch_size=5000,
    )
    thread_type = ContentType.objects.get_for_model(Thread)
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(tag=tag, content_type=thread_type, object_id=thread.pk)
            for thread in threads
            for tag in rng.sample(tags, rng.randint(0, 3))
        ],
        batch_size=5000,
    )
    # The bench reader has opened about a third of the threads, some of them only partly.
    ThreadRead.objects.bulk_create(
        [
            ThreadRead(
                user=bench_user,
                thread=thread,
                last_read_number=rng.randint(1, thread.highest_post_number),
                updated_at=now,
            )
            for thread in threads[1:]
            if rng.random() < 0.35
        ],
        batch_size=5000,
    )

    # Space counters, as the actions keep them (published, not deleted threads).
    live = Q(threads__status="published", threads__deleted_at__isnull=True)
    for space in Space.objects.annotate(
        n=Count("threads", filter=live), posts=Sum("threads__post_count", filter=live),
        last=Max("threads__last_post_at", filter=live),
    ):  # fmt: skip
        Space.objects.filter(pk=space.pk).update(
            thread_count=space.n, post_count=space.posts or 0, last_post_at=space.last
        )
    log(
        f"Seeded {len(threads)} threads, {len(all_posts)} posts, {len(reactions)} reactions, "
        f"{len(authors) + 1} members."
    )


def _seed_extras(rng: random.Random) -> None:
    """The bench reader's notifications, the library's resources and the search index; each
    part only where it is missing."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from django.utils.text import slugify

    from community import markup
    from community.forum.models import Post, Space, Topic
    from community.library.models import Resource, ResourceVersion
    from community.search import indexing, registry
    from community.search.models import Document
    from notifications.models import Notification

    User = get_user_model()
    now = timezone.now()
    bench_user = User.objects.get(email=BENCH_EMAIL)
    span = 90 * 86400

    if not Notification.objects.filter(user=bench_user).exists():
        # About posts the reader can open (the national space and their own group), in the
        # kinds and read/unread mix of bench/seed_national.py: the last tenth mostly unread.
        readable = Space.objects.filter(slug="national") | Space.objects.filter(
            kind=Space.Kind.REGIONAL, region__slug=BENCH_REGION
        )
        posts = list(
            Post.objects.filter(thread__space__in=readable)
            .exclude(author=bench_user)
            .values_list(
                "pk",
                "thread_id",
                "number",
                "author_id",
                "author__display_name",
                "thread__title",
                "thread__slug",
            )
            .order_by("pk")
        )
        kinds = ["reply", "reply", "posted", "posted", "posted", "reaction"]
        rows = []
        for offset in sorted(rng.randint(0, span) for _ in range(BENCH_NOTIFICATIONS)):
            post, thread, number, actor, actor_name, title, slug = rng.choice(posts)
            kind = rng.choice(kinds)
            data = {"title": title, "slug": slug, "number": number, "actor": actor_name}
            if kind == "reaction":
                data["emoji"] = "\u2764\ufe0f"
            at = now - timedelta(seconds=span - offset)
            unread = offset >= span * 0.9 and rng.random() < 0.7
            rows.append(
                Notification(
                    user=bench_user,
                    kind=kind,
                    actor_id=actor,
                    thread_id=thread,
                    post_id=post,
                    data=data,
                    created_at=at,
                    read_at=None if unread else at + timedelta(hours=2),
                )
            )
        Notification.objects.bulk_create(rows)

    if not Resource.objects.exists():
        owners = list(User.objects.filter(organisation="Family hub").order_by("pk")[:50])
        topics = list(Topic.objects.order_by("slug"))
        types = [c for c, _ in Resource.Type.choices]
        rendered = [markup.render(source) for source in POST_SOURCES]
        resources, bodies = [], []
        for i in range(RESOURCES):
            title = (f"{TITLE_SUBJECTS[i % len(TITLE_SUBJECTS)]}: "
                     f"{TITLE_ANGLES[(i // 3) % len(TITLE_ANGLES)]} ({i + 1})")  # fmt: skip
            parts = [(i + k) % len(POST_SOURCES) for k in range(rng.randint(2, 4))]
            source = "\n\n".join(POST_SOURCES[k] for k in parts)
            html = "\n".join(rendered[k].html for k in parts)
            published = now - timedelta(days=rng.randint(1, 1000))
            rating = rng.randint(0, 40)
            resources.append(
                Resource(
                    title=title, slug=slugify(title)[:80], summary=rendered[parts[0]].text[:300],
                    source=source, html=html, type=rng.choice(types), state=Resource.State.PUBLISHED,
                    owner=rng.choice(owners), created_at=published, published_at=published,
                    last_reviewed_at=published, next_review_at=(published + timedelta(days=365)).date(),
                    useful_count=rng.randint(0, rating), rating_count=rating, review_round=1,
                )
            )  # fmt: skip
            bodies.append((source, html))
        Resource.objects.bulk_create(resources)
        versions = ResourceVersion.objects.bulk_create(
            [
                ResourceVersion(
                    resource=r,
                    number=1,
                    title=r.title,
                    summary=r.summary,
                    source=source,
                    html=html,
                    published_by=r.owner,
                    published_at=r.published_at,
                )
                for r, (source, html) in zip(resources, bodies, strict=True)
            ]
        )
        for resource, version in zip(resources, versions, strict=True):
            resource.current_version = version
        Resource.objects.bulk_update(resources, ["current_version"], batch_size=1000)
        Resource.topics.through.objects.bulk_create(
            [
                Resource.topics.through(resource=r, topic=topic)
                for r in resources
                for topic in rng.sample(topics, rng.randint(1, 3))
            ]
        )

    if not Document.objects.exists():
        # Every kind, as `manage.py rebuild_search_index` does: the bulk writes skipped the
        # events that keep the index in step.
        written = {kind: indexing.rebuild(kind) for kind in registry.providers()}
        log("Search index: " + ", ".join(f"{n:,} {kind}" for kind, n in written.items()) + ".")


def bench_targets(spread: int = 1) -> Targets:
    from django.conf import settings

    from community.forum.models import Space, Thread, Topic
    from community.library import permissions as library_permissions
    from notifications.models import Notification

    big = Thread.objects.get(title=BIG_THREAD_TITLE)
    # "A thread": the most recently active 20-post threads in the public national space
    # (readable anonymous and signed in alike), `spread` of them for --spread.
    threads = list(
        Thread.objects.filter(space__slug="national", post_count=POSTS_PER_THREAD).order_by(
            "-last_post_at"
        )[: max(spread, 1)]
    )
    per_page = settings.FORUM_POSTS_PER_PAGE
    list_spread = max(min(spread, LIST_SPREAD), 1)
    rows = settings.FORUM_THREADS_PER_PAGE

    def pages(base: str, count: int, limit: int) -> list[str]:
        last = max((count + rows - 1) // rows, 1)
        sep = "&" if "?" in base else "?"
        return [f"{base}{sep}page={n}" for n in range(1, min(last, limit) + 1)]

    national = Space.objects.get(slug="national")
    london = Space.objects.get(region__slug=BENCH_REGION, kind=Space.Kind.REGIONAL)
    region_paths = pages(f"/r/{BENCH_REGION}/", london.thread_count, list_spread)
    for topic in Topic.objects.order_by("slug"):  # more region pages: the same group by topic
        if len(region_paths) >= list_spread:
            break
        count = Thread.objects.filter(space=london, topic=topic).count()
        region_paths += pages(f"/r/{BENCH_REGION}/?topic={topic.slug}", count, 1)
    # The reader's notifications, 30 to a page (notifications.selectors.notification_list).
    notes = Notification.objects.filter(user__email=BENCH_EMAIL).count()
    notification_paths = [
        f"/notifications/?page={n}"
        for n in range(1, min(max((notes + 29) // 30, 1), list_spread) + 1)
    ]
    # The library: its first pages, newest first, then most useful first, then by topic.
    resources = library_permissions.public_resources()
    library_rows = settings.LIBRARY_RESOURCES_PER_PAGE
    library_pages = max((resources.count() + library_rows - 1) // library_rows, 1)
    library_paths = [
        f"/library/?page={n}" for n in range(1, min(library_pages, (list_spread + 1) // 2) + 1)
    ]
    library_paths.append("/library/?sort=useful")
    for topic in Topic.objects.order_by("slug"):
        if len(library_paths) >= list_spread:
            break
        library_paths.append(f"/library/?topic={topic.slug}")
    return Targets(
        thread_path=threads[0].get_absolute_url(),
        big_thread_path=big.get_absolute_url(),
        big_thread_pages=(big.highest_post_number + per_page - 1) // per_page,
        thread_paths=[t.get_absolute_url() + "?page=1" for t in threads],
        latest_paths=[f"/?page={n}" for n in range(1, list_spread + 1)],
        region_paths=region_paths[:list_spread],
        national_paths=pages("/s/national/", national.thread_count, list_spread),
        notification_paths=notification_paths,
        library_paths=library_paths[:list_spread],
        search_paths=["/search/?" + urlencode({"q": word}) for word in SEARCH_WORDS[:list_spread]],
    )


def invalidate_page_cache() -> None:
    """Bump the anonymous page cache's generation so no page from an earlier run is served."""
    from community import pagecache

    pagecache.invalidate()


# --------------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, name: str, logfile: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"{name} on port {port} exited; see {logfile}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{name} on port {port} did not start within 60s") from None
            time.sleep(0.2)


def _spawn(argv: list[str], env: dict[str, str], logfile: Path) -> subprocess.Popen:
    with open(logfile, "wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen(
            argv, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def start_servers(
    env: dict[str, str], ports: list[int], *, access_log: bool
) -> list[subprocess.Popen]:
    """The old layout, kept for comparison (--layout daphne): daphne serving HTTP too."""
    daphne = Path(sys.executable).with_name("daphne")
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    for old_log in WORK_DIR.glob("*.log"):
        old_log.unlink()
    procs = []
    for port in ports:
        argv = [str(daphne), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
        if not access_log:
            argv[1:1] = ["-v", "0"]  # verbosity 0: no per-request access log line on stdout
        procs.append(_spawn(argv, env, WORK_DIR / f"daphne-{port}.log"))
    for port, proc in zip(ports, procs, strict=True):
        _wait_for_port(port, proc, "daphne", WORK_DIR / f"daphne-{port}.log")
    return procs


def start_production(
    env: dict[str, str], *, workers: int, worker_class: str, threads: int, access_log: bool
) -> tuple[list[subprocess.Popen], int, int]:
    """The production layout (README): gunicorn for HTTP, one daphne for /ws/ only.

    Returns the processes (each leads its own process group: gunicorn's master forks its
    workers into it), the gunicorn port and the daphne port. The load goes to gunicorn, as
    nginx would send it; daphne is started so the layout is whole and its CPU is counted.
    """
    bin_dir = Path(sys.executable).parent
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    for old_log in WORK_DIR.glob("*.log"):
        old_log.unlink()
    http_port, ws_port = free_port(), free_port()
    gunicorn_log = WORK_DIR / f"gunicorn-{http_port}.log"
    argv = [str(bin_dir / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{http_port}",
            "--workers", str(workers), "--worker-class", worker_class,
            "--keep-alive", "5", "--no-control-socket", "--error-logfile", "-"]  # fmt: skip
    if worker_class == "gthread":
        # Only for gthread: gunicorn quietly turns sync workers given --threads > 1 into
        # gthread workers, so passing it always measured gthread under the name "sync".
        argv += ["--threads", str(threads)]
    if access_log:
        argv += ["--access-logfile", "-"]
    gunicorn = _spawn(argv, env, gunicorn_log)
    daphne_log = WORK_DIR / f"daphne-{ws_port}.log"
    daphne = _spawn(
        [str(bin_dir / "daphne"), "-b", "127.0.0.1", "-p", str(ws_port), "config.asgi:application"],
        env,
        daphne_log,
    )
    _wait_for_port(http_port, gunicorn, "gunicorn", gunicorn_log)
    _wait_for_port(ws_port, daphne, "daphne", daphne_log)
    # The master listens before its workers have imported Django: wait until both answer.
    for _worker in range(workers):
        fetch("127.0.0.1", http_port, "/admin/", None, timeout=180)
    return [gunicorn, daphne], http_port, ws_port


def group_pids(leaders: list[int]) -> list[int]:
    """Every process in these process groups (gunicorn's workers are in their master's)."""
    wanted = set(leaders)
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in wanted:
            pids.append(int(entry.name))
    return pids


def stop_servers(procs: list[subprocess.Popen]) -> None:
    """Kill the servers this script started (their own process groups), hard."""
    for proc in procs:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


@dataclass
class Counters:
    """Process CPU and the connections PostgreSQL and Redis have accepted, sampled around a run."""

    cpu: float
    pg_sessions: int | None
    redis_connections: int | None


def sample_counters(pids: list[int], database_url: str, redis_url: str) -> Counters:
    pg = redis_count = None
    try:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()
            pg = int(row[0]) - 1 if row else None  # not counting this connection
    except Exception:  # PostgreSQL < 14 has no sessions column; the figure is only diagnostic
        pg = None
    try:
        import redis

        client = redis.Redis.from_url(redis_url)
        redis_count = int(client.info("stats")["total_connections_received"]) - 1
        client.close()
    except Exception:
        redis_count = None
    return Counters(
        cpu=cpu_seconds(group_pids(pids)), pg_sessions=pg, redis_connections=redis_count
    )


def machine_busy(seconds: float = 1.0) -> float:
    """How busy the CPUs were over a short sample (0-1), from /proc/stat; -1 if unknown."""

    def sample():
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]

    try:
        total1, idle1 = sample()
        time.sleep(seconds)
        total2, idle2 = sample()
    except (OSError, ValueError, IndexError):
        return -1.0
    return 1 - (idle2 - idle1) / max(total2 - total1, 1)


def wait_until_quiet(max_wait: float, threshold: float = 0.15) -> float:
    """Wait (up to max_wait seconds) for other processes to leave the CPUs alone; return how busy
    they were at the last sample. Between runs our servers are idle, so this is other work."""
    deadline = time.monotonic() + max_wait
    busy = machine_busy()
    while busy > threshold and time.monotonic() < deadline:
        busy = machine_busy(2.0)
    return busy


def git_describe() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes" if dirty else "")  # fmt: skip


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of these processes, from /proc (0 where unavailable)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --------------------------------------------------------------------------------------------
# HTTP helpers: sign in, check a page before loading it.
# --------------------------------------------------------------------------------------------


def _cookies_from(response) -> dict[str, str]:
    cookies = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _sep, rest = value.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


def sign_in(host: str, port: int) -> str:
    """Sign the bench reader in through the real login form; return the Cookie header value."""
    conn = HTTPConnection(host, port, timeout=120)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = _cookies_from(response)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or not match or "csrftoken" not in cookies:
        raise SystemExit(f"Could not load the login form (HTTP {response.status}).")
    body = urlencode(
        {"csrfmiddlewaretoken": match.group(1), "login": BENCH_EMAIL, "password": BENCH_PASSWORD}
    )
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies.update(_cookies_from(response))
    conn.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"Signing in as {BENCH_EMAIL} failed (HTTP {response.status}).")
    # A browser sends its CSRF cookie back; without it every page would set a new one.
    return f"csrftoken={cookies['csrftoken']}; sessionid={cookies['sessionid']}"


def fetch(
    host: str, port: int, path: str, cookie: str | None, timeout: float = 60
) -> tuple[int, dict[str, str], str]:
    conn = HTTPConnection(host, port, timeout=timeout)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    headers = {k.lower(): v for k, v in response.getheaders()}
    conn.close()
    return response.status, headers, body


# --------------------------------------------------------------------------------------------
# Load generators
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    cpu_ms_per_request: float | None = None
    pg_connections_per_request: float | None = None
    redis_connections_per_request: float | None = None
    busy_before: float | None = None  # share of CPU other processes used just before the run
    tool: str = ""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(addrs, paths, cookie, *, connections, duration) -> Run:
    """One wrk run; its threads are spread over the servers, one address per thread, and each
    thread's requests cycle through the paths."""
    quoted = ", ".join('"' + p.replace('"', "%22") + '"' for p in paths)
    lines = ["paths = {" + quoted + "}",
             "local i = 0",
             "function request()",
             "  i = i + 1",
             "  return wrk.format(nil, paths[(i - 1) % #paths + 1])",
             "end",
             "local addrs = {" + ", ".join(f'{{"{h}", "{p}"}}' for h, p in addrs) + "}",
             "local n = 0",
             "function setup(thread)",
             "  n = n + 1",
             "  local a = addrs[(n - 1) % #addrs + 1]",
             "  thread.addr = wrk.lookup(a[1], a[2])[1]",
             "end"]  # fmt: skip
    if cookie:
        lines.append(f'wrk.headers["Cookie"] = "{cookie}"')
    script = WORK_DIR / "wrk.lua"
    script.write_text("\n".join(lines) + "\n")
    host, port = addrs[0]
    threads = len(addrs)
    argv = ["wrk", f"-t{threads}", f"-c{max(connections, threads)}", f"-d{duration}s", "--latency",
            "--timeout", "10s", "-s", str(script), f"http://{host}:{port}{paths[0]}"]  # fmt: skip
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    run = Run(tool="wrk")
    run.requests = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", out).group(1))
    run.seconds = duration
    run.rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    run.p50_ms = _wrk_ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))
    run.p99_ms = _wrk_ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    run.errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(g) for g in socket_errors.groups()) if socket_errors else 0
    )
    return run


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get("connection", "").lower() == "close"


async def _client(
    host, port, request: bytes, deadline: float, latencies: list[float], errors: list[int]
):
    reader = writer = None
    while time.perf_counter() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            started = time.perf_counter()
            writer.write(request)
            status, close = await _read_response(reader)
            latencies.append(time.perf_counter() - started)
            if status >= 400:
                errors[0] += 1
            if close:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors[0] += 1
            writer = None
    if writer is not None:
        writer.close()


def run_python(addrs, paths, cookie, *, connections, duration) -> Run:
    """The fallback load generator: keep-alive connections on asyncio streams, no parsing library."""

    async def main() -> tuple[list[float], int, float]:
        latencies: list[float] = []
        errors = [0]
        started = time.perf_counter()
        deadline = started + duration
        clients = []
        for i in range(connections):
            host, port = addrs[i % len(addrs)]
            path = paths[i % len(paths)]  # each connection keeps to one of the paths
            request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            if cookie:
                request += f"Cookie: {cookie}\r\n"
            clients.append(
                _client(host, int(port), (request + "\r\n").encode(), deadline, latencies, errors)
            )
        await asyncio.gather(*clients)
        return latencies, errors[0], time.perf_counter() - started

    latencies, errors, elapsed = asyncio.run(main())
    latencies.sort()
    run = Run(tool="python", requests=len(latencies), seconds=elapsed, errors=errors)
    if latencies:
        run.rps = len(latencies) / elapsed
        run.p50_ms = latencies[len(latencies) // 2] * 1000
        run.p99_ms = latencies[min(int(len(latencies) * 0.99), len(latencies) - 1)] * 1000
    return run


# --------------------------------------------------------------------------------------------
# The pages and the table
# --------------------------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    label: str
    anonymous_path: str | None
    signed_in_path: str | None
    target: int | None = None  # signed-in requests/s
    expect: int = 200
    cached_for_anonymous: bool = True
    note: str = ""
    # With --spread: the paths a run cycles through (the single path above when empty).
    anonymous_spread: list[str] = field(default_factory=list)
    signed_in_spread: list[str] = field(default_factory=list)

    def paths(self, mode: str) -> list[str]:
        """The paths a run in this mode cycles through; none for a page the mode cannot see
        (a members-only page has no anonymous path)."""
        if mode == "anonymous":
            path, spread = self.anonymous_path, self.anonymous_spread
        else:
            path, spread = self.signed_in_path, self.signed_in_spread
        if path is None:
            return []
        return spread or [path]


@dataclass
class Result:
    page: str
    label: str
    anonymous: Run | None = None
    signed_in: Run | None = None
    target: int | None = None
    anonymous_path: str | None = None
    signed_in_path: str | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def pages_for(targets: Targets) -> list[Page]:
    thread, big = targets.thread_path, targets.big_thread_path
    return [
        Page("bare", "bare Django (/admin/ 302)", "/admin/", "/admin/", expect=302, cached_for_anonymous=False,
             note="admin index redirecting to its login: every middleware, no template, no query "
                  "when anonymous; session + user load when signed in"),
        Page("notfound", "404 page (template)", "/bench-no-such-page/", "/bench-no-such-page/", expect=404,
             cached_for_anonymous=False, note="URL resolution fails; renders 404.html (base layout)"),
        Page("latest", "latest list /", "/", "/", target=TARGET_LIST,
             anonymous_spread=targets.latest_paths, signed_in_spread=targets.latest_paths),
        Page("region", "region list", "/s/national/", f"/r/{BENCH_REGION}/", target=TARGET_LIST,
             note=f"signed in: /r/{BENCH_REGION}/ (regional groups are members-only, anonymous gets "
                  "404); anonymous: the National space /s/national/",
             anonymous_spread=targets.national_paths, signed_in_spread=targets.region_paths),
        Page("thread", "thread (20 posts)", thread + "?page=1", thread + "?page=1", target=TARGET_THREAD,
             note="?page=1 explicitly: without it a member may be redirected to the first unread post",
             anonymous_spread=targets.thread_paths, signed_in_spread=targets.thread_paths),
        Page("big1", "1,000-post thread p1", big + "?page=1", big + "?page=1", target=TARGET_THREAD),
        Page("big50", f"1,000-post thread p{targets.big_thread_pages}",
             big + f"?page={targets.big_thread_pages}", big + f"?page={targets.big_thread_pages}",
             target=TARGET_THREAD),
        # Held to the list target since the eighth pass (kept per member: notifications/views.py).
        Page("notifications", "a member's notifications", None, "/notifications/?page=1",
             cached_for_anonymous=False, target=TARGET_LIST,
             note="members only (a visitor is sent to sign in: no anonymous run); 30 to a page, "
                  "unread first, spread over the reader's pages; kept per member under the write "
                  "generation and their notifications' version",
             signed_in_spread=targets.notification_paths),
        Page("library", "library index", "/library/", "/library/", target=TARGET_LIST,
             note="spread over its first pages, ?sort=useful and topics; anonymous from the page "
                  "cache, members from the page their layout class shares (library/views.py)",
             anonymous_spread=targets.library_paths, signed_in_spread=targets.library_paths),
        Page("search", "search page", targets.search_paths[0], targets.search_paths[0],
             cached_for_anonymous=False,
             note="one common word per request, spread over " + ", ".join(SEARCH_WORDS[: len(targets.search_paths)])
                  + "; no page target: bench/search.py holds search to p95 < 50 ms, and search "
                    "results are never cached",
             anonymous_spread=targets.search_paths, signed_in_spread=targets.search_paths),
    ]  # fmt: skip


def check_page(host, port, page: Page, path: str, cookie: str | None) -> dict:
    """Request the page twice and make sure it is what we mean to measure."""
    status, headers, body = fetch(host, port, path, cookie)
    if status != page.expect:
        raise SystemExit(
            f"{path}: expected HTTP {page.expect}, got {status} {headers.get('location', '')}"
        )
    signed_in = BENCH_DISPLAY_NAME in body
    if page.expect != 302 and signed_in != bool(cookie):
        raise SystemExit(f"{path}: expected to be {'signed in' if cookie else 'anonymous'}")
    if not cookie and page.cached_for_anonymous:
        status, headers, _body = fetch(host, port, path, cookie)
        if headers.get("x-page-cache") != "hit":
            raise SystemExit(f"{path}: the anonymous page cache did not serve the second request")
    return {"bytes": len(body.encode()), "x_page_cache": headers.get("x-page-cache", "")}


def fmt_run(run: Run | None) -> str:
    if run is None:
        return f"{'-':>8} {'':>6} {'':>7}"
    busy = run.busy_before is not None and run.busy_before > 0.2
    mark = "!" if run.errors else "~" if busy else " "
    return f"{run.rps:8.0f}{mark}{run.p50_ms:6.1f} {run.p99_ms:7.1f}"


def print_table(results: list[Result], meta: dict) -> None:
    bare = next((r for r in results if r.page == "bare"), None)
    bare_anonymous = bare.anonymous.rps if bare and bare.anonymous else None
    width = max(len(r.label) for r in results) + 1
    log("")
    log(f"{meta['app']}; {meta['servers']}")
    log(f"load: {meta['tool']}, {meta['connections']} connections, {meta['duration']}s per run after a "
        f"{meta['warmup']}s warm-up; {meta['cpus']} CPUs, {meta['busy_before']} busy before the runs")  # fmt: skip
    log(f"spread: {meta['spread']}")
    log("")
    log(f"{'':{width}} {'anonymous':^23} | {'signed in':^23} |")
    log(
        f"{'page':{width}} {'req/s':>8} {'p50ms':>6} {'p99ms':>7} | {'req/s':>8} {'p50ms':>6} {'p99ms':>7} | target"
    )
    for r in results:
        target = []
        if r.target and r.signed_in:
            verdict = "ok" if r.signed_in.rps >= r.target else "MISSED"
            target.append(f"signed in >= {r.target}: {verdict}")
        if r.page not in ("bare", "notfound") and r.anonymous and bare_anonymous:
            target.append(f"anonymous ~ bare: {100 * r.anonymous.rps / bare_anonymous:.0f}% of it")
        log(
            f"{r.label:{width}} {fmt_run(r.anonymous)} | {fmt_run(r.signed_in)} | {'; '.join(target)}"
        )
    runs = [(r, run) for r in results for run in (r.anonymous, r.signed_in) if run]
    if any(run.errors for r, run in runs if r.page != "notfound"):
        log("! marks a run with non-2xx/3xx responses or socket errors (see the daphne logs).")
    if any(run.busy_before is not None and run.busy_before > 0.2 for _r, run in runs):
        log("~ marks a run that started while other processes kept the CPUs over 20% busy.")

    def per(run: Run | None, attr: str, fmt: str) -> str:
        value = getattr(run, attr) if run else None
        return f"{value:{fmt}}" if value is not None else f"{'-':>7}"

    log("")
    log(
        f"{'per request, in the servers':{width}} {'CPU ms':>15} | {'new PG conns':>15} | {'new Redis conns':>15}"
    )
    log(
        f"{'':{width}} {'anon':>7} {'signed':>7} | {'anon':>7} {'signed':>7} | {'anon':>7} {'signed':>7}"
    )
    for r in results:
        a, b = r.anonymous, r.signed_in
        log(f"{r.label:{width}} {per(a, 'cpu_ms_per_request', '7.2f')} {per(b, 'cpu_ms_per_request', '7.2f')} | "
            f"{per(a, 'pg_connections_per_request', '7.2f')} {per(b, 'pg_connections_per_request', '7.2f')} | "
            f"{per(a, 'redis_connections_per_request', '7.2f')} {per(b, 'redis_connections_per_request', '7.2f')}")  # fmt: skip
    log("")
    for r in results:
        if r.note:
            log(f"  {r.label}: {r.note}")
    log(
        "  Signed-in thread pages write the member's read position (one upsert) only when the "
        "page moves it forward: the bench reader's repeated views after the first write nothing."
    )


# --------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--url", action="append", default=[],
                        help="measure this running server instead of starting daphne (repeat for "
                             "several processes; wrk threads are spread over them)")  # fmt: skip
    parser.add_argument(
        "--start", action="store_true", help="start the servers (the default without --url)"
    )
    parser.add_argument("--layout", choices=["production", "daphne"], default="production",
                        help="production (default): gunicorn serves HTTP, one daphne serves /ws/ "
                             "(as README's nginx routes them); daphne: the old layout, daphne "
                             "processes serving HTTP")  # fmt: skip
    # Sync workers, two per core, as README's production section: on this 2-core machine they
    # served bare Django signed in at 1,074 req/s and 1.76 ms of CPU each against gthread 2x2's
    # 654 and 2.80 ms (quiet, 05:40 UTC 2026-12-01), and the signed-in thread page faster in
    # each interleaved pair since (docs/bench.md, fifth pass). nginx in front buffers slow
    # clients, which is what sync workers need.
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--worker-class", default="sync", choices=["gthread", "sync"],
                        help="gunicorn worker class (default sync)")  # fmt: skip
    parser.add_argument("--threads", type=int, default=2,
                        help="threads per gthread worker (default 2)")  # fmt: skip
    parser.add_argument(
        "--servers", type=int, default=2, help="daphne processes to start with --layout daphne"
    )
    parser.add_argument("--spread", type=int, default=200,
                        help="cycle over this many different threads (and up to "
                             f"{LIST_SPREAD} list pages) per run (default 200; 1: one URL)")  # fmt: skip
    parser.add_argument("--dataset", choices=["bench", "national"], default="bench",
                        help="bench (default): the 41,000-post set seeded here; national: the "
                             "1,000,000-post set of bench/seed_national.py (fhn_national), which "
                             "must be seeded first")  # fmt: skip
    parser.add_argument("--database-url", default=None,
                        help=f"default {DEFAULT_DATABASE_URL}, or fhn_national with "
                             "--dataset national")  # fmt: skip
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--cache-prefix", default=DEFAULT_CACHE_PREFIX)
    parser.add_argument(
        "--reseed", action="store_true", help="drop and recreate the bench database first"
    )
    parser.add_argument("--seed-only", action="store_true", help="seed and exit")
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds per measured run (default 10)"
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of warm-up per run (default 2)"
    )
    parser.add_argument(
        "--connections", type=int, default=8, help="concurrent connections (default 8)"
    )
    parser.add_argument("--pages", default="", help="comma-separated keys: bare,notfound,latest,region,"
                                                    "thread,big1,big50,notifications,library,search "
                                                    "(default all)")  # fmt: skip
    parser.add_argument(
        "--modes", default="anonymous,signed_in", help="anonymous,signed_in (default both)"
    )
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-access-log", action="store_true",
                        help="start daphne with -v 0 (no access log); by default each process logs every "
                             "request, as production's daphne does, to a file under the work directory")  # fmt: skip
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before each run, wait up to this long for the CPUs to be idle (>85%%); "
                             "runs that started on a busier machine are marked ~ in the table")  # fmt: skip
    parser.add_argument("--no-prime", action="store_true",
                        help="do not request each spread path once before the warm-up (cold pages)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.database_url is None:
        args.database_url = (
            NATIONAL_DATABASE_URL if args.dataset == "national" else DEFAULT_DATABASE_URL
        )
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.start and args.url:
        raise SystemExit("Give --start or --url, not both.")
    start = not args.url
    env = bench_env(args)
    WORK_DIR.mkdir(parents=True, exist_ok=True)

    if args.dataset == "national":
        from seed_national import is_seeded as national_is_seeded

        if args.reseed:
            raise SystemExit("Reseed the national set with bench/seed_national.py --reseed.")
        if not national_is_seeded(args.database_url):
            raise SystemExit("Seed the national set first: .venv/bin/python bench/seed_national.py")
    else:
        ensure_database(args.database_url, drop=args.reseed)
    log("Migrating the bench database...")
    manage(env, "migrate", "--noinput")
    setup_django(env)
    if args.dataset == "national":
        log("National data set present (bench/seed_national.py).")
    elif is_seeded():
        log("Bench data set already present; not reseeding (use --reseed to start again).")
        if not has_extras():
            log("Adding the reader's notifications, the library and the search index...")
            add_extras()
    else:
        seed()
    targets = bench_targets(args.spread)
    if args.seed_only:
        return 0
    invalidate_page_cache()
    if start:
        log("Collecting static files (DEBUG=0 needs the manifest)...")
        manage(env, "collectstatic", "--noinput")

    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    if tool == "python":
        log(
            "wrk not found: using the Python load generator (apt-get install -y wrk for better figures)."
        )
    loader = run_wrk if tool == "wrk" else run_python

    busy = machine_busy()
    if busy > 0.2:
        log(
            f"Warning: the CPUs were {busy:.0%} busy before starting; other work will skew the figures."
        )
    procs: list[subprocess.Popen] = []
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def interrupted(signum, _frame):
        stop_servers(procs)
        raise SystemExit(128 + signum)

    for s in previous:
        signal.signal(s, interrupted)
    try:
        if start and args.layout == "production":
            procs, http_port, ws_port = start_production(
                env, workers=args.workers, worker_class=args.worker_class, threads=args.threads,
                access_log=not args.no_access_log,
            )  # fmt: skip
            log(f"Started gunicorn on port {http_port} and daphne (/ws/) on port {ws_port}.")
            # Two wrk threads on the one gunicorn socket, as nginx would share it.
            addrs = [("127.0.0.1", str(http_port))] * 2
            threads = f", {args.threads} threads each" if args.worker_class == "gthread" else ""
            servers = (f"gunicorn {args.workers} {args.worker_class} workers{threads} + 1 daphne "
                       "for /ws/ (started here, DEBUG=0, PostgreSQL + Redis)")  # fmt: skip
        elif start:
            ports = [free_port() for _ in range(args.servers)]
            log(
                f"Starting {args.servers} daphne processes on ports {', '.join(map(str, ports))}..."
            )
            procs = start_servers(env, ports, access_log=not args.no_access_log)
            addrs = [("127.0.0.1", str(p)) for p in ports]
            servers = f"{args.servers} x daphne (started here, DEBUG=0, PostgreSQL + Redis)"
        else:
            addrs = []
            for url in args.url:
                parts = urlsplit(url)
                addrs.append((parts.hostname, str(parts.port or 80)))
            servers = "running server(s) " + ", ".join(args.url)
        host, port = addrs[0][0], int(addrs[0][1])
        cookie = sign_in(host, port)
        log(f"Signed in as {BENCH_EMAIL}.")

        wanted = {k for k in args.pages.split(",") if k}
        modes = [m for m in args.modes.split(",") if m]
        results = []
        for page in pages_for(targets):
            if wanted and page.key not in wanted:
                continue
            result = Result(page=page.key, label=page.label, target=page.target, note=page.note,
                            anonymous_path=page.anonymous_path, signed_in_path=page.signed_in_path)  # fmt: skip
            for mode in modes:
                paths = page.paths(mode)
                if not paths:
                    log(f"  {page.label:<26} {mode:<10} {'(no such page in this mode)':<60}")
                    continue
                path = paths[0]
                mode_cookie = None if mode == "anonymous" else cookie
                result.extra[mode] = check_page(host, port, page, path, mode_cookie)
                if not args.no_prime:
                    # Each path once, in turn: the shared pages (and the anonymous page cache)
                    # are rendered once per version, so a run measures them warm, as a busy
                    # site serves them; the first view of a thread also moves the read position.
                    for other in paths[1:]:
                        fetch(host, port, other, mode_cookie, timeout=120)
                busy = wait_until_quiet(args.wait_idle)
                if args.warmup:
                    loader(
                        addrs,
                        paths,
                        mode_cookie,
                        connections=args.connections,
                        duration=args.warmup,
                    )
                pids = [p.pid for p in procs]
                before = sample_counters(pids, args.database_url, args.redis_url)
                run = loader(
                    addrs, paths, mode_cookie, connections=args.connections, duration=args.duration
                )
                after = sample_counters(pids, args.database_url, args.redis_url)
                if run.requests:
                    if procs:
                        run.cpu_ms_per_request = 1000 * (after.cpu - before.cpu) / run.requests
                    if before.pg_sessions is not None and after.pg_sessions is not None:
                        run.pg_connections_per_request = (
                            after.pg_sessions - before.pg_sessions
                        ) / run.requests
                    if before.redis_connections is not None and after.redis_connections is not None:
                        run.redis_connections_per_request = (
                            after.redis_connections - before.redis_connections
                        ) / run.requests
                run.busy_before = busy
                setattr(result, mode, run)
                shown = path if len(paths) == 1 else f"{path} (+{len(paths) - 1} more)"
                log(f"  {page.label:<26} {mode:<10} {shown:<60} {run.rps:8.0f} req/s  "
                    f"p50 {run.p50_ms:6.1f} ms  p99 {run.p99_ms:7.1f} ms"
                    + (f"  errors {run.errors}" if run.errors else ""))  # fmt: skip
            results.append(result)
    finally:
        stop_servers(procs)
        for s, handler in previous.items():
            signal.signal(s, handler)

    meta = {"app": f"app {git_describe()}", "servers": servers, "tool": tool, "connections": args.connections,
            "duration": args.duration, "warmup": args.warmup, "cpus": os.cpu_count(),
            "busy_before": f"{busy:.0%}" if busy >= 0 else "unknown",
            "spread": f"threads over {len(targets.thread_paths)}, lists over "
                      f"{len(targets.latest_paths)} (latest) / {len(targets.region_paths)} (region) / "
                      f"{len(targets.notification_paths)} (notifications) / {len(targets.library_paths)} "
                      f"(library) pages, search over {len(targets.search_paths)} words"}  # fmt: skip
    print_table(results, meta)
    if args.json:
        args.json.write_text(
            json.dumps({"meta": meta, "results": [asdict(r) for r in results]}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
