"""Discourse's JSON endpoints over the forum: each parses, calls one selector or action, shapes.

Every read starts from the forum's visibility rule (through its selectors or
`permissions.visible_*`); every write is one forum or moderation action.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime

from community.accounts import permissions as member_permissions
from community.conversations.actions import start_conversation
from community.conversations.selectors import recipients_by_username
from community.forum import actions, permissions, selectors
from community.forum.models import Post, Space, Thread, Topic
from community.moderation.actions import flag_post, set_thread_status, set_timer
from community.search.service import search as run_search
from notifications import actions as notification_actions
from notifications.models import Notification, Subscription

from . import serializers as s
from . import shapes, views_messages
from .http import ApiError, endpoint

NOTIFICATION_TYPES = {
    "mention": 1, "reply": 2, "quote": 3, "reaction": 5, "posted": 9, "new_thread": 9,
    "post_approved": 12,
}  # fmt: skip


# Larger numbers than any page, offset or id can reach are refused, not sent to the database.
LARGEST = 2**31 - 1


def whole_number(value, name: str, default: int = 0, minimum: int = 0) -> int:
    """A parameter as a whole number in range, or a 400 that says why (never a 500)."""
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ApiError(400, "invalid_parameters", f"{name} must be a whole number.") from None
    if number > LARGEST:
        raise ApiError(400, "invalid_parameters", f"{name} is too large.")
    return max(number, minimum)


def _int(request, name: str, default: int = 0, minimum: int = 0) -> int:
    return whole_number(request.GET.get(name), name, default, minimum)


def _list_page(request) -> int:
    """Discourse lists count pages from 0."""
    return _int(request, "page") + 1


def _listing(request, viewer, listing, path: str, shape=shapes.LIST_TOPIC) -> dict:
    more = f"{path}?page={listing.page}" if listing.has_next else None
    return s.topic_list(
        listing.threads, viewer=viewer, more_url=more, per_page=settings.FORUM_THREADS_PER_PAGE,
        shape=shape,
    )  # fmt: skip


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
    return _listing(request, viewer, listing, "/top.json", shapes.TOP_TOPIC)


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
            "categories": [s.category(space, viewer, shapes.LISTED_CATEGORY) for space in spaces],
        }
    }


@endpoint("GET")
def category_show(request, viewer, category_id: int):
    return {"category": s.category(_readable_space(viewer, category_id), viewer)}


@endpoint("GET")
def category_topics(request, viewer, category_id: int | None = None, slug: str | None = None):
    if category_id is None:
        space = permissions.visible_spaces(viewer).filter(slug=slug).first()
        if space is None:
            raise Http404
    else:
        space = _readable_space(viewer, category_id)
    listing = selectors.latest_threads(viewer=viewer, space=space, page=_list_page(request))
    data = _listing(
        request, viewer, listing, f"/c/{space.slug}/{space.pk}.json", shapes.CATEGORY_TOPIC
    )
    topics = data["topic_list"]["topics"]  # each already in CATEGORY_TOPIC's shape
    data["topic_list"] = shapes.CATEGORY_TOPIC_LIST.project(data["topic_list"])
    data["topic_list"]["topics"] = topics  # keep the registered extension fields (Solved's)
    return data


@endpoint("GET")
def tag(request, viewer, name: str):
    topic = Topic.objects.filter(slug=name).first()
    if topic is not None:
        listing = selectors.latest_threads(viewer=viewer, topic=topic, page=_list_page(request))
    else:
        listing = selectors.latest_threads(viewer=viewer, tag=name, page=_list_page(request))
    data = _listing(request, viewer, listing, f"/tag/{name}.json")
    data["topic_list"]["tags"] = [{"id": 0, "name": name, "topic_count": len(listing.threads)}]
    return data


@endpoint("GET")
def tags(request, viewer):
    """Practice topics as Discourse's tags, with how many threads the viewer can read."""
    counts = dict(
        permissions.visible_threads(viewer)
        .filter(deleted_at__isnull=True)
        .values_list("topic")
        .annotate(n=Count("pk"))
    )
    return {
        "tags": [
            {"id": t.pk, "text": t.slug, "name": t.slug, "count": counts.get(t.pk, 0),
             "pm_count": 0}
            for t in Topic.objects.order_by("slug")
        ],
        "extras": {"categories": []},
    }  # fmt: skip


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
def topic(request, viewer, thread_id: int, slug: str | None = None, post_number: int = 1):
    """A topic with a page of its posts, from `post_number` (Discourse's /t/{id}/{number})."""
    if views_messages.is_message_topic(thread_id):
        return views_messages.topic(viewer, thread_id, post_number)
    thread = _thread(viewer, thread_id)
    per_page = settings.FORUM_POSTS_PER_PAGE
    numbered = list(_thread_posts(viewer, thread).order_by("number").values_list("pk", "number"))
    stream = [pk for pk, _n in numbered]
    start = next((i for i, (_pk, n) in enumerate(numbered) if n >= post_number), len(numbered))
    start = max(min(start, len(numbered) - per_page), 0)
    page = list(
        _thread_posts(viewer, thread)
        .filter(pk__in=stream[start : start + per_page])
        .order_by("number")
    )
    for p in page:
        p.thread = thread
    first = next((p for p in page if p.number == 1), None)
    creator = s.author(viewer, thread.author)
    is_mod = permissions.is_moderator(viewer)
    values = {
        **s.topic_values(thread, viewer),
        "tags": s.thread_tags(thread),
        "user_id": creator["id"],
        "deleted_at": None,
        "word_count": None,
        "timeline_lookup": [],
        "suggested_topics": [],
        "actions_summary": [],
        "chunk_size": per_page,
        "bookmarked": False,
        "bookmarks": [],
        "participant_count": 1,
        "thumbnails": None,
        "unpinned": None,
        "draft_sequence": 0,
        "draft_key": f"topic_{thread.pk}",
        "post_stream": {
            "posts": s.posts(page, viewer=viewer),
            "stream": stream,
        },
        "details": shapes.TOPIC_DETAILS.project(
            {
                "created_by": creator,
                "last_poster": creator,
                "can_create_post": permissions.can_reply(viewer, thread),
                "can_edit": bool(first) and permissions.can_edit_post(viewer, first),
                "can_delete": bool(first) and permissions.can_delete_post(viewer, first),
                "can_close_topic": is_mod,
                "can_archive_topic": is_mod,
                "can_pin_unpin_topic": is_mod,
                "can_toggle_topic_visibility": is_mod,
                "can_move_posts": is_mod,
                "can_split_merge_topic": is_mod,
                "can_moderate_category": is_mod,
                "notification_level": 1,
                "participants": [],
            }
        ),
    }
    return shapes.TOPIC.project(values, s.topic_extensions(thread, viewer))


@endpoint("GET")
def topic_posts(request, viewer, thread_id: int):
    thread = _thread(viewer, thread_id)
    qs = _thread_posts(viewer, thread).order_by("number")
    wanted = request.GET.getlist("post_ids[]") or request.GET.getlist("post_ids")
    if wanted:
        qs = qs.filter(pk__in=[whole_number(v, "post_ids") for v in wanted if v != ""])
    else:
        qs = qs[: settings.FORUM_POSTS_PER_PAGE]
    found = list(qs)
    for p in found:
        p.thread = thread
    return {"id": thread.pk, "post_stream": {"posts": s.posts(found, viewer=viewer)}}


@endpoint("GET")
def topics_created_by(request, viewer, username: str):
    """Topics a member started, when the viewer may know who they are."""
    member = _member(viewer, username)
    threads = list(
        permissions.listable_threads(viewer)
        .filter(author=member, deleted_at__isnull=True)
        .select_related("topic", "author")
        .prefetch_related("tags")
        .order_by("-created_at")[: settings.FORUM_THREADS_PER_PAGE]
    )
    return s.topic_list(threads, viewer=viewer, more_url=None, per_page=len(threads))


def _member(viewer, username: str):
    member = get_object_or_404(get_user_model(), username__iexact=username, is_active=True)
    # The one rule for profiles: a child's is for themself, moderators and staff only.
    if not member_permissions.can_view_profile(viewer, member):
        raise Http404
    return member


@endpoint("GET")
def latest_posts(request, viewer):
    qs = permissions.listable_posts(
        viewer,
        Post.objects.filter(
            deleted_at__isnull=True, kind=Post.Kind.POST, thread__deleted_at__isnull=True
        ),
    )
    before = request.GET.get("before")
    if before:
        qs = qs.filter(pk__lt=_int(request, "before"))
    found = list(
        qs.select_related("author", "thread").order_by("-pk")[: settings.FORUM_THREADS_PER_PAGE]
    )
    return {"latest_posts": s.posts(found, viewer=viewer, shape=shapes.LATEST_POST, raw=True)}


@endpoint("GET")
def post_detail(request, viewer, post_id: int):
    if views_messages.is_message_topic(post_id):
        return views_messages.post(viewer, post_id)
    post = selectors.get_post(viewer=viewer, post_id=post_id)
    return s.post(post, viewer=viewer, raw=True, shape=shapes.POST_DETAIL)


@endpoint("GET")
def post_by_number(request, viewer, thread_id: int, post_number: int):
    thread = selectors.get_thread(viewer=viewer, thread_id=thread_id)
    post = _thread_posts(viewer, thread).filter(number=post_number).first()
    if post is None:
        raise Http404
    return s.post(post, viewer=viewer, thread=thread, raw=True, shape=shapes.POST_DETAIL)


@endpoint("GET")
def post_replies(request, viewer, post_id: int):
    post = selectors.get_post(viewer=viewer, post_id=post_id)
    replies = list(
        _thread_posts(viewer, post.thread).filter(reply_to=post).order_by("number")[:100]
    )
    return s.posts(replies, viewer=viewer, shape=shapes.REPLY_POST)


@endpoint("DELETE", write=True)
def delete_post(request, viewer, post_id: int):
    post = selectors.get_post(viewer=viewer, post_id=post_id)
    actions.delete_post(actor=viewer, post=post)
    return {"success": "OK"}


@endpoint("DELETE", write=True)
def delete_topic(request, viewer, thread_id: int):
    thread = selectors.get_thread(viewer=viewer, thread_id=thread_id)
    first = _thread_posts(viewer, thread).filter(number=1).first()
    if first is None:
        raise Http404
    actions.delete_post(actor=viewer, post=first)
    return {"success": "OK"}


@endpoint("PUT", write=True)
def update_topic(request, viewer, thread_id: int, slug: str | None = None):
    """Rename a topic or change its practice topic and tags (`topic[title]`, `title`, `tags[]`)."""
    data = request.data
    thread = _thread(viewer, thread_id)
    title = data.get("topic[title]", data.get("title", thread.title))
    names = data.getlist("topic[tags][]") or data.getlist("tags[]") or None
    topic = thread.topic
    rest = [t.slug for t in thread.tags.all()]
    if names is not None:
        chosen = Topic.objects.filter(slug__in=names).first()
        topic = chosen or topic
        rest = [n for n in names if not chosen or n != chosen.slug]
    thread = actions.edit_thread(editor=viewer, thread=thread, title=title, topic=topic, tags=rest)
    return {"basic_topic": shapes.BASIC_TOPIC.project(s.topic_values(thread, viewer))}


@endpoint("PUT", write=True)
def bookmark_topic(request, viewer, thread_id: int):
    thread = selectors.get_thread(viewer=viewer, thread_id=thread_id)
    first = _thread_posts(viewer, thread).filter(number=1).first()
    if first is None:
        raise Http404
    if not first.bookmarks.filter(user=viewer).exists():
        actions.toggle_bookmark(user=viewer, post=first)
    return {"success": "OK"}


@endpoint("POST", write=True)
def create_bookmark(request, viewer):
    """POST /bookmarks.json: bookmark a post (`bookmarkable_id`, `bookmarkable_type=Post`)."""
    data = request.data
    kind = data.get("bookmarkable_type", "Post")
    target = whole_number(data.get("bookmarkable_id") or data.get("post_id"), "bookmarkable_id")
    if kind == "Topic":
        thread = selectors.get_thread(viewer=viewer, thread_id=target)
        post = _thread_posts(viewer, thread).filter(number=1).first()
        if post is None:
            raise Http404
    elif kind == "Post":
        post = selectors.get_post(viewer=viewer, post_id=target)
    else:
        raise ApiError(400, "invalid_parameters", "bookmarkable_type must be Post or Topic.")
    if not post.bookmarks.filter(user=viewer).exists():
        actions.toggle_bookmark(user=viewer, post=post)
    return {"success": "OK", "id": post.pk}


@endpoint("POST", write=True)
def topic_timings(request, viewer):
    """POST /topics/timings: how far the member has read (`topic_id`, `timings[n]=ms`)."""
    data = request.data
    thread = selectors.get_thread(
        viewer=viewer, thread_id=whole_number(data.get("topic_id"), "topic_id", minimum=1)
    )
    numbers = [
        whole_number(key[len("timings[") : -1], "timings")
        for key in data
        if key.startswith("timings[") and key.endswith("]")
    ]
    if numbers:
        actions.record_read(
            user=viewer, thread=thread, number=min(max(numbers), thread.highest_post_number)
        )
    return {"success": "OK"}


# Discourse's post action types: a like, and the flags moderators review.
FLAG_REASONS = {3: "off_topic", 4: "inappropriate", 7: "other", 8: "spam"}


@endpoint("POST", write=True)
def post_action(request, viewer):
    """POST /post_actions.json: like a post (type 2) or flag it (3, 4, 7, 8)."""
    data = request.data
    post = selectors.get_post(viewer=viewer, post_id=whole_number(data.get("id"), "id"))
    kind = whole_number(data.get("post_action_type_id"), "post_action_type_id")
    if kind == s.LIKE:
        if not post.reactions.filter(user=viewer, kind="like").exists():
            actions.toggle_reaction(user=viewer, post=post, kind="like")
    elif kind in FLAG_REASONS:
        flag_post(
            flagger=viewer, post=post, reason=FLAG_REASONS[kind], note=data.get("message", "")
        )
    else:
        raise ApiError(400, "invalid_parameters", "post_action_type_id must be 2, 3, 4, 7 or 8.")
    post = Post.objects.select_related("author", "thread").get(pk=post.pk)
    return s.post(post, viewer=viewer, shape=shapes.ACTED_POST)


@endpoint("DELETE", write=True)
def undo_post_action(request, viewer, post_id: int):
    """DELETE /post_actions/{post id}.json?post_action_type_id=2: take a like back."""
    post = selectors.get_post(viewer=viewer, post_id=post_id)
    kind = whole_number(request.data.get("post_action_type_id"), "post_action_type_id", s.LIKE)
    if kind != s.LIKE:
        raise ApiError(400, "invalid_parameters", "Only a like can be taken back.")
    if post.reactions.filter(user=viewer, kind="like").exists():
        actions.toggle_reaction(user=viewer, post=post, kind="like")
    post = Post.objects.select_related("author", "thread").get(pk=post.pk)
    return s.post(post, viewer=viewer, shape=shapes.ACTED_POST)


@endpoint("POST", write=True)
def topic_notification_level(request, viewer, thread_id: int):
    thread = selectors.get_thread(viewer=viewer, thread_id=thread_id)
    level = whole_number(request.data.get("notification_level"), "notification_level", 1)
    notification_actions.set_level(
        user=viewer, target=Subscription.Target.THREAD, target_id=thread.pk, level=level
    )
    return {"success": "OK"}


@endpoint("POST", write=True)
def topic_timer(request, viewer, thread_id: int):
    data = request.data
    action = data.get("status_type", "close")
    if action not in ("close", "open", "reopen"):
        raise ApiError(400, "invalid_parameters", "status_type must be close or open.")
    at = parse_datetime(data["time"]) if data.get("time") else None
    if data.get("time") and at is None:
        raise ApiError(400, "invalid_parameters", "time must be a date and time.")
    thread = selectors.get_thread(viewer=viewer, thread_id=thread_id)
    set_timer(actor=viewer, thread=thread, action="reopen" if action == "open" else action, at=at)
    return {"success": "OK", "execute_at": data.get("time"), "closed": thread.is_closed}


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
    found = [s.search_post(hit, viewer=viewer) for hit in post_hits]
    # Library resources and events have no Discourse shape: they go under keys of their own,
    # which Discourse clients do not read, in the same ranked order as the page shows them.
    others = {"resource": [], "event": []}
    for hit in results.hits:
        if hit.kind in others:
            others[hit.kind].append(s.search_other(hit))
    return {
        "posts": found,
        "resources": others["resource"],
        "events": others["event"],
        "topics": [s.topic_list_item(t, viewer) for t in threads],
        "users": [],
        "categories": [],
        "tags": [],
        "groups": [],
        "grouped_search_result": {
            **shapes.SEARCH_RESULT.project(
                {
                    "term": q,
                    "search_log_id": 0,
                    "more_full_page_results": "true" if results.has_next else None,
                    "can_create_topic": bool(viewer.is_authenticated),
                    "post_ids": [p["id"] for p in found],
                }
            ),
            "resource_ids": [r["id"] for r in others["resource"]],
            "event_ids": [e["id"] for e in others["event"]],
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
    answer = {
        "notifications": items,
        "total_rows_notifications": len(items),
        "seen_notification_id": max((i["id"] for i in items), default=0),
    }
    if len(rows) > limit:
        answer["load_more_notifications"] = f"/notifications?offset={offset + limit}&limit={limit}"
    return answer


@endpoint("PUT", write=True)
def mark_notifications_read(request, viewer):
    if request.data.get("id"):
        notification = get_object_or_404(
            Notification, pk=whole_number(request.data["id"], "id"), user=viewer
        )
        notification_actions.mark_read(user=viewer, notification=notification)
    else:
        notification_actions.mark_all_read(user=viewer)
    return {"success": "OK"}


def _bool(value) -> bool:
    return str(value).lower() in ("true", "1", "yes", "on")


@endpoint("POST", write=True)
def create_post(request, viewer):
    """A reply (`topic_id`), a new topic (`title`, `category`) or a private message
    (`archetype=private_message`, `target_recipients`)."""
    data = request.data
    raw = data.get("raw", "")
    if data.get("archetype") == "private_message":
        return _create_private_message(viewer, data, raw)
    topic_id = data.get("topic_id")
    if topic_id and views_messages.is_message_topic(whole_number(topic_id, "topic_id")):
        return views_messages.reply(viewer, whole_number(topic_id, "topic_id"), raw)
    if topic_id:
        thread = selectors.get_thread(viewer=viewer, thread_id=whole_number(topic_id, "topic_id"))
        reply_to = None
        number = data.get("reply_to_post_number")
        if number:
            number = whole_number(number, "reply_to_post_number", minimum=1)
            reply_to = permissions.posts_of_readable_thread(viewer, thread).filter(
                number=number
            ).first()  # fmt: skip
            if reply_to is None:
                raise ApiError(422, "invalid_parameters", "reply_to_post_number names no post.")
        post = actions.create_post(author=viewer, thread=thread, source=raw, reply_to=reply_to)
    else:
        space = _space_for_new_topic(viewer, data.get("category"))
        tag_names = data.getlist("tags[]") or data.getlist("tags")
        topic = Topic.objects.filter(slug__in=tag_names).first()
        if topic is None:
            # API clients need not name a practice topic: the space's default stands in.
            topic = space.default_topic
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
    return s.post(post, viewer=viewer, raw=True, shape=shapes.CREATED_POST)


def _create_private_message(viewer, data, raw: str) -> dict:
    names = ",".join(
        data.getlist("target_recipients[]")
        or data.getlist("target_recipients")
        or data.getlist("target_usernames")
    )
    usernames = [n.strip() for n in names.split(",") if n.strip()]
    if not usernames:
        raise ApiError(
            422, "invalid_parameters", "Name who the message is for in target_recipients."
        )
    recipients = recipients_by_username(sender=viewer, usernames=usernames)
    conversation = start_conversation(
        sender=viewer, recipients=recipients, subject=data.get("title", ""), source=raw
    )
    return views_messages.created(viewer, conversation)


def _space_for_new_topic(viewer, category) -> Space:
    if not category:
        raise ValidationError("category is required to start a topic.")
    try:
        return _readable_space(viewer, whole_number(category, "category"))
    except ApiError:
        space = permissions.visible_spaces(viewer).filter(slug=category).first()
        if space is None:
            raise Http404 from None
        return space


@endpoint("PUT", write=True)
def edit_post(request, viewer, post_id: int):
    data = request.data
    raw = data.get("post[raw]", data.get("raw"))
    if raw is None:
        raise ApiError(422, "invalid_parameters", "post[raw] is required.")
    post = selectors.get_post(viewer=viewer, post_id=post_id)
    post = actions.edit_post(
        editor=viewer, post=post, source=raw, reason=data.get("post[edit_reason]", "")
    )
    post = Post.objects.select_related("author", "thread").get(pk=post.pk)
    return {"post": s.post(post, viewer=viewer, raw=True, shape=shapes.EDITED_POST)}


@endpoint("PUT", write=True)
def topic_status(request, viewer, thread_id: int):
    data = request.data
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


def _staff_only(viewer) -> None:
    if not permissions.is_moderator(viewer):
        raise PermissionDenied("Only moderators and centre staff may do that.")


@endpoint("POST", write=True)
def create_upload(request, viewer):
    """POST /uploads.json: an image or PDF (`file`), checked and re-encoded as the site does."""
    from community.forum.uploads import prepare_upload

    upload = request.FILES.get("file") or request.FILES.get("files[]")
    if upload is None:
        raise ApiError(422, "invalid_parameters", "Send the file as file.")
    stored = actions.upload_attachment(uploader=viewer, upload=prepare_upload(upload))
    # Served by the attachment view, which asks whether the viewer may read the post that
    # holds the file: nobody until a post names it (`short_url` in its raw), then that post's
    # readers only. The storage's own URL is never given out.
    extension = stored.original_name.rsplit(".", 1)[-1].lower()
    url = stored.get_absolute_url()
    return shapes.UPLOAD.project(
        {
            "id": stored.pk,
            "url": url,
            "original_filename": stored.original_name,
            "filesize": stored.size,
            "width": stored.width or 0,
            "height": stored.height or 0,
            "thumbnail_width": stored.width or 0,
            "thumbnail_height": stored.height or 0,
            "extension": extension,
            "short_url": f"upload://{stored.pk}.{extension}",
            "short_path": url,
            "retain_hours": None,
            "human_filesize": f"{max(stored.size // 1024, 1)} KB",
        }
    )
