"""Discourse's JSON endpoints over the forum: each parses, calls one selector or action, shapes.

Every read starts from the forum's visibility rule (through its selectors or
`permissions.visible_*`); every write is one forum or moderation action.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from community.accounts import permissions as member_permissions
from community.forum import actions, permissions, selectors
from community.forum.models import Post, Space, Thread, Topic
from community.moderation.actions import set_thread_status
from community.search.service import search as run_search
from notifications.models import Notification

from . import serializers as s
from . import solved
from .http import ApiError, endpoint

NOTIFICATION_TYPES = {
    "mention": 1, "reply": 2, "quote": 3, "reaction": 5, "posted": 9, "new_thread": 9,
    "post_approved": 12,
}  # fmt: skip


def _int(request, name: str, default: int = 0, minimum: int = 0) -> int:
    value = request.GET.get(name, default)
    try:
        return max(int(value), minimum)
    except (TypeError, ValueError):
        raise ApiError(422, "invalid_parameters", f"{name} must be a whole number.") from None


def _list_page(request) -> int:
    """Discourse lists count pages from 0."""
    return _int(request, "page") + 1


def _listing(request, viewer, listing, path: str) -> dict:
    more = f"{path}?page={listing.page}" if listing.has_next else None
    return s.topic_list(
        listing.threads, viewer=viewer, more_url=more, per_page=settings.FORUM_THREADS_PER_PAGE
    )


def _readable_space(viewer, space_id: int) -> Space:
    space = permissions.visible_spaces(viewer).filter(pk=space_id).first()
    if space is None:
        raise Http404
    return space


@endpoint("GET")
def latest(request, viewer):
    listing = selectors.latest_threads(viewer=viewer, page=_list_page(request))
    return _listing(request, viewer, listing, "/latest.json")


@endpoint("GET")
def top(request, viewer):
    period = request.GET.get("period", "week")
    if period == "all":
        period = "year"
    if period not in selectors.TOP_PERIODS:
        raise ApiError(422, "invalid_parameters", "period must be day, week, month, year or all.")
    listing = selectors.top_threads(viewer=viewer, period=period, page=_list_page(request))
    return _listing(request, viewer, listing, "/top.json")


@endpoint("GET", signed_in=True)
def new(request, viewer):
    listing = selectors.new_threads(viewer=viewer, page=_list_page(request))
    return _listing(request, viewer, listing, "/new.json")


@endpoint("GET")
def categories(request, viewer):
    spaces = permissions.visible_spaces(viewer)
    return {
        "category_list": {
            "can_create_category": False,
            "can_create_topic": bool(viewer.is_authenticated),
            "categories": [s.category(space) for space in spaces],
        }
    }


@endpoint("GET")
def category_show(request, viewer, category_id: int):
    return {"category": s.category(_readable_space(viewer, category_id))}


@endpoint("GET")
def category_topics(request, viewer, category_id: int | None = None, slug: str | None = None):
    if category_id is None:
        space = permissions.visible_spaces(viewer).filter(slug=slug).first()
        if space is None:
            raise Http404
    else:
        space = _readable_space(viewer, category_id)
    listing = selectors.latest_threads(viewer=viewer, space=space, page=_list_page(request))
    data = _listing(request, viewer, listing, f"/c/{space.slug}/{space.pk}.json")
    data["category"] = s.category(space)
    return data


@endpoint("GET")
def tag(request, viewer, name: str):
    topic = Topic.objects.filter(slug=name).first()
    if topic is not None:
        listing = selectors.latest_threads(viewer=viewer, topic=topic, page=_list_page(request))
    else:
        listing = selectors.latest_threads(viewer=viewer, tag=name, page=_list_page(request))
    data = _listing(request, viewer, listing, f"/tag/{name}.json")
    data["topic_list"]["tags"] = [{"id": name, "name": name, "topic_count": None}]
    return data


def _thread(viewer, thread_id: int) -> Thread:
    thread = selectors.get_thread(viewer=viewer, thread_id=thread_id)
    return (
        Thread.objects.prefetch_related("tags")
        .select_related("space", "topic", "author")
        .get(pk=thread.pk)
    )


def _thread_posts(viewer, thread: Thread):
    return permissions.posts_of_readable_thread(viewer, thread).select_related("author")


@endpoint("GET")
def topic(request, viewer, thread_id: int, slug: str | None = None):
    thread = _thread(viewer, thread_id)
    per_page = settings.FORUM_POSTS_PER_PAGE
    stream = list(_thread_posts(viewer, thread).order_by("number").values_list("pk", flat=True))
    first = list(_thread_posts(viewer, thread).filter(pk__in=stream[:per_page]).order_by("number"))
    for p in first:
        p.thread = thread
    return {
        **s.topic_list_item(thread),
        "user_id": thread.author_id,
        "deleted_at": None,
        "word_count": None,
        "post_stream": {
            "posts": [s.post(p, viewer=viewer, thread=thread) for p in first],
            "stream": stream,
        },
        "details": {
            "created_by": s.user_basic(thread.author),
            "can_create_post": permissions.can_reply(viewer, thread),
            "can_edit": bool(first) and first[0].number == 1
            and permissions.can_edit_post(viewer, first[0]),
            "participants": [],
        },
        **solved.topic_fields(thread, viewer=viewer),
    }  # fmt: skip


@endpoint("GET")
def topic_posts(request, viewer, thread_id: int):
    thread = _thread(viewer, thread_id)
    qs = _thread_posts(viewer, thread).order_by("number")
    wanted = request.GET.getlist("post_ids[]") or request.GET.getlist("post_ids")
    if wanted:
        try:
            qs = qs.filter(pk__in=[int(v) for v in wanted])
        except ValueError:
            raise ApiError(422, "invalid_parameters", "post_ids must be post ids.") from None
    else:
        qs = qs[: settings.FORUM_POSTS_PER_PAGE]
    posts = list(qs)
    for p in posts:
        p.thread = thread
    return {
        "id": thread.pk,
        "post_stream": {"posts": [s.post(p, viewer=viewer, thread=thread) for p in posts]},
    }


@endpoint("GET")
def latest_posts(request, viewer):
    qs = permissions.visible_posts(
        viewer,
        Post.objects.filter(
            deleted_at__isnull=True, kind=Post.Kind.POST, thread__deleted_at__isnull=True
        ),
    )
    if not permissions.is_moderator(viewer):
        qs = qs.filter(thread__is_unlisted=False)
    before = request.GET.get("before")
    if before:
        qs = qs.filter(pk__lt=_int(request, "before"))
    posts = list(
        qs.select_related("author", "thread").order_by("-pk")[: settings.FORUM_THREADS_PER_PAGE]
    )
    return {"latest_posts": [s.post(p, viewer=viewer) for p in posts]}


@endpoint("GET")
def post_detail(request, viewer, post_id: int):
    post = selectors.get_post(viewer=viewer, post_id=post_id)
    return s.post(post, viewer=viewer, raw=True)


@csrf_exempt  # each endpoint it dispatches to checks CSRF for session writes
def post_or_edit(request, post_id: int):
    """GET /posts/<id>.json reads a post; PUT /posts/<id> edits it (as Discourse routes them)."""
    if request.method == "PUT":
        return edit_post(request, post_id=post_id)
    return post_detail(request, post_id=post_id)


@endpoint("GET")
def search(request, viewer):
    q = request.GET.get("q") or request.GET.get("term") or ""
    page = _int(request, "page", default=1, minimum=1)
    results = run_search(viewer, q, page=page)
    if results.problems:
        raise ApiError(422, "invalid_parameters", *results.problems)
    post_hits = [hit for hit in results.hits if hit.kind == "post"]
    thread_ids = {hit.obj.thread_id for hit in post_hits}
    threads = (
        Thread.objects.filter(pk__in=thread_ids)
        .select_related("topic", "author")
        .prefetch_related("tags")
    )
    posts = [s.search_post(hit, viewer=viewer) for hit in post_hits]
    # Library resources and events have no Discourse shape: they go under keys of their own,
    # which Discourse clients do not read, in the same ranked order as the page shows them.
    others = {"resource": [], "event": []}
    for hit in results.hits:
        if hit.kind in others:
            others[hit.kind].append(s.search_other(hit))
    return {
        "posts": posts,
        "resources": others["resource"],
        "events": others["event"],
        "topics": [s.topic_list_item(t) for t in threads],
        "users": [],
        "categories": [],
        "tags": [],
        "groups": [],
        "grouped_search_result": {
            "more_posts": None,
            "more_users": None,
            "more_categories": None,
            "term": q,
            "search_log_id": None,
            "more_full_page_results": results.has_next or None,
            "can_create_topic": bool(viewer.is_authenticated),
            "error": None,
            "post_ids": [p["id"] for p in posts],
            "resource_ids": [r["id"] for r in others["resource"]],
            "event_ids": [e["id"] for e in others["event"]],
            "user_ids": [],
            "category_ids": [],
            "tag_ids": [],
            "group_ids": [],
        },
    }


@endpoint("GET", signed_in=True)
def notifications(request, viewer):
    limit = min(_int(request, "limit", default=30, minimum=1), 60)
    offset = _int(request, "offset")
    rows = list(
        Notification.objects.filter(user=viewer)
        .select_related("thread")
        .order_by("-pk")[offset : offset + limit + 1]
    )
    readable = set(
        permissions.visible_threads(viewer)
        .filter(pk__in=[n.thread_id for n in rows if n.thread_id])
        .values_list("pk", flat=True)
    )
    items = []
    for n in rows[:limit]:
        # A thread the member can no longer read is not named in the list.
        if n.thread_id and n.thread_id not in readable:
            continue
        items.append(
            {
                "id": n.pk,
                "user_id": viewer.pk,
                "notification_type": NOTIFICATION_TYPES.get(n.kind, 12),
                "read": n.read_at is not None,
                "high_priority": n.kind == "mention",
                "created_at": s.iso(n.created_at),
                "post_number": (n.data or {}).get("number"),
                "topic_id": n.thread_id,
                "fancy_title": n.thread.title if n.thread_id else None,
                "slug": n.thread.slug if n.thread_id else None,
                "data": n.data,
            }
        )
    return {
        "notifications": items,
        "total_rows_notifications": len(items),
        "seen_notification_id": max((i["id"] for i in items), default=None),
        "load_more_notifications": f"/notifications?offset={offset + limit}&limit={limit}"
        if len(rows) > limit
        else None,
    }


@endpoint("GET")
def user(request, viewer, username: str):
    member = get_object_or_404(get_user_model(), username__iexact=username, is_active=True)
    # The one rule for profiles: a child's is for themself, moderators and staff only.
    if not member_permissions.can_view_profile(viewer, member):
        raise Http404
    return {
        "user_badges": [],
        "user": {
            **s.user_basic(member),
            "created_at": s.iso(member.date_joined),
            "last_posted_at": None,
            "last_seen_at": None,
            "trust_level": 2 if member.is_verified else 1,
            "moderator": member.is_moderator,
            "admin": member.is_superuser,
            "title": member.get_role_display(),
            "can_edit": viewer.is_authenticated and viewer.pk == member.pk,
        },
    }


def _bool(value) -> bool:
    return str(value).lower() in ("true", "1", "yes", "on")


@endpoint("POST", write=True)
def create_post(request, viewer):
    data = request.POST
    raw = data.get("raw", "")
    topic_id = data.get("topic_id")
    if topic_id:
        try:
            thread = selectors.get_thread(viewer=viewer, thread_id=int(topic_id))
        except ValueError:
            raise ApiError(422, "invalid_parameters", "topic_id must be a topic id.") from None
        reply_to = None
        number = data.get("reply_to_post_number")
        if number:
            reply_to = permissions.posts_of_readable_thread(viewer, thread).filter(
                number=number
            ).first()  # fmt: skip
        post = actions.create_post(author=viewer, thread=thread, source=raw, reply_to=reply_to)
    else:
        space = _space_for_new_topic(viewer, data.get("category"))
        tag_names = data.getlist("tags[]") or data.getlist("tags")
        topic = Topic.objects.filter(slug__in=tag_names).first()
        if topic is None:
            raise ValidationError(
                "Give the topic a practice topic as a tag, for example tags[]=infant-feeding."
            )
        rest = [t for t in tag_names if t != topic.slug]
        thread = actions.start_thread(
            author=viewer, space=space, topic=topic, title=data.get("title", ""), source=raw,
            tags=rest,
        )  # fmt: skip
        post = thread.posts.get(number=1)
    post = Post.objects.select_related("author", "thread").get(pk=post.pk)
    if post.status == "held":
        return {
            "success": True,
            "action": "enqueued",
            "pending_post": {"id": post.pk, "raw": post.source, "topic_id": post.thread_id},
            "pending_count": 1,
        }
    return s.post(post, viewer=viewer, raw=True)


def _space_for_new_topic(viewer, category) -> Space:
    if not category:
        raise ValidationError("category is required to start a topic.")
    try:
        return _readable_space(viewer, int(category))
    except ValueError:
        space = permissions.visible_spaces(viewer).filter(slug=category).first()
        if space is None:
            raise Http404 from None
        return space


@endpoint("PUT", write=True)
def edit_post(request, viewer, post_id: int):
    from django.http import QueryDict

    data = QueryDict(request.body, encoding="utf-8")
    raw = data.get("post[raw]", data.get("raw"))
    if raw is None:
        raise ApiError(422, "invalid_parameters", "post[raw] is required.")
    post = selectors.get_post(viewer=viewer, post_id=post_id)
    post = actions.edit_post(
        editor=viewer, post=post, source=raw, reason=data.get("post[edit_reason]", "")
    )
    post = Post.objects.select_related("author", "thread").get(pk=post.pk)
    return {"post": s.post(post, viewer=viewer, raw=True)}


@endpoint("PUT", write=True)
def topic_status(request, viewer, thread_id: int):
    from django.http import QueryDict

    data = QueryDict(request.body, encoding="utf-8")
    status = data.get("status", "")
    globally = status == "pinned_globally"
    if globally:
        status = "pinned"
    if "enabled" not in data:
        raise ApiError(422, "invalid_parameters", "enabled is required (true or false).")
    until: datetime | None = None
    if data.get("until"):
        until = parse_datetime(data["until"])
        if until is None:
            raise ApiError(422, "invalid_parameters", "until must be a date and time.")
    thread = selectors.get_thread(viewer=viewer, thread_id=thread_id)
    set_thread_status(
        actor=viewer, thread=thread, status=status, enabled=_bool(data["enabled"]),
        globally=globally, until=until,
    )  # fmt: skip
    return {"success": "OK", "topic_status_update": None}


@csrf_exempt  # each endpoint it dispatches to checks CSRF for session writes
def latest_posts_or_create(request):
    """GET /posts.json lists the latest posts; POST /posts.json creates one."""
    if request.method == "POST":
        return create_post(request)
    return latest_posts(request)
