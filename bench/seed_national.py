#!/usr/bin/env python
"""Seed the national data set: a million posts, a hundred thousand members, in minutes.

    .venv/bin/python bench/seed_national.py             # seed fhn_national once; reuse it after
    .venv/bin/python bench/seed_national.py --reseed    # drop and seed again
    .venv/bin/python bench/seed_national.py --scale 0.01 --database-url .../fhn_national_small

What it writes (at --scale 1), in its own database (`fhn_national`, never a test database):
1,000,000 posts in 50,000 threads across every space and topic, their lengths drawn from
a log-normal (most threads a few posts, a few of thousands; one of exactly 1,000 posts for
bench/pages.py); 100,000 members with memberships, read state, reactions, bookmarks,
thread subscriptions and notifications; 5,000 library resources and 2,000 events; the
search index for all of it.

Text is drawn word by word from the 8,000 most frequent English words at their real
frequencies (bench/data/english_words.tsv, a Zipf distribution), with family-hub words
mixed in, so a search word matches as many posts as it would in real English. HTML is
written directly in the shape `community.markup.render` gives (paragraphs, lists, bold,
links) instead of rendering a million posts.

Rows go in with PostgreSQL COPY (psycopg 3's `cursor.copy`), three tables streaming at
once on separate connections so the server works while Python writes. Foreign-key
triggers are off during the load (`session_replication_role = replica`): every id is
made here, consistently. The secondary indexes of the big tables are dropped first and
built again afterwards, which is faster than keeping them up to date row by row. Counters
(thread and space post counts, last posts, reaction counts, likes) are computed as the
actions keep them. Search documents are written by the database from the posts, in the
same shape as `community.search.indexing.rebuild`, and the run ends with VACUUM ANALYZE.

A finished seed writes a row in `bench_national_seed` with its timing; a later run that
finds it does nothing.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import os
import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
for path in (str(BASE_DIR), str(BENCH_DIR)):
    if path not in sys.path:
        sys.path.insert(0, path)

import pages as page_bench  # noqa: E402  (bench/pages.py: shared environment and bench reader)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fhn_national"
WORDS_FILE = BENCH_DIR / "data" / "english_words.tsv"

POSTS = 1_000_000
THREADS = 50_000
MEMBERS = 100_000
RESOURCES = 5_000
EVENTS = 2_000
# Per member on average, skewed: a few members do most of it.
READS_PER_MEMBER = 20
BOOKMARKS_PER_MEMBER = 2
NOTIFICATIONS_PER_MEMBER = 10
SUBSCRIPTIONS_PER_MEMBER = 3
REACTIONS_PER_POST = 1.2
# The busiest thread's watchers, for the sockets benchmark (bench/live.py).
BUSY_THREAD_WATCHERS = 5_000
MAX_THREAD_POSTS = 10_000
BIG_THREAD_POSTS = page_bench.BIG_THREAD_POSTS
BENCH_READS = 2_000
BENCH_NOTIFICATIONS = 300

# Family-hub words, mixed into the English at the frequency of common words.
DOMAIN_WORDS = (
    "family hub hubs parents carers children baby babies infant feeding breastfeeding "
    "perinatal mental health outreach rural transport minibus volunteers volunteer peer "
    "support speech language early years nursery school attendance youth worker send autism "
    "adhd assessment waiting referral referrals pathway midwife midwives visitor visitors "
    "domestic abuse housing debt advice foodbank digital offer website evaluation outcomes "
    "commissioning commissioners budget staff training supervision safeguarding consent data "
    "sharing coproduction dads fathers grandparents kinship foster reducing parental conflict "
    "sleep play session sessions drop-in weekend library leaflet translation interpreter "
    "practitioner practitioners caseworker keyworker toddler toddlers antenatal postnatal "
    "weaning nutrition dental oral vaccination immunisation wellbeing resilience bereavement "
    "loneliness isolation poverty cost-of-living benefits childcare funding grant trailblazer "
    "transformation integration partnership multiagency triage duty signposting signpost "
    "helpline outreach workshop course toolkit framework guidance survey feedback panel "
    "parenting attachment bonding routines tantrums behaviour toileting literacy numeracy "
    "stories singing rhyme sensory send-support ehcp senco portage neurodiversity dyslexia"
).split()
TITLE_FRAMES = [
    "{a} and {b}: what has worked for you?",
    "Question about {a} in {region}",
    "{a}: sharing our approach to {b}",
    "Has anyone tried {a} with {b}?",
    "Looking for advice on {a}",
    "{a} — lessons from our first year",
    "How do you measure {a}?",
    "Evening and weekend {a}",
    "{a} for working parents",
    "Funding for {a} after March",
]
REACTION_KINDS = ["like", "like", "like", "thanks", "insightful", "agree", "celebrate"]
NOTIFICATION_KINDS = [
    "reply",
    "reply",
    "posted",
    "posted",
    "posted",
    "reaction",
    "mention",
    "quote",
]
TAG_NAMES = page_bench.TAG_NAMES
FIRST_NAMES = page_bench.FIRST_NAMES
SURNAMES = page_bench.SURNAMES


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------


class Writer:
    """Sentences drawn from real English word frequencies, with family-hub words mixed in."""

    def __init__(self, rng: random.Random):
        words, weights = [], []
        for line in WORDS_FILE.read_text().splitlines():
            if not line or line.startswith("#"):
                continue
            word, zipf = line.split("\t")
            words.append(word)
            weights.append(10 ** float(zipf))
        # Domain words at the frequencies of words ranked roughly 300 to 5,000.
        for word in DOMAIN_WORDS:
            if word not in words:
                words.append(word)
                weights.append(10 ** rng.uniform(4.0, 5.3))
        self.words = words
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]
        self.domain = DOMAIN_WORDS
        self.rng = rng

    def draw(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def sentences(self, count: int) -> list[str]:
        rng = self.rng
        lengths = [rng.randint(4, 18) for _ in range(count)]
        words = self.draw(sum(lengths))
        out, at = [], 0
        for n in lengths:
            chunk = words[at : at + n]
            at += n
            first = chunk[0]
            chunk[0] = first[:1].upper() + first[1:]
            out.append(" ".join(chunk) + rng.choice(".....?!"))
        return out

    def post(self) -> tuple[str, str, str]:
        """(Markdown source, HTML, plain text) of one post."""
        rng = self.rng
        paragraphs = rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0]
        source, html, text = [], [], []
        for index in range(paragraphs):
            shape = rng.random()
            if index > 0 and shape < 0.08:
                items = [s.rstrip(".?!") for s in self.sentences(rng.randint(2, 4))]
                source.append("\n".join(f"- {item}" for item in items))
                html.append("<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>")
                text.append("\n".join(items))
                continue
            sentences = self.sentences(rng.choices((1, 2, 3, 4), weights=(20, 40, 30, 10))[0])
            para = " ".join(sentences)
            if shape > 0.92:
                word = rng.choice(self.domain)
                source.append(f"{para} **{word}**")
                html.append(f"<p>{para} <strong>{word}</strong></p>")
                text.append(f"{para} {word}")
            elif shape > 0.88:
                word = rng.choice(self.domain)
                url = f"https://example.org/library/{word}"
                source.append(f"{para} [{word}]({url})")
                html.append(f'<p>{para} <a href="{url}" rel="nofollow ugc">{word}</a></p>')
                text.append(f"{para} {word}")
            else:
                source.append(para)
                html.append(f"<p>{para}</p>")
                text.append(para)
        return "\n\n".join(source), "\n".join(html), "\n\n".join(text)

    def title(self, region: str) -> str:
        rng = self.rng
        a = " ".join(self.draw(rng.randint(1, 2)) + [rng.choice(self.domain)])
        b = " ".join([rng.choice(self.domain), *self.draw(1)])
        frame = rng.choice(TITLE_FRAMES)
        title = frame.format(a=a, b=b, region=region)
        return (title[:1].upper() + title[1:])[:200]


# --------------------------------------------------------------------------------------------
# COPY
# --------------------------------------------------------------------------------------------


class Copy:
    """COPY rows into a model's table on its own connection; unlisted fields take defaults.

    Each model field not named gets its default once (a callable default such as
    timezone.now is called once for the whole load), so a new nullable or defaulted
    field does not break the seeder.
    """

    def __init__(self, url: str, model, fields: list[str]):
        import psycopg
        from django.db import connection

        meta = model._meta
        self.model = model
        by_name = {f.attname: f for f in meta.concrete_fields}
        rest = [f for f in meta.concrete_fields if f.attname not in fields]
        defaults = []
        for f in rest:
            if f.generated:
                continue
            if f.primary_key:
                raise ValueError(f"{meta.label}: give the primary key")
            value = f.get_default()
            if value is None and not f.null:
                raise ValueError(f"{meta.label}.{f.name} needs a value")
            defaults.append((f, f.get_db_prep_save(value, connection)))
        self.columns = [by_name[name].column for name in fields] + [f.column for f, _ in defaults]
        self.tail = tuple(v for _, v in defaults)
        self.conn = psycopg.connect(url, autocommit=False)
        self.conn.execute("SET session_replication_role = replica")
        self.conn.execute("SET synchronous_commit = off")
        cols = ", ".join(f'"{c}"' for c in self.columns)
        self.cursor = self.conn.cursor()
        self._cm = self.cursor.copy(f'COPY "{meta.db_table}" ({cols}) FROM STDIN')
        self.copy = self._cm.__enter__()
        self.count = 0

    def write(self, *values) -> None:
        self.copy.write_row(values + self.tail)
        self.count += 1

    def close(self) -> int:
        self._cm.__exit__(None, None, None)
        self.conn.commit()
        self.conn.close()
        return self.count


def run_sql(url: str, statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET session_replication_role = replica")
        for statement in statements:
            conn.execute(statement)


def in_parallel(url: str, groups: list[list[str]]) -> None:
    """Run each list of statements on its own connection, the lists at the same time."""
    errors: list[BaseException] = []

    def work(statements):
        try:
            run_sql(url, statements)
        except BaseException as exc:  # re-raised below, in the main thread
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(g,)) for g in groups if g]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]


def secondary_indexes(url: str, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes on these tables that back no constraint."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            " WHERE t.relname = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [tables],
        ).fetchall()
    return [(name, definition) for name, definition in rows]


# --------------------------------------------------------------------------------------------
# The data set
# --------------------------------------------------------------------------------------------


def thread_lengths(rng: random.Random, threads: int, posts: int) -> list[int]:
    """Log-normal lengths (median about 8, a few in the thousands) adding up to `posts`."""
    raw = [rng.lognormvariate(2.1, 1.3) for _ in range(threads)]
    scale = (posts - threads) / sum(raw)
    lengths = [min(1 + int(r * scale), MAX_THREAD_POSTS) for r in raw]
    gap = posts - sum(lengths)
    order = sorted(range(threads), key=lambda i: -lengths[i])
    step = 1 if gap > 0 else -1
    i = 0
    while gap:
        index = order[i % len(order)]
        if lengths[index] + step >= 1 and lengths[index] + step <= MAX_THREAD_POSTS:
            lengths[index] += step
            gap -= step
        i += 1
    return lengths


def skewed(rng: random.Random, pool: list, power: float = 2.5):
    """One of the pool, those near its start far more often (a few members do most)."""
    return pool[int(len(pool) * rng.random() ** power)]


class Seeder:
    def __init__(self, url: str, scale: float, rng: random.Random):
        self.url = url
        self.rng = rng
        self.posts = max(int(POSTS * scale), 2_000)
        self.threads = max(int(THREADS * scale), 100)
        self.members = max(int(MEMBERS * scale), 500)
        self.resources = max(int(RESOURCES * scale), 50)
        self.events = max(int(EVENTS * scale), 20)
        self.writer = Writer(rng)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.timings: dict[str, float] = {}

    def step(self, name: str, started: float) -> None:
        self.timings[name] = round(time.perf_counter() - started, 1)
        log(f"{name}: {self.timings[name]} s")

    # -- members -----------------------------------------------------------------------------

    def seed_members(self) -> None:
        from allauth.account.models import EmailAddress
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        from community.accounts.models import LocalAuthority, Region
        from community.forum.models import Membership, Space

        started = time.perf_counter()
        rng = self.rng
        User = get_user_model()
        regions = list(Region.objects.order_by("name"))
        self.regions = regions
        las: dict[int, list[int]] = {}
        for la in LocalAuthority.objects.order_by("name"):
            las.setdefault(la.region_id, []).append(la.pk)
        groups = {s.region_id: s.pk for s in Space.objects.filter(kind=Space.Kind.REGIONAL)}
        london = next(r for r in regions if r.slug == page_bench.BENCH_REGION)
        unusable = make_password(None)
        roles = (
            [User.Role.PRACTITIONER] * 50 + [User.Role.PARENT_CARER] * 30
            + [User.Role.COMMISSIONER] * 8 + [User.Role.YOUNG_PERSON] * 6
            + [User.Role.EXPERT] * 4 + [User.Role.MODERATOR] * 1 + [User.Role.STAFF] * 1
        )  # fmt: skip
        users = Copy(
            self.url, User,
            ["id", "username", "email", "display_name", "role", "is_verified", "age_band",
             "home_region_id", "local_authority_id", "organisation", "password", "date_joined",
             "trust_level"],
        )  # fmt: skip
        members = Copy(self.url, Membership, ["id", "user_id", "space_id", "joined_at"])
        # Who is who, kept for the threads: (id, region id, verified professional, minor).
        self.member_rows: list[tuple[int, int, bool, bool]] = []
        self.names: dict[int, str] = {}
        self.bench_id = 1
        start = self.now - timedelta(days=3 * 365)
        for uid in range(1, self.members + 1):
            if uid == self.bench_id:
                username, email = page_bench.BENCH_USERNAME, page_bench.BENCH_EMAIL
                role, region = User.Role.PRACTITIONER, london
                name, password, verified = (
                    page_bench.BENCH_DISPLAY_NAME, make_password(page_bench.BENCH_PASSWORD), True
                )  # fmt: skip
            else:
                username, email = f"member-{uid:06d}", f"member-{uid:06d}@national.example"
                role, region = rng.choice(roles), rng.choice(regions)
                first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
                if role in (User.Role.PARENT_CARER, User.Role.YOUNG_PERSON):
                    name = f"{first} ({'parent' if role == User.Role.PARENT_CARER else 'young'})"
                else:
                    name = f"{first} {surname}"
                password = unusable
                verified = role in User.PROFESSIONAL_ROLES and rng.random() < 0.85
            age = User.AgeBand.AGE_26_PLUS
            if role == User.Role.YOUNG_PERSON:
                age = rng.choice([User.AgeBand.AGE_13_15, User.AgeBand.AGE_16_17,
                                  User.AgeBand.AGE_18_25])  # fmt: skip
            professional = role in User.PROFESSIONAL_ROLES
            users.write(
                uid, username, email, name, str(role), verified, str(age), region.pk,
                rng.choice(las[region.pk]), "Family hub" if professional else "", password,
                start + timedelta(seconds=rng.randint(0, 3 * 365 * 86400)),
                rng.choices((0, 1, 2, 3), weights=(30, 45, 20, 5))[0],
            )  # fmt: skip
            members.write(uid, uid, groups[region.pk], self.now)
            self.member_rows.append(
                (uid, region.pk, verified and professional, age in User.MINOR_AGE_BANDS)
            )
            self.names[uid] = name
        users.close()
        members.close()
        EmailAddress.objects.create(
            user_id=self.bench_id, email=page_bench.BENCH_EMAIL, verified=True, primary=True
        )
        self.step(f"members ({self.members:,} and their regional groups)", started)

    # -- threads, posts, reactions ----------------------------------------------------------------

    def seed_forum(self) -> None:
        from community.forum.models import Post, Reaction, Space, Thread, Topic

        started = time.perf_counter()
        rng = self.rng
        spaces = {s.slug: s for s in Space.objects.all()}
        groups = {s.region_id: s for s in spaces.values() if s.kind == Space.Kind.REGIONAL}
        weighted = [(spaces["national"], 30), (spaces["announcements"], 1),
                    (spaces["ask-an-expert"], 5), (spaces["library-suggestions"], 3),
                    (spaces["la-leads"], 3), (spaces["parents-and-carers"], 6),
                    (spaces["young-people"], 3)]  # fmt: skip
        weighted += [(space, 5) for space in groups.values()]
        space_choices, space_weights = zip(*weighted, strict=True)
        topics = [t.pk for t in Topic.objects.order_by("slug")]
        region_names = {r.pk: r.name for r in self.regions}
        # Who writes where: a group's own region; la-leads verified professionals only; the
        # young people's space mostly young people; announcements staff. Nobody else posts in
        # a minor's space.
        everyone = [m for m in self.member_rows if not m[3]]
        rng.shuffle(everyone)
        pools = {
            "national": everyone, "ask-an-expert": everyone, "library-suggestions": everyone,
            "parents-and-carers": everyone,
            "la-leads": [m for m in everyone if m[2]],
            "young-people": [m for m in self.member_rows if m[3]] or everyone,
            "announcements": everyone[:50],
        }  # fmt: skip
        for region_id, space in groups.items():
            pools[space.slug] = [m for m in everyone if m[1] == region_id]
        pools = {k: [m[0] for m in v] for k, v in pools.items()}

        lengths = thread_lengths(rng, self.threads - 1, self.posts - BIG_THREAD_POSTS)
        # Thread starts spread over three years, oldest first so ids grow with time.
        span = 3 * 365 * 86400
        starts = sorted(rng.randint(0, span - 3600) for _ in lengths)
        plan = [(spaces[rng.choices([s.slug for s in space_choices], space_weights)[0]], n, s)
                for n, s in zip(lengths, starts, strict=True)]  # fmt: skip
        # The 1,000-post thread of bench/pages.py: national, last post an hour ago.
        big_start = span - 3600 - 30 * 60 * (BIG_THREAD_POSTS - 1)
        plan.insert(bisect.bisect([p[2] for p in plan], big_start),
                    (spaces["national"], BIG_THREAD_POSTS, big_start, "big"))  # fmt: skip
        origin = self.now - timedelta(seconds=span)

        # Two passes, so that post ids (and the rows' places on disk) follow time, as they do
        # when members write them: first every post's skeleton (who, when, status,
        # reactions), thread by thread; then, sorted by time, the rows with their text.
        # thread_info: (id, space id, post ids by number, post count, slug)
        self.thread_info: list[tuple[int, int, list[int], int, str]] = []
        self.busy_thread = (0, 0)
        skeletons = []  # (at, thread id, number, author, status, deleted_at, reply_to, reactions)
        thread_rows = []
        from django.utils.text import slugify

        for tid, entry in enumerate(plan, start=1):
            space, count, start_s = entry[0], entry[1], entry[2]
            big = len(entry) > 3
            pool = pools[space.slug] or pools["national"]
            start = origin + timedelta(seconds=start_s)
            if big:
                title, gap = page_bench.BIG_THREAD_TITLE, 1800.0
            else:
                region = region_names.get(space.region_id, "our area")
                title = self.writer.title(region)
                # Long threads are busy ones; none runs past now.
                gap = rng.uniform(300, 86400) / math.sqrt(count)
                gap = min(gap, (span - start_s - 60) / max(count, 1))
            author = skewed(rng, pool)
            published, likes, last_at, last_name = 0, 0, start, ""
            candidates = []
            for number in range(1, count + 1):
                who = author if number == 1 else skewed(rng, pool)
                at = start + timedelta(seconds=gap * (number - 1) + rng.uniform(0, gap * 0.5))
                status, deleted_at = "published", None
                if number > 1 and not big:
                    roll = rng.random()
                    if roll < 0.002:
                        status = "held"
                    elif roll < 0.005:
                        status = "hidden"
                    elif roll < 0.008:
                        deleted_at = at + timedelta(hours=1)
                reply_to = None
                if number > 3 and rng.random() < 0.25:
                    reply_to = number - rng.randint(1, 3)
                reactions = None
                if status == "published" and deleted_at is None:
                    n_reactions = min(int(rng.expovariate(1 / REACTIONS_PER_POST)), 6)
                    seen = {}
                    for _ in range(n_reactions):
                        user = skewed(rng, pool, 1.5)
                        kind = rng.choice(REACTION_KINDS)
                        if user != who and (user, kind) not in seen:
                            seen[user, kind] = at + timedelta(minutes=rng.randint(1, 600))
                    if seen:
                        reactions = seen
                        likes += sum(1 for _u, k in seen if k == "like")
                    published += 1
                    last_at, last_name = at, self.names[who]
                    if number > 1 and space.accepted_answers:
                        candidates.append(number)
                skeletons.append((at, tid, number, who, status, deleted_at, reply_to, reactions))
            accepted = rng.choice(candidates) if candidates and rng.random() < 0.4 else None
            age_days = (self.now - last_at).days
            closed = not big and rng.random() < 0.03
            archived = not big and age_days > 700 and rng.random() < 0.2
            slug = slugify(title)[:80] or "thread"
            thread_rows.append([
                tid, space.pk, rng.choice(topics), title, slug, author, "published", start,
                closed, archived, accepted, published, count, likes, last_at, last_name,
            ])  # fmt: skip
            self.thread_info.append((tid, space.pk, [0] * count, count, slug))
            if count > self.busy_thread[1] and space.slug == "national":
                self.busy_thread = (tid, count)
        skeletons.sort(key=lambda row: (row[0], row[1], row[2]))
        self.post_authors: list[int] = [0] * (len(skeletons) + 1)  # by post id
        for post_id, row in enumerate(skeletons, start=1):
            self.thread_info[row[1] - 1][2][row[2] - 1] = post_id
            self.post_authors[post_id] = row[3]
        log(f"  planned {len(thread_rows):,} threads and {len(skeletons):,} posts")

        thread_copy = Copy(
            self.url, Thread,
            ["id", "space_id", "topic_id", "title", "slug", "author_id", "status", "created_at",
             "is_closed", "is_archived", "accepted_answer_id", "post_count",
             "highest_post_number", "like_count", "last_post_at", "last_poster_name"],
        )  # fmt: skip
        for row in thread_rows:
            if row[10]:  # the accepted answer's number becomes its id
                row[10] = self.thread_info[row[0] - 1][2][row[10] - 1]
            thread_copy.write(*row)
        self.thread_count = thread_copy.close()

        post_copy = Copy(
            self.url, Post,
            ["id", "thread_id", "kind", "number", "author_id", "source", "html", "text",
             "status", "reply_to_id", "reply_to_number", "reply_to_name", "created_at",
             "deleted_at", "deleted_by_id", "reaction_counts"],
        )  # fmt: skip
        reaction_copy = Copy(self.url, Reaction, ["id", "post_id", "user_id", "kind", "created_at"])
        reaction_id = 0
        for post_id, row in enumerate(skeletons, start=1):
            at, tid, number, who, status, deleted_at, reply_to, reactions = row
            counts: dict[str, int] = {}
            for (user, kind), reacted_at in (reactions or {}).items():
                reaction_id += 1
                reaction_copy.write(reaction_id, post_id, user, kind, reacted_at)
                counts[kind] = counts.get(kind, 0) + 1
            reply_id = self.thread_info[tid - 1][2][reply_to - 1] if reply_to else None
            source, html, text = self.writer.post()
            post_copy.write(
                post_id, tid, "post", number, who, source, html, text, status, reply_id,
                reply_to, self.names[self.post_authors[reply_id]] if reply_id else "", at,
                deleted_at, who if deleted_at else None, json.dumps(counts),
            )  # fmt: skip
            if post_id % 200_000 == 0:
                log(f"  {post_id:,} posts")
        self.post_count = post_copy.close()
        self.reaction_count = reaction_copy.close()
        self.step(
            f"forum ({self.thread_count:,} threads, {self.post_count:,} posts, "
            f"{self.reaction_count:,} reactions)",
            started,
        )

    # -- read state, bookmarks, subscriptions, notifications, tags --------------------------------

    def seed_activity(self) -> None:
        from django.contrib.contenttypes.models import ContentType
        from taggit.models import Tag, TaggedItem

        from community.forum.models import Bookmark, Thread, ThreadRead
        from notifications.models import Notification, Subscription

        started = time.perf_counter()
        rng = self.rng
        info = self.thread_info
        # Popular threads are read more: pick threads in proportion to their length.
        cum = list(itertools.accumulate(t[3] for t in info))
        reads = Copy(self.url, ThreadRead,
                     ["id", "user_id", "thread_id", "last_read_number", "updated_at"])  # fmt: skip
        bookmarks = Copy(self.url, Bookmark, ["id", "post_id", "user_id", "created_at"])
        subscriptions = Copy(
            self.url, Subscription, ["id", "user_id", "target", "target_id", "level", "updated_at"]
        )
        read_id = bookmark_id = subscription_id = 0
        busy_id = self.busy_thread[0]
        watchers = set(rng.sample(range(2, self.members + 1),
                                  min(BUSY_THREAD_WATCHERS, self.members - 1)))  # fmt: skip
        watchers.add(self.bench_id)
        for uid in range(1, self.members + 1):
            n = BENCH_READS if uid == self.bench_id else int(rng.expovariate(1 / READS_PER_MEMBER))
            picked = {info[i][0]: info[i] for i in (bisect.bisect(cum, rng.random() * cum[-1])
                                        for _ in range(n))}  # fmt: skip
            for tid, _space, _ids, count, _slug in picked.values():
                read_id += 1
                reads.write(read_id, uid, tid, rng.randint(1, count), self.now)
            marked = set()
            for _ in range(int(rng.expovariate(1 / BOOKMARKS_PER_MEMBER))):
                _tid, _space, ids, count, _slug = info[bisect.bisect(cum, rng.random() * cum[-1])]
                marked.add(ids[rng.randrange(count)])
            for post in marked:
                bookmark_id += 1
                bookmarks.write(bookmark_id, post, uid, self.now)
            targets = set(picked)
            chosen = list(targets)[: int(rng.expovariate(1 / SUBSCRIPTIONS_PER_MEMBER))]
            if uid in watchers:
                chosen = [busy_id] + [t for t in chosen if t != busy_id]
            for tid in chosen:
                subscription_id += 1
                level = 3 if tid == busy_id else rng.choice((2, 3))
                subscriptions.write(subscription_id, uid, "thread", tid, level, self.now)
        reads.close()
        bookmarks.close()
        subscriptions.close()

        notes = Copy(
            self.url, Notification,
            ["id", "user_id", "kind", "actor_id", "thread_id", "post_id", "data", "created_at",
             "read_at"],
        )  # fmt: skip
        total = NOTIFICATIONS_PER_MEMBER * self.members
        titles = dict(Thread.objects.values_list("pk", "title"))
        note_rows = []
        for _ in range(total):
            uid = skewed(rng, range(1, self.members + 1), 1.3)
            note_rows.append(uid)
        note_rows += [self.bench_id] * BENCH_NOTIFICATIONS
        rng.shuffle(note_rows)
        span = 90 * 86400
        times = sorted(rng.randint(0, span) for _ in note_rows)
        for nid, (uid, offset) in enumerate(zip(note_rows, times, strict=True), start=1):
            tid, _space, ids, count, slug = info[bisect.bisect(cum, rng.random() * cum[-1])]
            number = rng.randint(1, count)
            post = ids[number - 1]
            actor = self.post_authors[post]
            kind = rng.choice(NOTIFICATION_KINDS)
            data = {"title": titles[tid], "slug": slug, "number": number,
                    "actor": self.names[actor]}  # fmt: skip
            if kind == "reaction":
                data["emoji"] = "❤️"
            at = self.now - timedelta(seconds=span - offset)
            read_at = at + timedelta(hours=2) if offset < span * 0.9 or rng.random() < 0.3 else None
            notes.write(nid, uid, kind, actor, tid, post, json.dumps(data), at, read_at)
        self.notification_count = notes.close()

        thread_type = ContentType.objects.get_for_model(Thread)
        tags = Tag.objects.bulk_create([Tag(name=name, slug=name) for name in TAG_NAMES])
        tagged = Copy(self.url, TaggedItem, ["id", "tag_id", "content_type_id", "object_id"])
        item_id = 0
        for tid, *_ in info:
            for tag in rng.sample(tags, rng.choices((0, 1, 2, 3), weights=(30, 35, 25, 10))[0]):
                item_id += 1
                tagged.write(item_id, tag.pk, thread_type.pk, tid)
        tagged.close()
        self.counts = {
            "thread reads": read_id, "bookmarks": bookmark_id, "subscriptions": subscription_id,
            "notifications": self.notification_count, "thread tags": item_id,
        }  # fmt: skip
        self.step("activity (" + ", ".join(f"{v:,} {k}" for k, v in self.counts.items()) + ")",
                  started)  # fmt: skip

    # -- library and events -------------------------------------------------------------------------

    def seed_library_and_events(self) -> None:
        from community.accounts.models import Region
        from community.forum.models import Topic
        from community.library.models import Resource, ResourceVersion
        from community.training.models import Event

        started = time.perf_counter()
        rng = self.rng
        owners = [m[0] for m in self.member_rows if m[2]][:500] or [self.bench_id]
        topics = list(Topic.objects.values_list("pk", flat=True))
        resources = Copy(
            self.url, Resource,
            ["id", "title", "slug", "summary", "source", "html", "type", "state", "owner_id",
             "current_version_id", "created_at", "published_at", "last_reviewed_at",
             "next_review_at", "useful_count", "rating_count", "review_round"],
        )  # fmt: skip
        versions = Copy(
            self.url, ResourceVersion,
            ["id", "resource_id", "number", "title", "summary", "source", "html",
             "published_by_id", "published_at"],
        )  # fmt: skip
        resource_topics = []
        types = [c for c, _ in Resource.Type.choices]
        for rid in range(1, self.resources + 1):
            title = self.writer.title("England")
            summary = " ".join(self.writer.sentences(2))
            parts = [self.writer.post() for _ in range(rng.randint(2, 5))]
            source = "\n\n".join(p[0] for p in parts)
            html = "\n".join(p[1] for p in parts)
            published = self.now - timedelta(days=rng.randint(1, 1000))
            owner = rng.choice(owners)
            rating = rng.randint(0, 40)
            from django.utils.text import slugify

            resources.write(
                rid, title, slugify(title)[:80] or "resource", summary, source, html,
                rng.choice(types), "published", owner, rid, published, published, published,
                (published + timedelta(days=365)).date(), rng.randint(0, rating), rating, 1,
            )  # fmt: skip
            versions.write(rid, rid, 1, title, summary, source, html, owner, published)
            for topic in rng.sample(topics, rng.randint(1, 3)):
                resource_topics.append((rid, topic))
        resources.close()
        versions.close()
        through = Resource.topics.through
        links = Copy(self.url, through, ["id", "resource_id", "topic_id"])
        for i, (rid, topic) in enumerate(resource_topics, start=1):
            links.write(i, rid, topic)
        links.close()

        regions = list(Region.objects.values_list("pk", flat=True))
        events = Copy(
            self.url, Event,
            ["id", "title", "description", "description_html", "description_text", "region_id",
             "format", "starts_at", "ends_at", "capacity", "created_by_id", "created_at"],
        )  # fmt: skip
        for eid in range(1, self.events + 1):
            source, html, text = self.writer.post()
            starts = self.now + timedelta(days=rng.randint(-700, 120), hours=rng.randint(9, 18))
            region = rng.choice(regions) if rng.random() < 0.6 else None
            events.write(
                eid, self.writer.title("England"), source, html, text, region,
                rng.choice(["online", "in_person", "hybrid"]), starts,
                starts + timedelta(hours=rng.choice((1, 2, 3))), rng.choice((20, 40, 100)),
                rng.choice(owners), starts - timedelta(days=30),
            )  # fmt: skip
        events.close()
        self.step(f"library and events ({self.resources:,} resources, {self.events:,} events)",
                  started)  # fmt: skip

    # -- counters, index, statistics ------------------------------------------------------------

    def finish(self, dropped: list[tuple[str, str]]) -> None:
        from django.core.management.color import no_style
        from django.db import connection

        from community.search.indexing import rebuild

        started = time.perf_counter()
        # Space counters, as sync_space keeps them.
        run_sql(self.url, [
            "UPDATE forum_space s SET thread_count = c.n, post_count = c.posts, last_post_at = c.last"
            " FROM (SELECT space_id, count(*) n, sum(post_count) posts, max(last_post_at) last"
            " FROM forum_thread WHERE status = 'published' AND deleted_at IS NULL"
            " GROUP BY space_id) c WHERE c.space_id = s.id",
        ])  # fmt: skip
        with connection.cursor() as cursor:
            from django.apps import apps

            for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(statement)
        self.step("space counters and id sequences", started)

        # The search index, written by the database in the shape of indexing.rebuild: one
        # document per post (the title with the first post), two halves at once.
        started = time.perf_counter()
        half = self.post_count // 2
        # With the copy of each post's, thread's and space's fields that search filters on
        # (community/search/models.py; the columns of ForumPostProvider.entries).
        insert = (
            "INSERT INTO search_document (kind, object_id, title, body, created_at, indexed_at,"
            " space_id, topic_id, thread_id, author_id, status, deleted_at, thread_author_id,"
            " thread_status, thread_deleted_at, thread_is_unlisted, thread_is_closed,"
            " thread_is_archived, thread_is_solved, audience)"
            " SELECT 'post', p.id, CASE WHEN p.number = 1 THEN left(t.title, 300) ELSE '' END,"
            " replace(replace(p.text, chr(2), ' '), chr(3), ' '), p.created_at, now(),"
            " t.space_id, t.topic_id, p.thread_id, p.author_id, p.status, p.deleted_at,"
            " t.author_id, t.status, t.deleted_at, t.is_unlisted, t.is_closed, t.is_archived,"
            " t.accepted_answer_id IS NOT NULL,"
            # forum.permissions.post_audience: whether the post's space is open to everyone.
            " CASE WHEN s.visibility = 'public' THEN 'everyone' ELSE '' END"
            " FROM forum_post p JOIN forum_thread t ON t.id = p.thread_id"
            " JOIN forum_space s ON s.id = t.space_id"
            " WHERE p.kind = 'post' AND p.id {} ORDER BY p.id"
        )
        in_parallel(self.url, [[insert.format(f"<= {half}")], [insert.format(f"> {half}")]])
        rebuild("resource")
        rebuild("event")
        self.step("search documents", started)

        started = time.perf_counter()
        statements = [definition for _name, definition in dropped]
        # The largest builds first, shared between two connections.
        statements.sort(key=lambda d: ("search_document" not in d, "forum_post" not in d))
        in_parallel(self.url, [statements[0::2], statements[1::2]])
        self.step(f"secondary indexes ({len(statements)})", started)

        started = time.perf_counter()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute("VACUUM ANALYZE")
        self.step("VACUUM ANALYZE", started)


BIG_TABLES = [
    "forum_post", "forum_thread", "forum_reaction", "forum_threadread", "forum_bookmark",
    "search_document", "notifications_notification", "notifications_subscription",
    "accounts_user", "forum_membership", "taggit_taggeditem",
]  # fmt: skip


def is_seeded(url: str) -> dict | None:
    import psycopg

    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('bench_national_seed')").fetchone()[0]
        if not exists:
            return None
        row = conn.execute(
            "SELECT finished_at, seconds, details FROM bench_national_seed"
            " ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
    return {"finished_at": row[0], "seconds": row[1], "details": row[2]} if row else None


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=page_bench.DEFAULT_REDIS_URL)
    parser.add_argument("--cache-prefix", default="national")
    parser.add_argument("--reseed", action="store_true", help="drop the database and seed again")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the national size (0.01 for a quick try)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if "test_" in args.database_url.rsplit("/", 1)[-1]:
        raise SystemExit("Refusing to seed a test database.")
    env = page_bench.bench_env(args)
    page_bench.ensure_database(args.database_url, drop=args.reseed)
    done = is_seeded(args.database_url)
    if done:
        log(f"Already seeded at {done['finished_at']:%Y-%m-%d %H:%M} in {done['seconds']:.0f} s; "
            "--reseed to start again.")  # fmt: skip
        return 0
    page_bench.setup_django(env)
    from django.db import connection

    from community.forum.models import Post

    started_all = time.perf_counter()
    started = time.perf_counter()
    page_bench.manage(env, "migrate", "--no-input")
    log(f"migrate: {time.perf_counter() - started:.1f} s")
    if Post.objects.exists():
        raise SystemExit("This database has posts but no finished national seed: use --reseed.")
    seeder = Seeder(args.database_url, args.scale, random.Random(args.seed))
    seeder.timings["migrate"] = round(time.perf_counter() - started, 1)
    dropped = secondary_indexes(args.database_url, BIG_TABLES)
    run_sql(args.database_url, [f'DROP INDEX "{name}"' for name, _ in dropped])
    seeder.seed_members()
    seeder.seed_forum()
    seeder.seed_activity()
    seeder.seed_library_and_events()
    connection.close()
    seeder.finish(dropped)
    total = time.perf_counter() - started_all
    details = {
        "scale": args.scale, "posts": seeder.post_count, "threads": seeder.thread_count,
        "members": seeder.members, "reactions": seeder.reaction_count, **seeder.counts,
        "resources": seeder.resources, "events": seeder.events,
        "busy_thread": seeder.busy_thread, "timings": seeder.timings,
        "load_average": os.getloadavg(),
    }  # fmt: skip
    run_sql(args.database_url, [
        "CREATE TABLE IF NOT EXISTS bench_national_seed"
        " (finished_at timestamptz PRIMARY KEY, seconds real, details jsonb)",
        "INSERT INTO bench_national_seed VALUES (now(), {:.1f}, '{}')".format(
            total, json.dumps(details).replace("'", "''")
        ),
    ])  # fmt: skip
    log(f"Seeded in {total:.0f} s: {json.dumps(details)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
