"""Our domain in Discourse's shapes: spaces are categories, practice topics are tags.

Every member named in an answer goes through `author`, which asks the members' privacy rule
(`accounts.permissions.can_view_profile`, the rule the pages use): a young person's username
and id are shown only to themself, moderators and centre staff, as the thread page does.

Other apps add fields to posts and topics through `register_post_fields` and
`register_topic_fields` (polls, accepted answers), so the API never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.html import strip_tags

from community.accounts import permissions as member_permissions
from community.forum import permissions
from community.forum.models import Bookmark, Post, Reaction, Space, Status, Thread

from . import shapes
from .shape import Shape

AVATAR = "/static/img/avatar.svg?size={size}"
SPACE_COLOURS = {"national": "1d70b8", "regional": "00703c", "community": "4c2c92"}
LIKE = 2  # Discourse's post action type for a like
# The id and username a member is shown with when the viewer may not know who they are.
HIDDEN_MEMBER_ID = 0
HIDDEN_USERNAME = ""

# Keys we add to Discourse's shapes (search's library resources and events, and the fields
# other apps register): Discourse clients ignore them, and they are not its contract.
EXTENSION_KEYS: set[str] = {"resources", "events", "resource_ids", "event_ids"}
# Discourse's search answers carry `topics` (its clients read them), though its document
# leaves them out.
EXTENSION_KEYS.add("topics")

# (posts, viewer) -> {post id: {field: value}}; (threads, viewer) -> {thread id: {...}}
FieldHook = Callable[[list, object], dict[int, dict]]
_post_hooks: list[FieldHook] = []
_topic_hooks: list[FieldHook] = []


def register_post_fields(keys: Iterable[str], hook: FieldHook) -> None:
    """Let an app add fields to every post the API shows (called from its AppConfig.ready)."""
    EXTENSION_KEYS.update(keys)
    _post_hooks.append(hook)


def register_topic_fields(keys: Iterable[str], hook: FieldHook) -> None:
    """Let an app add fields to every topic the API shows."""
    EXTENSION_KEYS.update(keys)
    _topic_hooks.append(hook)


def _extensions(hooks: list[FieldHook], objects: list, viewer) -> dict[int, dict]:
    extra: dict[int, dict] = {}
    for hook in hooks:
        for pk, fields in hook(objects, viewer).items():
            extra.setdefault(pk, {}).update(fields)
    return extra


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def shows_identity(viewer, member) -> bool:
    """The members' privacy rule, asked once for every member an answer names."""
    return member_permissions.can_view_profile(viewer, member)


def author(viewer, member) -> dict:
    """A member as Discourse's basic user: id, username, name, avatar."""
    if not shows_identity(viewer, member):
        return {
            "id": HIDDEN_MEMBER_ID,
            "username": HIDDEN_USERNAME,
            "name": member.display_name,
            "avatar_template": AVATAR,
        }
    return {
        "id": member.pk,
        "username": member.username,
        "name": member.display_name,
        "avatar_template": AVATAR,
    }


def tag(name: str, pk: int = 0) -> dict:
    return {"id": pk, "name": name, "slug": name}


def thread_tags(thread: Thread) -> list[dict]:
    """The practice topic first, then the thread's own tags, as Discourse's tag objects."""
    tags = thread.tag_list if hasattr(thread, "tag_list") else thread.tags.all()
    return [
        tag(thread.topic.slug, thread.topic_id),
        *(tag(t.slug, t.pk) for t in sorted(tags, key=lambda t: t.slug)),
    ]


def thread_tag_names(thread: Thread) -> list[str]:
    """The practice topic first, then the thread's own tags (attached by the forum's selectors
    as `tag_list`, else prefetched)."""
    tags = thread.tag_list if hasattr(thread, "tag_list") else thread.tags.all()
    return [thread.topic.slug, *sorted(t.slug for t in tags)]


def category_values(space: Space, viewer=None) -> dict:
    return {
        "id": space.pk,
        "name": space.name,
        "color": SPACE_COLOURS.get(space.kind, "505a5f"),
        "text_color": "FFFFFF",
        "style_type": "square",
        "slug": space.slug,
        "topic_count": space.thread_count,
        "post_count": space.post_count,
        "position": space.position,
        "description": space.description,
        "description_text": space.description,
        "description_excerpt": space.description,
        "topic_url": space.get_absolute_url(),
        "read_restricted": space.visibility != Space.Visibility.PUBLIC,
        "permission": 1 if permissions.can_post_in_space(viewer, space) else 3,
        "notification_level": 1,
        "can_edit": False,
        "has_children": False,
        "subcategory_count": 0,
        "subcategory_ids": [],
        "subcategory_list_style": "rows_with_featured_topics",
        "default_top_period": "all",
        "default_list_filter": "all",
        "minimum_required_tags": 0 if space.default_topic_id else 1,
        "num_featured_topics": 3,
        "show_subcategory_list": False,
        "search_priority": 0,
    }


def category(space: Space, viewer=None, shape: Shape = shapes.CATEGORY) -> dict:
    return shape.project(category_values(space, viewer))


@dataclass
class PostContext:
    """What a list of posts needs about the viewer, read once: their likes and bookmarks."""

    liked: set[int] = field(default_factory=set)
    bookmarked: set[int] = field(default_factory=set)
    extra: dict[int, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, posts: list[Post], viewer) -> PostContext:
        ids = [p.pk for p in posts]
        context = cls(extra=_extensions(_post_hooks, posts, viewer) if _post_hooks else {})
        if ids and viewer is not None and viewer.is_authenticated:
            context.liked = set(
                Reaction.objects.filter(
                    user=viewer, post_id__in=ids, kind=Reaction.Kind.LIKE
                ).values_list("post_id", flat=True)
            )
            context.bookmarked = set(
                Bookmark.objects.filter(user=viewer, post_id__in=ids).values_list(
                    "post_id", flat=True
                )
            )
        return context


def post_values(p: Post, *, viewer, thread: Thread, context: PostContext) -> dict:
    who = author(viewer, p.author)
    signed_in = bool(viewer is not None and viewer.is_authenticated)
    likes = (p.reaction_counts or {}).get("like", 0)
    liked = p.pk in context.liked
    shown = who["id"] != HIDDEN_MEMBER_ID
    return {
        "id": p.pk,
        "name": who["name"],
        "username": who["username"],
        "display_username": who["name"],
        "avatar_template": AVATAR,
        "created_at": iso(p.created_at),
        "cooked": p.html,
        "post_number": p.number,
        "post_type": 3 if p.kind == Post.Kind.NOTE else 1,
        "posts_count": thread.post_count,
        "updated_at": iso(p.edited_at or p.created_at),
        "reply_to_post_number": p.reply_to_number,
        "readers_count": 0,
        "yours": signed_in and viewer.pk == p.author_id,
        "topic_id": thread.pk,
        "topic_slug": thread.slug,
        "topic_title": thread.title,
        "topic_html_title": thread.title,
        "category_id": thread.space_id,
        "version": p.revision_count + 1,
        "can_edit": permissions.can_edit_post(viewer, p),
        "can_delete": permissions.can_delete_post(viewer, p),
        "can_view_edit_history": True,
        "bookmarked": p.pk in context.bookmarked,
        "read": True,
        "moderator": shown and p.author.is_moderator,
        "admin": shown and p.author.is_superuser,
        "staff": shown and p.author.is_moderator,
        "user_id": who["id"],
        "hidden": p.status == Status.HIDDEN,
        "trust_level": p.author.trust_level if shown else 0,
        "deleted_at": iso(p.deleted_at),
        "post_url": thread.post_url(p.number),
        "like_count": likes,
        "actions_summary": [
            {
                "id": LIKE,
                "count": likes,
                "acted": liked,
                "can_undo": liked,
                "can_act": signed_in and not liked and permissions.can_react(viewer, p),
            }
        ],
        "mentioned_users": [],
    }


def post(
    p: Post,
    *,
    viewer,
    thread: Thread | None = None,
    raw: bool = False,
    shape: Shape = shapes.POST_IN_TOPIC,
    context: PostContext | None = None,
) -> dict:
    thread = thread or p.thread
    context = context or PostContext.of([p], viewer)
    known = post_values(p, viewer=viewer, thread=thread, context=context)
    if raw:
        known["raw"] = p.source
    return shape.project(known, context.extra.get(p.pk))


def posts(items: list[Post], *, viewer, shape: Shape = shapes.POST_IN_TOPIC, raw=False) -> list:
    context = PostContext.of(items, viewer)
    return [post(p, viewer=viewer, raw=raw, shape=shape, context=context) for p in items]


def topic_values(thread: Thread, viewer=None) -> dict:
    names = thread_tag_names(thread)
    return {
        "id": thread.pk,
        "title": thread.title,
        "fancy_title": thread.title,
        "slug": thread.slug,
        "posts_count": thread.post_count,
        "reply_count": thread.reply_count,
        "highest_post_number": thread.highest_post_number,
        "image_url": None,
        "created_at": iso(thread.created_at),
        "last_posted_at": iso(thread.last_post_at),
        "bumped": True,
        "bumped_at": iso(thread.last_post_at),
        "archetype": "regular",
        "unseen": False,
        "pinned": thread.is_pinned or thread.pinned_globally,
        "unpinned": False,
        "visible": not thread.is_unlisted,
        "closed": thread.is_closed,
        "archived": thread.is_archived,
        "bookmarked": False,
        "liked": False,
        "tags": names,
        "tags_descriptions": {},
        "views": thread.view_count,
        "like_count": thread.like_count,
        "has_summary": False,
        "last_poster_username": thread.last_poster_name,
        "category_id": thread.space_id,
        "pinned_globally": thread.pinned_globally,
        "pinned_until": iso(thread.pinned_until),
        "slow_mode_seconds": thread.slow_mode_seconds,
        "featured_link": None,
        "posters": [
            {
                "extras": "latest single",
                "description": "Original Poster",
                "user_id": author(viewer, thread.author)["id"],
                "primary_group_id": None,
            },
        ],  # fmt: skip
    }


# Discourse's Solved plugin on topic lists (beyond the document's shape).
EXTENSION_KEYS.update({"has_accepted_answer", "can_have_answer"})


def _solved_list_fields(thread: Thread) -> dict:
    return {
        "has_accepted_answer": thread.accepted_answer_id is not None,
        # Lists load threads with their space; asking otherwise would be a query per row.
        "can_have_answer": (
            thread.space.accepted_answers if Thread.space.is_cached(thread) else None
        ),
    }


def topic_list_item(thread: Thread, viewer=None, shape: Shape = shapes.LIST_TOPIC, extra=None):
    fields = {**_solved_list_fields(thread), **((extra or {}).get(thread.pk) or {})}
    return shape.project(topic_values(thread, viewer), fields)


def topic_list(
    threads: list[Thread],
    *,
    viewer,
    more_url: str | None,
    per_page: int,
    shape: Shape = shapes.LIST_TOPIC,
) -> dict:
    users = {t.author_id: author(viewer, t.author) for t in threads}
    extra = _extensions(_topic_hooks, threads, viewer) if _topic_hooks else {}
    return {
        "users": [u for u in users.values() if u["id"] != HIDDEN_MEMBER_ID],
        "primary_groups": [],
        "topic_list": {
            "can_create_topic": bool(viewer and viewer.is_authenticated),
            "more_topics_url": more_url,
            "per_page": per_page,
            "top_tags": [],
            "topics": [topic_list_item(t, viewer, shape, extra) for t in threads],
        },
    }


def topic_extensions(thread: Thread, viewer) -> dict:
    return _extensions(_topic_hooks, [thread], viewer).get(thread.pk, {}) if _topic_hooks else {}


def search_post(hit, *, viewer) -> dict:
    p = hit.obj
    who = author(viewer, p.author)
    return shapes.SEARCH_POST.project(
        {
            "id": p.pk,
            "name": who["name"],
            "username": who["username"],
            "avatar_template": AVATAR,
            "created_at": iso(p.created_at),
            "like_count": (p.reaction_counts or {}).get("like", 0),
            "blurb": strip_tags(str(hit.snippet)),
            "post_number": p.number,
            "topic_title_headline": p.thread.title,
            "topic_id": p.thread_id,
        }
    )


def search_other(hit) -> dict:
    """A search hit that is not a post (a library resource, an event), in our own shape."""
    data = {
        "id": hit.object_id,
        "kind": hit.kind,
        "title": hit.title,
        "url": hit.url,
        "blurb": strip_tags(str(hit.snippet)),
        "context": hit.context,
        "date": iso(hit.created_at),
    }
    for key, value in hit.extra.items():
        data[key] = iso(value) if hasattr(value, "isoformat") else value
    return data
