"""The thread page as one pass: a shared page for the viewer's class, plus their holes.

    view (routes) -> selectors.thread_page (posts and the member's state)
                  -> permissions.thread_page_class (which shared page, if any)
                  -> the shared page from the cache, rendered on a miss
                  -> Holes.assemble (the member's parts, by string assembly)

The shared page's key is built here from the same values the template is given
(``_thread_parts``, ``_post_parts``, the panels' own ``key_parts``): every value the page shows
besides its holes, so an edit, a new post, a rename or an older relative time makes a new key
and nothing is invalidated by hand. Visibility was decided before: only posts the selector
returned for this viewer are on the page, and the class says who else sees exactly those.

On top of it, each process keeps what that pass produced that is not the member's (the
thread, the page's posts, the split shared page) per write generation
(``pagecache.generation()``, read with the session), class, thread and page: the *kept page*
(``warm_thread_page``). A member of the class then pays one query (``selectors.member_marks``:
read position, unsent reply, reactions, bookmarks, and whether a post only they may see is on
the page) and the holes. Whether they may read the thread is still asked of permissions on
every request, from the kept thread's fields and their own groups. Any forum write naming a
thread, space or resource starts a new generation, so a kept page is never older than the
last write; relative times and what no write event names (a member's new display name) are
bounded by the kept page's deadline (``_kept_until``), as anonymous pages are.

Thread lists (latest, a space, a region) are kept the same way and in the same store, per
generation, list class (``permissions.kept_list_page_class``: the member's mark and groups,
known before the list is read), language, path and the parameters lists read: the rows and
the split shared list (``warm_list_page``). A member of the class then pays one query
(``selectors.member_list_state``: their read positions in those rows, and whether a thread
only they list would be on it) and the holes.
"""

from __future__ import annotations

import copy
import functools
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from community import pagecache
from community.fragments import (
    Holes,
    assembled_page,
    attach_fragments,
    csrf_placeholder,
    fill_csrf_in,
    page_reads,
    seconds_until_times_change,
    time_bucket,
    time_bucket_seconds,
)

from . import actions, panels, permissions, selectors
from .models import Post, Space, Thread

TEMPLATE = "forum/thread.html"


def layout_assets() -> tuple[str, ...]:
    """The base layout's asset URLs, for another page's shared-page key (see below)."""
    return _static_version()


@functools.cache
def _static_version() -> tuple[str, ...]:
    """The base layout's asset URLs (hashed by the manifest storage): a new deploy's CSS
    or script makes new shared pages even when no template changed. Read from the layout
    itself, so an asset added to it is never left out."""
    source = get_template("base.html").template.source
    return tuple(static(path) for path in sorted(set(re.findall(r"static '([^']+)'", source))))


def _thread_parts(thread: Thread) -> tuple:
    """Every thread value forum/thread.html shows outside its holes."""
    space, topic = thread.space, thread.topic
    return (
        (thread.pk, thread.slug, thread.title, thread.status, thread.post_count),
        thread.highest_post_number,
        (thread.is_closed, thread.is_archived, thread.is_unlisted, thread.deleted_at is None),
        (thread.is_pinned, thread.pinned_globally, thread.pinned_until),
        (space.pk, space.slug, space.name, topic.slug, topic.name),
        tuple((t.slug, t.name) for t in thread.tag_list),
    )


def _post_parts(now, target_number):
    def parts(post: Post) -> tuple:
        """Every value the post partial shows outside its holes (reactions, tools and a young
        author's name are holes)."""
        author = post.author
        return (
            (post.pk, post.number, post.kind, post.status, post.html, post.text),
            (post.revision_count, post.reply_to_number, post.reply_to_name),
            getattr(post, "reply_to_html", None),
            (post.created_at, time_bucket(post.created_at, now), post.number == target_number),
            (post.deleted_at is not None, post.deleted_by_id),
            tuple(
                (a.pk, a.kind, a.original_name, a.size, a.width, a.height)
                for a in post.attachment_list
            ),
            (author.username, author.display_name, author.role, author.is_verified_professional),
            (author.pk, author.avatar.name),
            author.is_minor,
        )

    return parts


# ---- kept pages: the member-independent page once per write generation ----------------------

# Per process, thread pages and lists together; a kept page shares its split HTML with
# fragments' own copy.
KEPT_PAGES = 500
# Bounds what no write event names (a member's new name or avatar on their posts): as long as
# an anonymous page may be served from the page cache.
KEPT_SECONDS = 300


@dataclass(frozen=True)
class KeptPage:
    thread: Thread  # without any member's read position or draft
    posts: list[Post]
    page: int
    page_count: int
    pieces: tuple  # the split shared page (fragments.split_page)
    items: dict  # the holes' items: each post by id
    until: float  # time.monotonic() after which it is not used
    # The post holes as filled for each member state that fills them alike (_post_marks).
    filled: dict = field(default_factory=dict)


# Holes filled from the post and the member's state alone (forum/holes.py); a poll's hole
# reads the member's votes, so it is not among them.
_POST_HOLES = frozenset({"post_author", "post_reactions", "post_tools"})
# Member states per kept page (the HTML itself is shared with holes._rendered).
_FILLED_PER_PAGE = 8


def _post_marks(state: selectors.MemberState, posts: list[Post], language) -> tuple:
    """Everything the post holes read besides the posts: members who share it (most
    readers of a page: no post of theirs, nothing marked on it) share their filled holes."""
    user_id = state.user.pk
    return (
        state.is_moderator,
        state.can_reply,
        language,
        tuple(state.abilities.get(post.pk) for post in posts),
        tuple(
            (post.pk, post.author_id == user_id, post.deleted_by_id == user_id)
            for post in posts
            if user_id in (post.author_id, post.deleted_by_id)
        ),
        tuple(sorted((pk, tuple(sorted(kinds))) for pk, kinds in state.my_reactions.items())),
        tuple(sorted(state.my_bookmarks)),
    )


class _KeptHoles(Holes):
    """A kept page's holes: the post holes come from what a member with the same marks had
    filled on this page (their CSRF placeholder is filled per request, as always)."""

    def __init__(self, request, state, items, filled: dict):
        super().__init__(request, state, items)
        self._filled = filled

    def fill(self, name: str, arg: str) -> str:
        if name not in _POST_HOLES:
            return super().fill(name, arg)
        html = self._filled.get((name, arg))
        if html is None:
            html = self._filled[(name, arg)] = super().fill(name, arg)
        return html


@dataclass(frozen=True)
class KeptList:
    threads: list[Thread]  # the rows, without any member's read position
    space: Space | None  # the space or region group the list is of
    pieces: tuple  # the split shared list (fragments.split_page)
    until: float  # time.monotonic() after which it is not used


# One store for kept thread pages and lists: a thread page's key starts (generation, its
# class, ...), a list's (generation, "list", ...).
_kept: OrderedDict[tuple, KeptPage | KeptList] = OrderedDict()
_kept_lock = threading.Lock()


def _kept_page(key: tuple) -> KeptPage | KeptList | None:
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    if kept is None or kept.until < time.monotonic():
        return None
    return kept


def _keep_page(key: tuple, kept: KeptPage | KeptList) -> None:
    with _kept_lock:
        _kept[key] = kept
        while len(_kept) > KEPT_PAGES:
            _kept.popitem(last=False)


def forget_kept_pages() -> None:
    """Drop this process's kept pages and lists (tests that clear the cache call it)."""
    with _kept_lock:
        _kept.clear()


def _kept_until(times: list[datetime], now: datetime) -> float:
    """Seconds until any of ``times``' relative text (``fragments.time_bucket``) changes."""
    return seconds_until_times_change(times, now, KEPT_SECONDS)


def _page_key(user, thread_id: int, page_number: int, target_number: int | None):
    page_class = permissions.kept_thread_page_class(user)
    if page_class is None or not settings.FRAGMENT_CACHE_ENABLED:
        return None
    return (pagecache.generation(), page_class, thread_id, page_number, target_number)


def warm_thread_page(
    request: HttpRequest,
    *,
    thread_id: int,
    slug: str,
    page_number: int,
    target_number: int | None = None,
    opens_at_unread: bool = False,
) -> HttpResponse | None:
    """The thread page from this process's kept page for the member's class, or None when
    there is none (or this viewer's page is not it): the caller then takes the full path,
    which decides 404s and redirects, and keeps the page for the next request."""
    user = _unwrapped(request.user)
    key = _page_key(user, thread_id, page_number, target_number)
    kept = _kept_page(key) if key is not None else None
    if kept is None or slug != kept.thread.slug:
        return None
    if not permissions.can_read_thread(user, kept.thread):
        return None
    marks = selectors.member_marks(
        viewer=user,
        thread=kept.thread,
        page=kept.page,
        own_posts=key[1] != permissions.MODERATOR,
    )
    if marks.own_unshared:
        return None
    thread = copy.copy(kept.thread)  # this member's read position and draft, not the next's
    thread.last_read, thread.draft_source = marks.last_read, marks.draft_source
    if opens_at_unread:
        unread_number = selectors.first_unread_number(viewer=user, thread=thread)
        if unread_number and unread_number > 1:
            return redirect(thread.post_url(unread_number) + f"#post-{unread_number}")
    state = selectors.member_state(viewer=user, thread=thread, posts=kept.posts, marks=marks)
    items = {"thread": thread, **kept.items}
    signature = _post_marks(state, kept.posts, get_language())
    filled = kept.filled.get(signature)
    if filled is None:
        if len(kept.filled) >= _FILLED_PER_PAGE:
            kept.filled.clear()
        filled = kept.filled[signature] = {}
    holes = _KeptHoles(request, state, items, filled)
    with page_reads("thread-page", request, thread):
        html = holes.assemble_pieces(kept.pieces)
    _mark_read(user, thread, kept.posts)
    return HttpResponse(html)


def thread_page(
    request: HttpRequest, thread: Thread, page_number: int, *, target_number: int | None = None
) -> HttpResponse:
    """The thread page for this viewer, assembled from the shared page where they have one."""
    user = _unwrapped(request.user)
    # Before the page's data is read: a page kept under a generation is never older than it.
    kept_key = _page_key(user, thread.pk, page_number, target_number)
    page = selectors.thread_page(viewer=user, thread=thread, page=page_number)
    selectors.attach_tags([thread])
    holes = Holes(
        request, page.member, items={"thread": thread, **{str(p.pk): p for p in page.posts}}
    )
    context = {
        "thread": thread,
        "page": page,
        "is_moderator": page.member.is_moderator,
        "target_number": target_number,
        "holes": holes,
        "csrf_token": csrf_placeholder(),
    }
    page_class = permissions.thread_page_class(user, thread, page.posts)
    if page_class is None:
        html = fill_csrf_in(request, render_to_string(TEMPLATE, context, request))
    else:
        now, moment = timezone.now(), time.monotonic()
        post_parts = _post_parts(now, target_number)
        parts = (
            page_class,
            target_number,
            (page.page, page.page_count),
            _thread_parts(thread),
            panels.key_parts(thread),
            tuple(post_parts(post) for post in page.posts),
            _static_version(),
        )
        lifetime = min((time_bucket_seconds(p.created_at, now) for p in page.posts), default=3600)

        def render() -> str:
            with holes.sharing():
                attach_fragments(
                    request,
                    page.posts,
                    template_name=f"{TEMPLATE}#post",
                    item_name="post",
                    key_parts=lambda post: (page_class, post_parts(post)),
                    context={**context, "user": user},
                    lifetime=lambda post: time_bucket_seconds(post.created_at, now),
                    fill_csrf=False,
                )
                return render_to_string(TEMPLATE, context, request)

        keep = None
        if kept_key is not None and kept_key[1] == page_class and page.quotes_shared:

            def keep(pieces: tuple) -> None:
                _keep_page(kept_key, _kept_page_of(page, pieces, now, moment))

        html = assembled_page(
            "thread-page", request, thread, parts, render, holes, lifetime=lifetime, keep=keep
        )
    _mark_read(user, thread, page.posts)
    return HttpResponse(html)


def _kept_page_of(
    page: selectors.ThreadPage, pieces: tuple, now: datetime, moment: float
) -> KeptPage:
    """What a member's full pass produced that every member of their class shares."""
    thread = copy.copy(page.thread)
    for personal in ("last_read", "draft_source"):  # the member's own (selectors.get_thread)
        thread.__dict__.pop(personal, None)
    remember_thread = Post.thread.field.set_cached_value
    for post in page.posts:
        remember_thread(post, thread)
    times = [post.created_at for post in page.posts]
    return KeptPage(
        thread=thread,
        posts=page.posts,
        page=page.page,
        page_count=page.page_count,
        pieces=pieces,
        items={str(post.pk): post for post in page.posts},
        until=moment + _kept_until(times, now),
    )


def _unwrapped(user):
    """The member behind request.user's lazy wrapper: the holes ask it dozens of questions
    per page, and each went through the wrapper (a tenth of an assembled page's CPU)."""
    if isinstance(user, SimpleLazyObject):
        user.pk  # noqa: B018 (evaluates the wrapper)
        return user._wrapped
    return user


def _mark_read(user, thread: Thread, posts: list[Post]) -> None:
    """Move the member's read position forward; a re-read writes nothing."""
    if not (user.is_authenticated and posts):
        return
    number = posts[-1].number
    already_read = getattr(thread, "last_read", None)
    if already_read is None or already_read < number:
        actions.record_read(user=user, thread=thread, number=number)


def post_fragment(request: HttpRequest, thread: Thread, post: Post) -> HttpResponse:
    """One post as the thread page shows it to this viewer, for the live script."""
    page = selectors.thread_page(
        viewer=request.user, thread=thread, page=selectors.page_of_post(post.number)
    )
    posts = [p for p in page.posts if p.pk == post.pk]
    if not posts:
        from django.http import Http404

        raise Http404("No such post")
    holes = Holes(request, page.member, items={"thread": thread, str(post.pk): posts[0]})
    context = {
        "post": posts[0],
        "thread": thread,
        "is_moderator": page.member.is_moderator,
        "holes": holes,
        "csrf_token": csrf_placeholder(),
    }
    return HttpResponse(
        fill_csrf_in(request, render_to_string(f"{TEMPLATE}#post", context, request))
    )


# ---- thread lists ----------------------------------------------------------------------------

LIST_TEMPLATE = "forum/thread_list.html"


def _row_parts(now):
    def parts(thread: Thread) -> tuple:
        """Every value a thread row shows outside its holes (the member's unread badge)."""
        space, topic = thread.space, thread.topic
        return (
            (thread.pk, thread.slug, thread.title, thread.is_pinned, thread.is_closed),
            (thread.status, thread.reply_count, thread.last_poster_name),
            # The flushed count (a minute or two behind the views, forum/viewcounts.py): a
            # new count makes a new row and page key, so the row is never staler than it.
            thread.view_count,
            _poster_parts(thread.last_poster),
            thread.accepted_answer_id is not None,
            (thread.last_post_at, time_bucket(thread.last_post_at, now)),
            (space.slug, space.name, topic.slug, topic.name),
            tuple((t.slug, t.name) for t in thread.tag_list),
        )

    return parts


def _poster_parts(member) -> tuple | None:
    """What a list row's last-poster avatar shows."""
    if member is None:
        return None
    return (member.pk, member.display_name, member.username, member.avatar.name, member.is_minor)


def _value_parts(value) -> object:
    """A context value as key parts: a model instance by all its field values."""
    from django.db.models import Model, QuerySet

    if isinstance(value, Model):
        fields = sorted((k, v) for k, v in value.__dict__.items() if not k.startswith("_"))
        return (type(value).__name__, repr(fields))
    if isinstance(value, (list, tuple, QuerySet)):
        return tuple(_value_parts(v) for v in value)
    return repr(value)


# The query parameters lists read (any other parameter would only make copies of the same
# page: in the shared cache, or kept).
LIST_PARAMETERS = ("page", "period", "topic", "tag", "status")


def _list_place(request: HttpRequest) -> tuple:
    """Which list the request is for: its path and the parameters lists read."""
    return (request.path, tuple(request.GET.get(name) for name in LIST_PARAMETERS))


def list_key(request: HttpRequest) -> tuple | None:
    """The key the viewer's list is kept under, or None for a viewer whose lists are not
    kept (visitors: the anonymous page cache has theirs). Asked before the list is read, so
    a list kept under a generation is never older than it."""
    user = _unwrapped(request.user)
    list_class = permissions.kept_list_page_class(user)
    if list_class is None or not settings.FRAGMENT_CACHE_ENABLED:
        return None
    return (pagecache.generation(), "list", list_class, get_language(), _list_place(request))


@dataclass(frozen=True, slots=True)
class _MemberRow:
    """What a row's holes (forum/holes.py: the unread badge) read of a kept row for one
    member: the kept thread is shared by the whole class, their read position is theirs."""

    pk: int
    slug: str
    last_read: int | None
    unread_count: int | None


def warm_list_page(request: HttpRequest, key: tuple | None) -> HttpResponse | None:
    """The list under ``key`` (``list_key``) from this process's kept list for the member's
    class, or None when there is none (or this viewer's list is not it): the caller then
    takes the full path, which decides 404s, and keeps the list for the next request."""
    kept = _kept_page(key) if key is not None else None
    if kept is None:
        return None
    user = _unwrapped(request.user)
    space = kept.space
    # Who may read what is asked of permissions on every request, not taken from the class.
    if space is not None and not permissions.can_read_space(user, space):
        return None
    if not all(permissions.is_listable(user, thread) for thread in kept.threads):
        return None
    state = selectors.member_list_state(
        viewer=user,
        threads=kept.threads,
        space=space,
        own_threads=not permissions.is_moderator(user),
    )
    if state.own_unshared:
        return None
    items: dict = {"space": space}
    for thread in kept.threads:
        last_read = state.last_read.get(thread.pk)
        items[str(thread.pk)] = _MemberRow(
            thread.pk, thread.slug, last_read, selectors.unread_count(thread, last_read)
        )
    holes = Holes(request, None, items)
    with page_reads("thread-list", request, space):
        html = holes.assemble_pieces(kept.pieces)
    return HttpResponse(html)


def _kept_list_of(
    listing: selectors.ThreadList, space, pieces: tuple, now: datetime, moment: float
) -> KeptList:
    """What a member's full pass of a list produced that every member of their class shares."""
    threads = []
    for thread in listing.threads:
        thread = copy.copy(thread)
        for personal in ("last_read", "unread_count"):  # the member's own (selectors._paged)
            thread.__dict__.pop(personal, None)
        threads.append(thread)
    return KeptList(
        threads=threads,
        space=space,
        pieces=pieces,
        until=moment + _kept_until([t.last_post_at for t in threads if t.last_post_at], now),
    )


def list_page(
    request: HttpRequest,
    listing: selectors.ThreadList,
    context: dict,
    *,
    space=None,
    kept_key: tuple | None = None,
) -> HttpResponse:
    """A thread list for this viewer: the shared list for their class, plus their holes
    (each row's unread badge, the space's join/leave/start buttons, their level form).
    ``kept_key``: ``list_key``, read before the listing, to keep the list under."""
    user = _unwrapped(request.user)
    holes = Holes(
        request,
        None,
        items={"space": space, **{str(t.pk): t for t in listing.threads}},
    )
    context = {
        **context,
        "listing": listing,
        "space": space,
        "holes": holes,
        "user": user,
        "csrf_token": csrf_placeholder(),
    }
    page_class = permissions.list_page_class(user, listing.threads)
    if page_class is None:
        return HttpResponse(
            fill_csrf_in(request, render_to_string(LIST_TEMPLATE, context, request))
        )
    now, moment = timezone.now(), time.monotonic()
    row_parts = _row_parts(now)
    parts = (
        page_class,
        _list_place(request),
        tuple(
            (name, _value_parts(value))
            for name, value in sorted(context.items())
            if name not in ("listing", "holes", "user", "csrf_token")
        ),
        (listing.page, listing.has_next),
        tuple(row_parts(t) for t in listing.threads),
        _static_version(),
    )
    lifetime = min(
        (time_bucket_seconds(t.last_post_at, now) for t in listing.threads), default=3600
    )

    def render() -> str:
        with holes.sharing():
            attach_fragments(
                request,
                listing.threads,
                template_name=f"{LIST_TEMPLATE}#thread-row",
                item_name="thread",
                key_parts=row_parts,
                context={"holes": holes, "user": user},
                lifetime=lambda t: time_bucket_seconds(t.last_post_at, now),
                fill_csrf=False,
            )
            return render_to_string(LIST_TEMPLATE, context, request)

    keep = None
    if kept_key is not None and kept_key[2] == page_class:

        def keep(pieces: tuple) -> None:
            _keep_page(kept_key, _kept_list_of(listing, space, pieces, now, moment))

    return HttpResponse(
        assembled_page(
            "thread-list", request, space, parts, render, holes, lifetime=lifetime, keep=keep
        )
    )
