"""Reads for pages: each costs a fixed number of queries whatever the data size."""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import (
    CharField,
    Exists,
    F,
    IntegerField,
    Lookup,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.http import Http404
from django.utils import timezone

from community import markup
from community.accounts.models import User
from community.compiled import CompiledQuery
from community.sqlarrays import among

from . import permissions
from .models import (
    Attachment,
    Bookmark,
    Draft,
    Post,
    PostRevision,
    Reaction,
    Space,
    Status,
    Thread,
    ThreadRead,
)

NEW_THREAD_DAYS = 14
TOP_PERIODS = {"day": 1, "week": 7, "month": 30, "year": 365}


@dataclass
class ThreadList:
    threads: list[Thread]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _with_read_state(user, qs: QuerySet[Thread]) -> QuerySet[Thread]:
    """Annotate each thread with the member's read position (one subquery, no extra query)."""
    if user is None or not user.is_authenticated:
        return qs.annotate(last_read=Value(None, output_field=IntegerField()))
    reads = ThreadRead.objects.filter(user=user, thread=OuterRef("pk")).values("last_read_number")[
        :1
    ]
    return qs.annotate(last_read=Subquery(reads, output_field=IntegerField()))


def _paginate(qs: QuerySet[Thread], page: int) -> ThreadList:
    per_page = settings.FORUM_THREADS_PER_PAGE
    page = max(page, 1)
    start = (page - 1) * per_page
    # One row more than the page tells whether there is a next page, without a COUNT.
    return _paged(list(qs[start : start + per_page + 1]), page)


def _paged(rows: list[Thread], page: int) -> ThreadList:
    per_page = settings.FORUM_THREADS_PER_PAGE
    page = max(page, 1)
    attach_tags(rows)
    for thread in rows:
        thread.unread_count = unread_count(thread, thread.last_read)
    return ThreadList(threads=rows[:per_page], page=page, has_next=len(rows) > per_page)


def unread_count(thread: Thread, last_read: int | None) -> int | None:
    """Posts in the thread past the member's read position; None for a thread never opened."""
    if last_read is None:
        return None
    return max(thread.highest_post_number - last_read, 0)


@dataclass
class MemberListState:
    """What one member brings to a list whose rows are already known (``member_list_state``)."""

    last_read: dict[int, int] = field(default_factory=dict)  # read position by thread id
    # A thread of theirs their list class does not list (permissions.own_unshared_threads).
    own_unshared: bool = False


def member_list_state(
    *, viewer, threads: list[Thread], space: Space | None = None, own_threads: bool = True
) -> MemberListState:
    """The member's read positions in the listed threads and (``own_threads``) whether a
    thread only they list would be on a list of ``space`` (or any list, without one): one
    query, for a list whose rows were read for the member's whole list class."""
    state = MemberListState()
    shape = (bool(threads), own_threads, space is not None)
    if not (threads or own_threads):
        return state
    rows = _member_list_rows(
        shape,
        user_id=viewer.pk,
        space_id=space.pk if space is not None else None,
        thread_ids=[t.pk for t in threads],
    )
    for tag, thread_id, number in rows:
        if tag == _MARK_READ:
            state.last_read[thread_id] = number
        else:
            state.own_unshared = True
    return state


def _build_member_list_rows(shape, *, user_id: int, space_id: int | None, thread_ids: list[int]):
    """``member_list_state``'s rows: (what, a thread id, a read position)."""
    with_reads, own_threads, by_space = shape
    parts = []
    if with_reads:
        reads = ThreadRead.objects.filter(among("thread_id", thread_ids), user_id=user_id)
        parts.append(_tagged_rows(reads, _MARK_READ, F("thread_id"), F("last_read_number")))
    if own_threads:
        own = permissions.own_unshared_threads_of_member(user_id)
        if by_space:
            own = own.filter(space_id=space_id)
        none = Value(None, output_field=IntegerField())
        parts.append(_tagged_rows(own, _MARK_OWN, F("pk"), none))
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


_member_list_rows = CompiledQuery(
    _build_member_list_rows, "user_id", "space_id", lists=("thread_ids",), rows=True
)


def _tagged_rows(qs: QuerySet, tag: int, *columns) -> QuerySet:
    """``qs`` as (tag, columns...) rows, for a UNION of several tables' rows in one query.
    order_by(): a default ordering on either model would break the UNION on SQLite."""
    return qs.order_by().values_list(Value(tag, output_field=IntegerField()), *columns)


_TAG_SEP, _TAGS_SEP = "\x1f", "\x1e"


def _with_tags(qs: QuerySet[Thread]) -> QuerySet[Thread]:
    """Annotate each thread with its tags as one string (a subquery, no extra query)."""
    return qs.annotate(tag_pairs=_tag_pairs())


@functools.cache
def _tag_pairs() -> Subquery:
    """Built once per process (annotate() copies it): building it cost more than running it."""
    from django.db.models import StringAgg
    from django.db.models.functions import Cast, Concat
    from taggit.models import TaggedItem

    # The content type by its names, not its id: this subquery outlives the id (a test's
    # flush re-creates content types under new ids in the same process).
    meta = Thread._meta
    pairs = (
        TaggedItem.objects.filter(
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
            object_id=OuterRef("pk"),
        )
        .order_by()
        .values("object_id")
        .annotate(
            # Each tag as "order, slug, name": SQLite cannot order inside an aggregate, so
            # the order (the tagging's id, as attach_tags reads them) is sorted in Python.
            pairs=StringAgg(
                Concat(
                    Cast("pk", CharField()),
                    Value(_TAG_SEP),
                    "tag__slug",
                    Value(_TAG_SEP),
                    "tag__name",
                    output_field=CharField(),
                ),
                delimiter=Value(_TAGS_SEP),
            )
        )
        .values("pairs")
    )
    return Subquery(pairs, output_field=CharField())


def attach_tags(threads: list[Thread]) -> None:
    """Each thread's tags as `thread.tag_list`, in one query (none when `_with_tags` brought
    them with the thread).

    taggit's prefetch_related("tags") builds a full queryset per thread before discarding
    it (measured: a fifth of a list page's time); one query over TaggedItem does it once.
    """
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import Tag, TaggedItem

    if threads and all(hasattr(t, "tag_pairs") for t in threads):
        for thread in threads:
            rows = sorted(
                (int(order), slug, name)
                for order, slug, name in (
                    pair.split(_TAG_SEP, 2)
                    for pair in (thread.tag_pairs or "").split(_TAGS_SEP)
                    if pair
                )
            )
            thread.tag_list = [_listed_tag(slug, name) for _order, slug, name in rows]
        return
    by_thread: dict[int, list[Tag]] = {t.pk: [] for t in threads}
    if not by_thread:
        return
    rows = (
        TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Thread), object_id__in=list(by_thread)
        )
        .order_by("pk")
        .values_list("object_id", "tag_id", "tag__name", "tag__slug")
    )
    for object_id, tag_id, name, slug in rows:
        by_thread[object_id].append(Tag(pk=tag_id, name=name, slug=slug))
    for thread in threads:
        thread.tag_list = by_thread[thread.pk]


@functools.lru_cache(maxsize=2048)
def _listed_tag(slug: str, name: str):
    """A tag as lists and thread pages show it (its slug and name, nothing else), one
    instance per process for each: building a model instance per tag per row was a tenth of
    a list page's CPU. Read-only: nothing saves or changes these."""
    from taggit.models import Tag

    return Tag(name=name, slug=slug)


def _base_threads(user) -> QuerySet[Thread]:
    return _base_threads_by_rule(permissions.thread_rule(user), getattr(user, "pk", None))


def _base_threads_by_rule(rule: tuple, user_id: int | None) -> QuerySet[Thread]:
    qs = Thread.objects.filter(deleted_at__isnull=True)
    qs = permissions.listable_threads_by_rule(rule, user_id, qs).select_related(
        "space", "topic", "author", "last_poster"
    )
    return _with_tags(qs)  # each row's tags come with it


def latest_threads(
    *, viewer, page: int = 1, space: Space | None = None, topic=None, tag: str | None = None,
    author=None, solved: bool | None = None,
) -> ThreadList:  # fmt: skip
    """Threads by latest activity, pinned first, optionally cut by space, topic, tag, author
    or whether an answer has been accepted."""
    shape = (
        permissions.thread_rule(viewer),
        page,
        # The page's LIMIT and OFFSET are in the compiled SQL: a changed page size (a
        # setting) is another shape, never an old query cut at the old size.
        settings.FORUM_THREADS_PER_PAGE,
        (space is not None, topic is not None, bool(tag), author is not None, solved),
    )
    values = {
        "user_id": viewer.pk if viewer and viewer.is_authenticated else None,
        "space_id": space.pk if space is not None else None,
        "topic_id": topic.pk if topic is not None else None,
        "tag": tag or None,
        "author_id": author.pk if author is not None else None,
    }
    if page <= COMPILED_LIST_PAGES:
        return _paged(_latest_rows(shape, **values), page)
    return _paged(list(_build_latest(shape, **values)), page)


# The first pages of each list are compiled once per process and shape (community/compiled.py);
# deeper pages, rarely read, run the same builder's query each time (not kept, so a crawler
# walking every page cannot fill the per-process store).
COMPILED_LIST_PAGES = 20


def _build_latest(shape, *, user_id, space_id, topic_id, tag, author_id) -> QuerySet[Thread]:
    """latest_threads' query for one shape: the viewer's thread rule, the page, and which
    filters are set (their values are the stand-ins).

    The page's rows are chosen by id in a subquery, and only those rows are joined to their
    space, topic and members and get their tags and read position: with the page's OFFSET in
    the same query, PostgreSQL ran the tags and read-state subqueries for every row it
    skipped (page 20 of the latest list: 600 rows, 25-60 ms; docs/bench.md, fourth pass)."""
    rule, page, per_page, (by_space, by_topic, by_tag, by_author, solved) = shape
    qs = permissions.listable_threads_by_rule(
        rule, user_id, Thread.objects.filter(deleted_at__isnull=True)
    )
    if solved is not None:
        qs = qs.filter(accepted_answer__isnull=not solved)
    if by_space:
        qs = qs.filter(space_id=space_id)
    if by_topic:
        qs = qs.filter(topic_id=topic_id)
    if by_tag:
        qs = qs.filter(tags__slug=str(tag))
    if by_author:
        qs = qs.filter(author_id=author_id)
    if by_author:
        order = ["-last_post_at"]
    elif not (by_space or by_topic or by_tag):
        order = ["-pinned_globally", "-last_post_at"]  # the site-wide list: only global pins lead
    else:
        order = ["-is_pinned", "-last_post_at"]
    start = (max(page, 1) - 1) * per_page
    chosen = qs.order_by(*order, "-pk").values("pk")[start : start + per_page + 1]
    rows = Thread.objects.filter(_pk_among(chosen)).select_related(
        "space", "topic", "author", "last_poster"
    )
    reader = User(pk=user_id) if rule[0] != permissions.VISITOR else None
    return _with_read_state(reader, _with_tags(rows)).order_by(*order, "-pk")


def _pk_among(chosen: QuerySet) -> Q | Lookup:
    """``pk__in=chosen``; on PostgreSQL written ``pk = ANY(ARRAY(chosen))``, which it runs
    first and then reads those rows by key: for ``IN`` it planned a hash semi-join over the
    whole threads table (0.3-0.8 ms of each list page's query, docs/bench.md fourth pass)."""
    if connection.vendor != "postgresql":
        return Q(pk__in=chosen)
    return _AnyOfArray(F("pk"), Subquery(chosen))


class _AnyOfArray(Lookup):
    """``lhs = ANY(ARRAY(subquery))`` (PostgreSQL)."""

    lookup_name = "any_of_array"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


_latest_rows = CompiledQuery(_build_latest, "user_id", "space_id", "topic_id", "tag", "author_id")


def new_threads(*, viewer, page: int = 1) -> ThreadList:
    """Recent threads the member has not opened yet."""
    since = timezone.now() - timedelta(days=NEW_THREAD_DAYS)
    qs = _with_read_state(viewer, _base_threads(viewer).filter(created_at__gte=since))
    return _paginate(qs.filter(last_read__isnull=True).order_by("-created_at", "-pk"), page)


def unread_threads(*, viewer, page: int = 1) -> ThreadList:
    """Threads the member has opened that have posts past their read position."""
    qs = _with_read_state(viewer, _base_threads(viewer))
    qs = qs.filter(last_read__isnull=False, highest_post_number__gt=F("last_read"))
    return _paginate(qs.order_by("-last_post_at", "-pk"), page)


def top_threads(*, viewer, period: str = "week", page: int = 1) -> ThreadList:
    """The most active and most liked threads started in the period."""
    days = TOP_PERIODS.get(period, 7)
    since = timezone.now() - timedelta(days=days)
    qs = _with_read_state(viewer, _base_threads(viewer).filter(created_at__gte=since))
    qs = qs.annotate(score=F("like_count") * 2 + F("post_count"))
    return _paginate(qs.order_by("-score", "-last_post_at", "-pk"), page)


@dataclass
class MemberState:
    """What one member brings to a thread page: who they are, what they may do and have done.

    The shared page holds none of it; the page's holes (forum/holes.py) read only this.
    """

    user: object
    is_authenticated: bool
    is_moderator: bool
    can_reply: bool = False
    my_reactions: dict[int, set[str]] = field(default_factory=dict)
    my_bookmarks: set[int] = field(default_factory=set)
    # What they may do to each post on the page, by post id (permissions.post_abilities).
    abilities: dict[int, permissions.PostAbilities] = field(default_factory=dict)


@dataclass
class ThreadPage:
    thread: Thread
    posts: list[Post]
    page: int
    page_count: int
    member: MemberState
    last_read: int | None = None
    # Whether the quotes' titles read the same for the viewer's whole page class
    # (attribute_quotes): a page kept for the class is kept only then.
    quotes_shared: bool = True

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count

    @property
    def last_number(self) -> int:
        return self.posts[-1].number if self.posts else 0

    @property
    def page_numbers(self) -> range:
        return range(1, self.page_count + 1)


def region_group(*, viewer, slug: str) -> Space | None:
    """The region's group if this viewer may read it, else None (one compiled query: the
    region by its slug and visible_spaces' rule together)."""
    rule = permissions.thread_rule(viewer)
    user_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    rows = _region_group(rule, slug=slug, user_id=user_id)
    return rows[0] if rows else None


def _build_region_group(rule: tuple, *, slug, user_id):
    qs = permissions.visible_spaces_by_rule(
        rule, user_id, Space.objects.filter(region__slug=str(slug))
    )
    return qs[:1]  # as .first(): Space's own ordering


_region_group = CompiledQuery(_build_region_group, "slug", "user_id")


def get_thread(*, viewer, thread_id: int) -> Thread:
    """The thread if this viewer may read it; 404 otherwise (never reveal what is hidden).

    Read by key and checked with can_read_thread, the one-object twin of visible_threads
    (tests/forum/test_visibility.py holds the two in agreement): building visible_threads'
    filter for a single row was a fifth of a signed-in thread page's CPU.
    """
    signed_in = bool(viewer and viewer.is_authenticated)
    rows = _thread_by_id(signed_in, thread_id=thread_id, user_id=viewer.pk if signed_in else None)
    thread = rows[0] if rows else None
    if thread is None or not permissions.can_read_thread(viewer, thread):
        raise Http404("No such thread")
    return thread


def _build_thread_by_id(signed_in: bool, *, thread_id: int, user_id: int | None):
    qs = Thread.objects.select_related("space", "topic", "author")
    # The member's read position comes with it: where the thread opens, and whether this
    # view moves it forward (a re-read writes nothing); so do its tags and their draft reply.
    reader = User(pk=user_id) if signed_in else None
    return _with_draft(reader, _with_tags(_with_read_state(reader, qs))).filter(pk=thread_id)[:1]


# Compiled once per process (community/compiled.py): the same SQL for every signed-in read.
_thread_by_id = CompiledQuery(_build_thread_by_id, "thread_id", "user_id")


def _with_draft(user, qs: QuerySet[Thread]) -> QuerySet[Thread]:
    """Annotate each thread with the member's unsent reply (a subquery, no extra query)."""
    if user is None or not user.is_authenticated:
        return qs.annotate(draft_source=Value(None, output_field=CharField()))
    drafts = Draft.objects.filter(user=user, thread=OuterRef("pk")).values("source")[:1]
    return qs.annotate(draft_source=Subquery(drafts, output_field=CharField()))


def draft_for(*, viewer, thread: Thread | None = None, space: Space | None = None) -> Draft | None:
    """The member's unsent reply to a thread, or their unsent new thread (in a space, or not
    placed yet)."""
    if not (viewer and viewer.is_authenticated):
        return None
    qs = Draft.objects.filter(user=viewer)
    if thread is not None:
        return qs.filter(thread=thread).first()
    return qs.filter(thread__isnull=True, space=space).first()


def merged_destination(*, viewer, thread_id: int) -> Thread | None:
    """The thread a merged thread's posts went to, if this viewer could read both the merged
    thread's space and the destination; None otherwise (a plain 404 stays a 404)."""
    source = (
        Thread.objects.select_related("space")
        .filter(pk=thread_id, merged_into__isnull=False)
        .first()
    )
    if source is None or not permissions.can_read_space(viewer, source.space):
        return None
    seen: set[int] = {source.pk}
    destination_id = source.merged_into_id
    # A thread merged into one that was merged again leads to where the posts are now.
    while destination_id is not None and destination_id not in seen:
        seen.add(destination_id)
        destination = Thread.objects.select_related("space").filter(pk=destination_id).first()
        if destination is None:
            return None
        if destination.deleted_at is None or destination.merged_into_id is None:
            return destination if permissions.can_read_thread(viewer, destination) else None
        destination_id = destination.merged_into_id
    return None


def page_of_post(number: int) -> int:
    return max((number - 1) // settings.FORUM_POSTS_PER_PAGE + 1, 1)


def first_unread_number(*, viewer, thread: Thread) -> int | None:
    """Where a thread opens for this member: the post after the last one they read."""
    if not (viewer and viewer.is_authenticated):
        return None
    if hasattr(thread, "last_read"):  # annotated by get_thread
        last = thread.last_read
    else:
        last = (
            ThreadRead.objects.filter(user=viewer, thread=thread)
            .values_list("last_read_number", flat=True)
            .first()
        )
    if last is None or last >= thread.highest_post_number:
        return None
    return last + 1


def thread_page(*, viewer, thread: Thread, page: int = 1) -> ThreadPage:
    """One page of a thread's posts, by post number, and the member's state: what they have
    done to those posts (one query) and may do on the page (asked of permissions, no query)."""
    per_page = settings.FORUM_POSTS_PER_PAGE
    page_count = max(page_of_post(thread.highest_post_number), 1)
    page = min(max(page, 1), page_count)
    low, high = (page - 1) * per_page + 1, page * per_page
    is_member = bool(viewer and viewer.is_authenticated)
    user_id = viewer.pk if is_member else None
    posts = _page_posts(
        permissions.post_rule(viewer), user_id=user_id, thread_id=thread.pk, low=low, high=high
    )
    _attach_attachments(posts)
    # Each post's thread is this one (the query filtered by it): cached as the descriptor's
    # assignment would, without its per-post checks (a tenth of this selector's CPU).
    remember_thread = Post.thread.field.set_cached_value
    for post in posts:
        remember_thread(post, thread)
    quotes_shared = attribute_quotes(viewer=viewer, thread=thread, posts=posts)
    member = MemberState(
        user=viewer,
        is_authenticated=is_member,
        is_moderator=permissions.is_moderator(viewer),
        can_reply=permissions.can_reply(viewer, thread),
        abilities=permissions.post_abilities(viewer, thread, posts),
    )
    result = ThreadPage(
        thread=thread,
        posts=posts,
        page=page,
        page_count=page_count,
        member=member,
        quotes_shared=quotes_shared,
    )
    if is_member and posts:
        marks = _page_marks(
            None, user_id=user_id, thread_id=thread.pk, low=posts[0].number, high=posts[-1].number
        )
        for post_id, kind in marks:
            if kind is None:
                member.my_bookmarks.add(post_id)
            else:
                member.my_reactions.setdefault(post_id, set()).add(kind)
    return result


# The most quotes of other posts one page looks up; past it, quotes show no author.
MAX_QUOTES_PER_PAGE = 100


def attribute_quotes(*, viewer, thread: Thread, posts: list[Post]) -> bool:
    """Write each quote's title on the page's posts for this viewer: who wrote the quoted post,
    as the site shows that member now, and a link to it, only when the viewer may read that
    post (permissions.can_read_post); otherwise "Quoted from post N" and a link that is a 404
    for them like any permalink they may not see.

    Why at read time and not at write time: the writer's permission says nothing about the
    reader's (a quote of a private region's post, or of a post later held or hidden, must not
    name its author to those who cannot see it), and a rename or an erasure must show. Why
    cheap: quotes of posts on the same page are answered from the page's own rows (no query);
    the rest in one query for the whole page, only on pages that quote posts they do not
    hold (never a query per post). `post.html` (and `reply_to_html`) are changed in memory
    only, so the shared page's key, made from the HTML, differs whenever what a reader is
    shown does: two readers share a page only if their quotes read the same.

    Returns whether every title written would read the same for every viewer of this one's
    page class (permissions.thread_page_class): true when the quoted posts are on the page,
    or every member may read them, or the viewer is a moderator (who reads them all). A page
    kept for the whole class (forum/assembly.py) is kept only then.
    """
    refs: set[tuple[int, int]] = set()
    for post in posts:
        for html in (post.html, getattr(post, "reply_to_html", None)):
            # (posts stored before quotes stopped naming anyone have data-username first)
            if html and 'class="quote"' in html and "data-post=" in html:
                refs.update((t or thread.pk, n) for t, n in markup.quote_refs(html))
    if not refs:
        return True
    same_for_class = True
    found = {(thread.pk, p.number): p for p in posts if (thread.pk, p.number) in refs}
    missing = sorted(refs - found.keys())[:MAX_QUOTES_PER_PAGE]
    if missing:
        wanted = Q()
        for thread_id, number in missing:
            wanted |= Q(thread_id=thread_id, number=number)
        for quoted in Post.objects.filter(wanted).select_related(
            "author", "thread__space", "thread__topic"
        ):
            found[(quoted.thread_id, quoted.number)] = quoted
            same_for_class = same_for_class and (
                permissions.readable_by_every_member(quoted)
                or (  # a readable thread's published post: whoever reads the page reads it
                    quoted.thread_id == thread.pk
                    and quoted.status == Status.PUBLISHED
                    and quoted.deleted_at is None
                )
            )
        same_for_class = same_for_class or permissions.is_moderator(viewer)

    def title(thread_id: int | None, number: int) -> str:
        thread_id = thread_id or thread.pk
        quoted = found.get((thread_id, number))
        if quoted is None or not permissions.can_read_post(viewer, quoted):
            return markup.quote_title(None, number, thread_id)
        # As the post's own byline names its author: the display name (a young person's too,
        # as their posts show it; never their username or a link to their profile).
        return markup.quote_title(
            str(quoted.author), number, thread_id, href=quoted.thread.post_url(number)
        )

    for post in posts:
        post.html = markup.attribute_quotes(post.html, title)
        if getattr(post, "reply_to_html", None):
            post.reply_to_html = markup.attribute_quotes(post.reply_to_html, title)
    return same_for_class


def _build_page_posts(rule: str, *, user_id: int | None, thread_id: int, low: int, high: int):
    return (
        permissions.posts_of_readable_thread_by_rule(rule, user_id, thread_id)
        .filter(number__gte=low, number__lte=high)
        .select_related("author")
        .annotate(
            has_attachments=Exists(Attachment.objects.filter(post=OuterRef("pk"))),
            reply_to_html=_replied_to_html(),
        )
        .order_by("number")
    )


def _build_page_marks(_shape, *, user_id: int, thread_id: int, low: int, high: int):
    """The member's reactions and bookmarks on a page's posts in one query (a bookmark is a
    row with no reaction kind), by the page's post numbers so its shape never changes."""
    on_page = {"post__thread_id": thread_id, "post__number__gte": low, "post__number__lte": high}
    # order_by(): a default ordering on either model would break the UNION on SQLite.
    reactions = (
        Reaction.objects.filter(user_id=user_id, **on_page)
        .order_by()
        .values_list("post_id", "kind")
    )
    bookmarks = (
        Bookmark.objects.filter(user_id=user_id, **on_page)
        .order_by()
        .annotate(kind=Value(None, output_field=CharField()))
        .values_list("post_id", "kind")
    )
    return reactions.union(bookmarks, all=True)


# Compiled once per process and post rule (community/compiled.py): the thread page's two
# queries had the same SQL on every request, and building it was most of their cost.
_page_posts = CompiledQuery(_build_page_posts, "user_id", "thread_id", "low", "high")
_page_marks = CompiledQuery(_build_page_marks, "user_id", "thread_id", "low", "high", rows=True)


@dataclass
class MemberMarks:
    """What one member has on a thread page, read in one query (``member_marks``)."""

    last_read: int | None = None
    draft_source: str | None = None
    reactions: dict[int, set[str]] = field(default_factory=dict)
    bookmarks: set[int] = field(default_factory=set)
    # A post of theirs on the page that readers do not see (held, or deleted by them):
    # the page shared by their class lacks it, so theirs is rendered for them alone.
    own_unshared: bool = False


_MARK_REACTION, _MARK_BOOKMARK, _MARK_READ, _MARK_DRAFT, _MARK_OWN = range(5)


def page_range(page: int) -> tuple[int, int]:
    """The post numbers a thread's page holds."""
    per_page = settings.FORUM_POSTS_PER_PAGE
    return (page - 1) * per_page + 1, page * per_page


def member_marks(*, viewer, thread: Thread, page: int, own_posts: bool) -> MemberMarks:
    """The member's read position and unsent reply in this thread, their reactions and
    bookmarks on the page's posts, and (``own_posts``) whether a post of theirs on the page
    is one only they may see: one query, for a page whose posts are already known."""
    low, high = page_range(page)
    rows = _member_marks(own_posts, user_id=viewer.pk, thread_id=thread.pk, low=low, high=high)
    marks = MemberMarks()
    for tag, number, text in rows:
        if tag == _MARK_REACTION:
            marks.reactions.setdefault(number, set()).add(text)
        elif tag == _MARK_BOOKMARK:
            marks.bookmarks.add(number)
        elif tag == _MARK_READ:
            marks.last_read = number
        elif tag == _MARK_DRAFT:
            marks.draft_source = text
        else:
            marks.own_unshared = True
    return marks


def _build_member_marks(own_posts: bool, *, user_id: int, thread_id: int, low: int, high: int):
    """``member_marks``' rows: (what, a post id or number, a text), by the page's numbers so
    the query's shape never changes."""
    on_page = {"post__thread_id": thread_id, "post__number__gte": low, "post__number__lte": high}
    no_text = Value(None, output_field=CharField())
    no_number = Value(None, output_field=IntegerField())

    tagged = _tagged_rows

    parts = [
        tagged(Reaction.objects.filter(user_id=user_id, **on_page), _MARK_REACTION,
               F("post_id"), F("kind")),
        tagged(Bookmark.objects.filter(user_id=user_id, **on_page), _MARK_BOOKMARK,
               F("post_id"), no_text),
        tagged(ThreadRead.objects.filter(user_id=user_id, thread_id=thread_id), _MARK_READ,
               F("last_read_number"), no_text),
        tagged(Draft.objects.filter(user_id=user_id, thread_id=thread_id), _MARK_DRAFT,
               no_number, F("source")),
    ]  # fmt: skip
    if own_posts:
        # Posts the author still sees (permissions._post_q_of) that readers do not.
        unshared = Post.objects.filter(
            Q(status=Status.HELD) | Q(deleted_at__isnull=False),
            thread_id=thread_id,
            author_id=user_id,
            status__in=[Status.PUBLISHED, Status.HELD],
            number__gte=low,
            number__lte=high,
        )
        parts.append(tagged(unshared, _MARK_OWN, F("pk"), no_text))
    return parts[0].union(*parts[1:], all=True)


_member_marks = CompiledQuery(_build_member_marks, "user_id", "thread_id", "low", "high", rows=True)


def member_state(*, viewer, thread: Thread, posts: list[Post], marks: MemberMarks) -> MemberState:
    """The member's state on a page of posts read before (for every viewer of their class):
    what they may do is asked of permissions, what they have done comes from ``marks``."""
    return MemberState(
        user=viewer,
        is_authenticated=True,
        is_moderator=permissions.is_moderator(viewer),
        can_reply=permissions.can_reply(viewer, thread),
        abilities=permissions.post_abilities(viewer, thread, posts),
        my_reactions=marks.reactions,
        my_bookmarks=marks.bookmarks,
    )


def _replied_to_html() -> Subquery:
    """The post a reply answers, shown with it in context: only while that post is published
    and undeleted in the same thread, so it is the same for everyone who may read the reply
    (and so for every reader of a shared page). A subquery: no query of its own."""
    replied = Post.objects.filter(
        pk=OuterRef("reply_to_id"),
        thread_id=OuterRef("thread_id"),
        status=Status.PUBLISHED,
        deleted_at__isnull=True,
    ).values("html")[:1]
    return Subquery(replied, output_field=CharField())


def _attach_attachments(posts: list[Post]) -> None:
    """Each post's files as `post.attachment_list`; no query when no post on the page has one.

    A file the post's own text shows (an API client's `upload://` image) is not listed again.
    """
    with_files = {post.pk: [] for post in posts if post.has_attachments}
    html = {post.pk: post.html for post in posts}
    if with_files:
        for attachment in Attachment.objects.filter(post_id__in=list(with_files)).order_by("pk"):
            if f'"{attachment.get_absolute_url()}"' not in html[attachment.post_id]:
                with_files[attachment.post_id].append(attachment)
    for post in posts:
        post.attachment_list = with_files.get(post.pk, [])


def get_post(*, viewer, post_id: int) -> Post:
    post = (
        Post.objects.select_related("thread__space", "thread__topic", "author")
        .filter(pk=post_id)
        .first()
    )
    if post is None or not permissions.can_read_post(viewer, post):
        raise Http404("No such post")
    return post


@dataclass
class RevisionView:
    revision: PostRevision
    diff: list[tuple[str, str]]


def post_revisions(*, viewer, post: Post) -> list[RevisionView]:
    """Each edit of a post with a line diff of what changed."""
    if not permissions.can_read_post(viewer, post):
        raise Http404("No such post")
    views = []
    for revision in post.revisions.select_related("editor").order_by("-number"):
        lines = difflib.ndiff(
            revision.source_before.splitlines(), revision.source_after.splitlines()
        )
        diff = [(line[0], line[2:]) for line in lines if line[:1] in ("+", "-", " ")]
        views.append(RevisionView(revision=revision, diff=diff))
    return views


def user_posts(*, viewer, author, page: int = 1) -> tuple[list[Post], bool]:
    """A member's recent posts that this viewer may read, newest first."""
    per_page = settings.FORUM_THREADS_PER_PAGE
    start = (max(page, 1) - 1) * per_page
    qs = (
        permissions.visible_posts(
            viewer, Post.objects.filter(author=author, deleted_at__isnull=True)
        )
        .select_related("thread", "thread__space")
        .order_by("-created_at", "-pk")
    )
    rows = list(qs[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def bookmarked_posts(*, viewer, page: int = 1) -> tuple[list[Post], bool]:
    per_page = settings.FORUM_THREADS_PER_PAGE
    start = (max(page, 1) - 1) * per_page
    qs = (
        permissions.visible_posts(viewer, Post.objects.filter(bookmarks__user=viewer))
        .select_related("thread", "author")
        .order_by("-bookmarks__created_at")
    )
    rows = list(qs[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def held_posts_for(*, viewer) -> QuerySet[Post]:
    """Posts awaiting approval: moderators see all, members their own."""
    qs = Post.objects.filter(status=Status.HELD, deleted_at__isnull=True).select_related(
        "thread", "author"
    )
    if permissions.is_moderator(viewer):
        return qs
    return qs.filter(author=viewer)


def navigation_spaces(viewer) -> list[Space]:
    return list(permissions.visible_spaces(viewer).select_related("region"))


def accepted_answer(*, viewer, thread: Thread) -> Post | None:
    """The reply accepted as the thread's answer, if there is one this viewer may read.

    No query for a thread without one.
    """
    if thread.accepted_answer_id is None:
        return None
    post = Post.objects.select_related("author").filter(pk=thread.accepted_answer_id).first()
    if post is None:
        return None
    post.thread = thread
    return post if permissions.can_read_post(viewer, post) else None


def accepted_answers(*, viewer, threads: list[Thread]) -> dict[int, Post]:
    """`accepted_answer` for many threads in one query: {thread id: answer this viewer may
    read}. No query when none has an answer."""
    by_answer = {t.accepted_answer_id: t for t in threads if t.accepted_answer_id}
    if not by_answer:
        return {}
    found = {}
    for post in Post.objects.select_related("author").filter(pk__in=list(by_answer)):
        post.thread = by_answer[post.pk]
        if permissions.can_read_post(viewer, post):
            found[post.thread.pk] = post
    return found


def answerable_replies(*, viewer, thread: Thread, limit: int = 200) -> list[Post]:
    """The replies this member may choose from as the thread's answer, oldest first."""
    if not permissions.can_accept_answer(viewer, thread):
        return []
    posts = list(
        permissions.posts_of_readable_thread(viewer, thread)
        .filter(number__gt=1, kind=Post.Kind.POST, status=Status.PUBLISHED, deleted_at__isnull=True)
        .select_related("author")
        .order_by("number")[:limit]
    )
    for post in posts:
        post.thread = thread
    return posts


@dataclass
class ReactionGroup:
    kind: str
    label: str
    members: list  # the members this viewer may know, in the order they reacted
    unnamed: int  # the others (children, to all but moderators and themselves)


def post_reactors(*, viewer, post: Post) -> list[ReactionGroup]:
    """Who reacted to a post, by reaction, named only as the members' privacy rule allows
    (accounts' can_view_profile: a child is never named to other members). One query."""
    from community.accounts.permissions import can_view_profile

    if not permissions.can_read_post(viewer, post):
        raise Http404("No such post")
    groups = {
        kind: ReactionGroup(kind, str(Reaction.LABELS[kind]), [], 0)
        for kind in Reaction.Kind.values
    }
    for reaction in post.reactions.select_related("user").order_by("created_at", "pk"):
        group = groups.get(reaction.kind)
        if group is None:
            continue
        if can_view_profile(viewer, reaction.user):
            group.members.append(reaction.user)
        else:
            group.unnamed += 1
    return [g for g in groups.values() if g.members or g.unnamed]
