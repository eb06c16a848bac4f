"""Bring a Discourse site's categories, tags, members, topics, posts and likes across.

What maps: categories → spaces (a space with the same slug is reused, others become
community spaces, restricted ones for staff only until opened), tags → tags (a tag that
names one of our practice topics becomes the thread's practice topic), users → ordinary
members, topics → threads with their posts in order, likes → likes. What has no home here
is counted in the report: whispers and small actions, private categories' members, uploads
(left as links to the source site), members the source does not name.

Safe to run again: every object brought across is remembered (`ImportedObject`), so a
second run adds only what is new at the source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime
from django.utils.timezone import now

from community.accounts.actions import import_member
from community.forum.imports import ImportedPost, import_like, import_space, import_thread
from community.forum.models import Post, Space, Topic

from .client import DiscourseClient
from .models import ImportedObject

Kind = ImportedObject.Kind
REGULAR_POST = 1
LIKE = 2
POSTS_PER_REQUEST = 20


@dataclass
class Report:
    created: Counter = field(default_factory=Counter)
    reused: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"created {kind}: {n}" for kind, n in sorted(self.created.items())]
        out += [f"already here {kind}: {n}" for kind, n in sorted(self.reused.items())]
        out += [f"not brought across {why}: {n}" for why, n in sorted(self.skipped.items())]
        return out + self.notes


class DiscourseImport:
    def __init__(self, client: DiscourseClient, *, actor, default_topic: Topic,
                 progress: Callable[[str], None] = lambda _line: None):  # fmt: skip
        self.client, self.actor, self.default_topic = client, actor, default_topic
        self.source = client.url
        self.progress = progress
        self.report = Report()
        self.topics_by_slug = {t.slug: t for t in Topic.objects.all()}
        self.spaces: dict[int, Space] = {}
        self.members: dict[str, object] = {}

    # --- memory of what was imported --------------------------------------------------------

    def _known(self, kind: str, source_id) -> int | None:
        return (
            ImportedObject.objects.filter(source=self.source, kind=kind, source_id=str(source_id))
            .values_list("local_id", flat=True)
            .first()
        )

    def _remember(self, kind: str, source_id, local_id: int) -> None:
        ImportedObject.objects.get_or_create(
            source=self.source, kind=kind, source_id=str(source_id),
            defaults={"local_id": local_id},
        )  # fmt: skip

    # --- the steps --------------------------------------------------------------------------

    def run(self) -> Report:
        self.categories()
        self.topics()
        return self.report

    def categories(self) -> None:
        listing = self.client.get("/categories.json").get("category_list", {})
        for category in listing.get("categories", []):
            known = self._known(Kind.CATEGORY, category["id"])
            if known:
                self.spaces[category["id"]] = Space.objects.get(pk=known)
                self.report.reused["spaces"] += 1
                continue
            space = Space.objects.filter(slug=category.get("slug", "")).first()
            if space is not None:
                self.report.reused["spaces"] += 1
            else:
                space = import_space(
                    actor=self.actor, slug=category.get("slug", ""), name=category["name"],
                    description=category.get("description_text") or "",
                    restricted=bool(category.get("read_restricted")),
                )  # fmt: skip
                self.report.created["spaces"] += 1
            self._remember(Kind.CATEGORY, category["id"], space.pk)
            self.spaces[category["id"]] = space
        self.progress(f"{len(self.spaces)} categories mapped to spaces")

    def _member(self, username: str | None, name: str = ""):
        """The member for a source username, brought across the first time it is met."""
        if not username:
            self.report.skipped["posts by members the source does not name"] += 1
            return None
        if username in self.members:
            return self.members[username]
        known = self._known(Kind.USER, username)
        member = get_user_model().objects.filter(pk=known).first() if known else None
        if member is None:
            profile = self.client.get(f"/u/{username}.json").get("user", {})
            member = import_member(
                actor=self.actor, username=username, display_name=profile.get("name") or name,
                email=profile.get("email") or "",
            )  # fmt: skip
            self._remember(Kind.USER, username, member.pk)
            self.report.created["members"] += 1
        self.members[username] = member
        return member

    def _topic_ids(self):
        page = 0
        while True:
            listing = self.client.get("/latest.json", page=page, order="created", ascending="true")
            topics = listing.get("topic_list", {}).get("topics", [])
            if not topics:
                return
            yield from (t["id"] for t in topics)
            if not listing["topic_list"].get("more_topics_url"):
                return
            page += 1

    def topics(self) -> None:
        seen = 0
        for topic_id in list(dict.fromkeys(self._topic_ids())):
            seen += 1
            if self._known(Kind.TOPIC, topic_id):
                self.report.reused["threads"] += 1
                continue
            self._topic(topic_id)
            if seen % 10 == 0:
                self.progress(f"{seen} topics read")
        self.progress(f"{seen} topics read")

    def _posts(self, topic: dict) -> list[dict]:
        stream = topic.get("post_stream", {}).get("stream") or [
            p["id"] for p in topic.get("post_stream", {}).get("posts", [])
        ]
        posts = []
        for post_id in stream:
            post = self.client.get(f"/posts/{post_id}.json")
            if post:
                posts.append(post)
        return sorted(posts, key=lambda p: p["post_number"])

    def _topic(self, topic_id: int) -> None:
        topic = self.client.get(f"/t/{topic_id}.json")
        space = self.spaces.get(topic.get("category_id"))
        if not topic or space is None:
            self.report.skipped["topics outside any readable category"] += 1
            return
        posts, sources = [], []
        for post in self._posts(topic):
            if post.get("post_type", REGULAR_POST) != REGULAR_POST:
                self.report.skipped["whispers and small actions"] += 1
                continue
            if post.get("deleted_at") or post.get("hidden"):
                self.report.skipped["deleted or hidden posts"] += 1
                continue
            author = self._member(post.get("username"), post.get("name", ""))
            if author is None or not (post.get("raw") or "").strip():
                continue
            if "upload://" in post["raw"]:
                self.report.skipped["uploads (left as links to the source)"] += 1
            created = parse_datetime(post.get("created_at") or "") or now()
            edited = parse_datetime(post.get("updated_at") or "")
            posts.append(ImportedPost(author=author, source=post["raw"], created_at=created,
                                      edited_at=edited if edited and edited > created else None))  # fmt: skip
            sources.append(post)
        if not posts:
            self.report.skipped["topics with no post to bring"] += 1
            return
        tags = [t if isinstance(t, str) else t.get("name", "") for t in topic.get("tags", [])]
        practice = next((self.topics_by_slug[t] for t in tags if t in self.topics_by_slug), None)
        thread = import_thread(
            actor=self.actor, space=space,
            topic=practice or space.default_topic or self.default_topic,
            title=topic["title"], tags=[t for t in tags if t not in self.topics_by_slug],
            posts=posts, closed=bool(topic.get("closed")), pinned=bool(topic.get("pinned")),
            views=_whole_number(topic.get("views")),
        )  # fmt: skip
        self._remember(Kind.TOPIC, topic_id, thread.pk)
        self.report.created["threads"] += 1
        by_number = {p.number: p for p in Post.objects.filter(thread=thread)}
        for number, source_post in enumerate(sources, start=1):
            self._remember(Kind.POST, source_post["id"], by_number[number].pk)
            self.report.created["posts"] += 1
            self._likes(source_post, by_number[number])

    def _likes(self, source_post: dict, post: Post) -> None:
        count = next(
            (a.get("count", 0) for a in source_post.get("actions_summary", []) if a.get("id") == LIKE),
            0,
        )  # fmt: skip
        if not count:
            return
        listing = self.client.get("/post_action_users.json", id=source_post["id"],
                                  post_action_type_id=LIKE)  # fmt: skip
        users = listing.get("post_action_users", [])
        if len(users) < count:
            self.report.skipped["likes by members the source does not name"] += count - len(users)
        for user in users:
            member = self._member(user.get("username"), user.get("name", ""))
            if member is not None and import_like(actor=self.actor, post=post, member=member):
                self._remember(Kind.LIKE, f"{source_post['id']}:{user['username']}", post.pk)
                self.report.created["likes"] += 1


def _whole_number(value) -> int:
    """A count from the source's JSON, or 0 for anything that is not a whole number."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
