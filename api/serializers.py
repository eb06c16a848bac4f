"""Our domain in Discourse's shapes: spaces are categories, practice topics are tags."""

from __future__ import annotations

from django.utils.html import strip_tags

from community.forum import permissions
from community.forum.models import Post, Space, Status, Thread

from . import polls, solved

AVATAR = "/static/img/avatar.svg?size={size}"
SPACE_COLOURS = {"national": "1d70b8", "regional": "00703c", "community": "4c2c92"}


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def user_basic(user) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.display_name,
        "avatar_template": AVATAR,
    }


def thread_tags(thread: Thread) -> list[str]:
    """The practice topic first, then the thread's own tags (attached by the forum's selectors
    as `tag_list`, else prefetched)."""
    tags = thread.tag_list if hasattr(thread, "tag_list") else thread.tags.all()
    return [thread.topic.slug, *sorted(t.slug for t in tags)]


def category(space: Space) -> dict:
    return {
        "id": space.pk,
        "name": space.name,
        "color": SPACE_COLOURS.get(space.kind, "505a5f"),
        "text_color": "FFFFFF",
        "slug": space.slug,
        "topic_count": space.thread_count,
        "post_count": space.post_count,
        "position": space.position,
        "description": space.description,
        "description_text": space.description,
        "description_excerpt": space.description,
        "topic_url": space.get_absolute_url(),
        "read_restricted": space.visibility != Space.Visibility.PUBLIC,
        "permission": None,
        "parent_category_id": None,
        "has_children": False,
        "subcategory_ids": [],
        "uploaded_logo": None,
        "uploaded_background": None,
    }


def topic_list_item(thread: Thread) -> dict:
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
        "unpinned": None,
        "visible": not thread.is_unlisted,
        "closed": thread.is_closed,
        "archived": thread.is_archived,
        "bookmarked": None,
        "liked": None,
        "tags": thread_tags(thread),
        "views": 0,
        "like_count": thread.like_count,
        "has_summary": False,
        "last_poster_username": thread.last_poster_name,
        "category_id": thread.space_id,
        "pinned_globally": thread.pinned_globally,
        "posters": [
            {
                "extras": "latest single",
                "description": "Original Poster",
                "user_id": thread.author_id,
                "primary_group_id": None,
            },
        ],  # fmt: skip
        **solved.topic_list_fields(thread),
    }


def topic_list(threads: list[Thread], *, viewer, more_url: str | None, per_page: int) -> dict:
    users = {t.author_id: user_basic(t.author) for t in threads}
    return {
        "users": list(users.values()),
        "primary_groups": [],
        "topic_list": {
            "can_create_topic": bool(viewer and viewer.is_authenticated),
            "more_topics_url": more_url,
            "per_page": per_page,
            "top_tags": [],
            "topics": [topic_list_item(t) for t in threads],
        },
    }


def post(p: Post, *, viewer, thread: Thread | None = None, raw: bool = False) -> dict:
    thread = thread or p.thread
    data = {
        "id": p.pk,
        "name": p.author.display_name,
        "username": p.author.username,
        "avatar_template": AVATAR,
        "created_at": iso(p.created_at),
        "cooked": p.html,
        "post_number": p.number,
        "post_type": 3 if p.kind == Post.Kind.NOTE else 1,
        "updated_at": iso(p.edited_at or p.created_at),
        "reply_count": 0,
        "reply_to_post_number": p.reply_to_number,
        "quote_count": 0,
        "incoming_link_count": 0,
        "reads": 0,
        "score": 0,
        "yours": bool(viewer and viewer.is_authenticated and viewer.pk == p.author_id),
        "topic_id": thread.pk,
        "topic_slug": thread.slug,
        "topic_title": thread.title,
        "category_id": thread.space_id,
        "display_username": p.author.display_name,
        "version": p.revision_count + 1,
        "can_edit": permissions.can_edit_post(viewer, p),
        "can_delete": permissions.can_delete_post(viewer, p),
        "user_id": p.author_id,
        "hidden": p.status == Status.HIDDEN,
        "deleted_at": iso(p.deleted_at),
        "edit_reason": None,
        "wiki": False,
        "moderator": p.author.is_moderator,
        "staff": p.author.is_moderator,
        "actions_summary": [],
        **solved.post_fields(p, viewer=viewer, thread=thread),
        **polls.post_fields(p, viewer=viewer),
    }
    if raw:
        data["raw"] = p.source
    return data


def search_post(hit, *, viewer) -> dict:
    p = hit.obj
    return {
        "id": p.pk,
        "name": p.author.display_name,
        "username": p.author.username,
        "avatar_template": AVATAR,
        "created_at": iso(p.created_at),
        "like_count": p.reaction_counts.get("like", 0),
        "blurb": strip_tags(str(hit.snippet)),
        "post_number": p.number,
        "topic_title_headline": p.thread.title,
        "topic_id": p.thread_id,
    }


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
