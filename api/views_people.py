"""Discourse's members, groups, private messages and site endpoints over the network.

Members are shown through the members' privacy rule (`accounts.permissions`): a young
person is found only by themself, moderators and centre staff. Groups are the spaces with a
membership (regional groups and private spaces). Private messages are conversations.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime

from community.accounts import permissions as member_permissions
from community.accounts.actions import update_profile
from community.conversations import selectors as conversation_selectors
from community.forum import actions, permissions
from community.forum.models import Post, Space, Topic
from community.moderation.actions import silence_user, suspend_user

from . import serializers as s
from . import shapes, views_messages
from .http import ApiError, endpoint
from .views import _int, _member, _staff_only, whole_number

User = get_user_model()
GROUP_KINDS = Q(kind=Space.Kind.REGIONAL) | Q(visibility=Space.Visibility.GROUP)


def user_values(member, viewer) -> dict:
    return {
        **s.author(viewer, member),
        "created_at": s.iso(member.date_joined),
        "last_posted_at": None,
        "last_seen_at": None,
        "trust_level": member.trust_level,
        "moderator": member.is_moderator,
        "admin": member.is_superuser,
        "staff": member.is_moderator,
        "title": member.get_role_display(),
        "can_edit": bool(viewer.is_authenticated and viewer.pk == member.pk),
        "can_send_private_messages": viewer.is_authenticated,
        "can_send_private_message_to_user": member_permissions.can_message(viewer, member),
        "can_edit_name": bool(viewer.is_authenticated and viewer.pk == member.pk),
        "profile_view_count": 0,
        "post_count": 0,
        "locale": "en_GB",
        "user_option": shapes.USER_OPTION.project({"user_id": member.pk}),
        "user_notification_schedule": {
            "enabled": False,
            **{f"day_{d}_{edge}_time": 0 for d in range(7) for edge in ("start", "end")},
        },
    }


@endpoint("GET")
def user(request, viewer, username: str):
    member = _member(viewer, username)
    return {"user_badges": [], "user": shapes.USER.project(user_values(member, viewer))}


@endpoint("PUT", write=True)
def update_user(request, viewer, username: str):
    """Change a member's own profile: `name` is the display name (only the member themself)."""
    member = _member(viewer, username)
    if member.pk != viewer.pk:
        raise ApiError(403, "invalid_access", "You can only change your own profile.")
    changes = {}
    for ours, theirs in (("display_name", "name"), ("organisation", "title")):
        if theirs in request.data:
            changes[ours] = request.data[theirs].strip()[:80]
    if "display_name" in changes and not changes["display_name"]:
        raise ApiError(422, "invalid_parameters", "name cannot be empty.")
    member = update_profile(user=member, changes=changes)
    return {"success": "OK", "user": s.author(viewer, member)}


@endpoint("GET")
def user_actions(request, viewer):
    """A member's topics (filter 4) and replies (filter 5), as far as the viewer may read."""
    member = _member(viewer, request.GET.get("username", ""))
    filters = {whole_number(f, "filter") for f in request.GET.get("filter", "4,5").split(",") if f}
    offset = _int(request, "offset")
    qs = permissions.listable_posts(
        viewer,
        Post.objects.filter(
            author=member, deleted_at__isnull=True, kind=Post.Kind.POST,
            thread__deleted_at__isnull=True,
        ),
    )  # fmt: skip
    if filters == {4}:
        qs = qs.filter(number=1)
    elif filters == {5}:
        qs = qs.exclude(number=1)
    rows = list(qs.select_related("thread", "author").order_by("-created_at")[offset : offset + 30])
    who = s.author(viewer, member)
    return {
        "user_actions": [
            shapes.USER_ACTION.project(
                {
                    "excerpt": p.text[:300],
                    "action_type": 4 if p.number == 1 else 5,
                    "created_at": s.iso(p.created_at),
                    "avatar_template": s.AVATAR,
                    "acting_avatar_template": s.AVATAR,
                    "slug": p.thread.slug,
                    "topic_id": p.thread_id,
                    "target_user_id": who["id"],
                    "target_name": who["name"],
                    "target_username": who["username"],
                    "post_number": p.number,
                    "post_id": p.pk,
                    "username": who["username"],
                    "name": who["name"],
                    "user_id": who["id"],
                    "acting_username": who["username"],
                    "acting_name": who["name"],
                    "acting_user_id": who["id"],
                    "title": p.thread.title,
                    "deleted": False,
                    "category_id": p.thread.space_id,
                }
            )
            for p in rows
        ]
    }


@endpoint("GET")
def directory(request, viewer):
    """The member directory: only signed-in members have one, and it holds whom they may find."""
    page = _int(request, "page")
    if not viewer.is_authenticated:
        members = []
    else:
        members = list(member_permissions.visible_members(viewer).order_by("username")[
            page * 50 : page * 50 + 50
        ])  # fmt: skip
    return {
        "directory_items": [
            shapes.DIRECTORY_ITEM.project(
                {"id": m.pk, "user": shapes.DIRECTORY_USER.project(s.author(viewer, m))}
            )
            for m in members
        ],
        "meta": {"last_updated_at": None, "total_rows_directory_items": len(members),
                 "load_more_directory_items": f"/directory_items.json?page={page + 1}"},
    }  # fmt: skip


# Admin users: moderators and centre staff.


def admin_user_values(member, viewer) -> dict:
    return {
        "id": member.pk,
        "username": member.username,
        "name": member.display_name,
        "avatar_template": s.AVATAR,
        # Email addresses are for centre staff, as on the site; moderators see the rest.
        **({"email": member.email} if viewer.is_centre_staff else {}),
        "active": member.is_active,
        "admin": member.is_superuser,
        "moderator": member.is_moderator,
        "created_at": s.iso(member.date_joined),
        "last_seen_at": s.iso(member.last_login),
        "trust_level": member.trust_level,
        "title": member.get_role_display(),
        "suspended_till": s.iso(member.suspended_until) if member.is_suspended else None,
        "silenced_till": s.iso(member.silenced_until) if member.is_silenced else None,
        "suspended_at": None,
        "suspend_reason": member.suspension_reason or None,
        "staged": False,
        "penalty_counts": {"silenced": 0, "suspended": 0},
        "external_ids": {},
    }


def _listed_member(viewer, member_id: int):
    _staff_only(viewer)
    return get_object_or_404(User, pk=member_id)


@endpoint("GET", signed_in=True)
def admin_user(request, viewer, member_id: int):
    member = _listed_member(viewer, member_id)
    return shapes.ADMIN_USER.project(admin_user_values(member, viewer))


ADMIN_FLAGS = {
    "active": Q(is_active=True),
    "new": Q(trust_level=0),
    "staff": Q(role__in=["moderator", "staff"]) | Q(is_superuser=True),
    "suspended": Q(suspended_until__isnull=False),
    "silenced": Q(silenced_until__isnull=False),
    "staged": Q(pk__in=[]),
}


@endpoint("GET", signed_in=True)
def admin_users(request, viewer, flag: str = "active"):
    _staff_only(viewer)
    if flag not in ADMIN_FLAGS:
        raise Http404
    page = _int(request, "page", default=1, minimum=1) - 1
    qs = User.objects.filter(ADMIN_FLAGS[flag]).order_by("-date_joined", "pk")
    if request.GET.get("email") and viewer.is_centre_staff:
        qs = qs.filter(email__iexact=request.GET["email"])
    members = list(qs[page * 100 : page * 100 + 100])
    return [shapes.ADMIN_LISTED_USER.project(admin_user_values(m, viewer)) for m in members]


def _sanction(request, viewer, member_id: int, until_field: str, action) -> tuple:
    member = _listed_member(viewer, member_id)
    until = parse_datetime(request.data.get(until_field, ""))
    if until is None:
        raise ApiError(400, "invalid_parameters", f"{until_field} must be a date and time.")
    reason = request.data.get("reason", "")
    action(moderator=viewer, user=member, until=until, reason=reason)
    member.refresh_from_db()
    return member, until, reason


@endpoint("PUT", write=True)
def suspend(request, viewer, member_id: int):
    member, until, reason = _sanction(request, viewer, member_id, "suspend_until", suspend_user)
    return {
        "suspension": shapes.SUSPENSION.project(
            {"suspend_reason": reason, "full_suspend_reason": reason,
             "suspended_till": s.iso(until), "suspended_at": s.iso(until),
             "suspended_by": s.author(viewer, viewer)}
        )
    }  # fmt: skip


@endpoint("PUT", write=True)
def silence(request, viewer, member_id: int):
    member, until, reason = _sanction(request, viewer, member_id, "silenced_till", silence_user)
    return {
        "silence": shapes.SILENCE.project(
            {"silenced": True, "silence_reason": reason, "silenced_till": s.iso(until),
             "silenced_at": s.iso(until), "silenced_by": s.author(viewer, viewer)}
        )
    }  # fmt: skip


# Groups: the spaces with a membership.


def _groups(viewer):
    return permissions.visible_spaces(viewer).filter(GROUP_KINDS)


def group_values(space: Space, members: int) -> dict:
    return {
        "id": space.pk,
        "automatic": False,
        "name": space.slug,
        "full_name": space.name,
        "display_name": space.name,
        "user_count": members,
        "mentionable_level": 0,
        "messageable_level": 0,
        "visibility_level": 0 if space.visibility == Space.Visibility.PUBLIC else 1,
        "primary_group": False,
        "has_messages": False,
        "bio_raw": space.description,
        "bio_cooked": space.description,
        "bio_excerpt": space.description,
        "public_admission": space.open_membership,
        "public_exit": space.open_membership,
        "allow_membership_requests": False,
        "default_notification_level": 1,
        "members_visibility_level": 1,
        "can_see_members": True,
        "can_admin_group": False,
        "publish_read_state": False,
    }


def _group(viewer, **lookup) -> Space:
    space = _groups(viewer).filter(**lookup).annotate(n=Count("memberships")).first()
    if space is None:
        raise Http404
    return space


@endpoint("GET")
def groups(request, viewer):
    spaces = list(_groups(viewer).annotate(n=Count("memberships")))
    return {
        "groups": [shapes.LISTED_GROUP.project(group_values(g, g.n)) for g in spaces],
        "extras": {"type_filters": ["my", "public", "close"]},
        "total_rows_groups": len(spaces),
        "load_more_groups": "/groups.json?page=1",
    }


def _group_answer(space: Space) -> dict:
    return {
        "group": shapes.GROUP.project(group_values(space, space.n)),
        "extras": {"visible_group_names": [space.slug]},
    }


@endpoint("GET")
def group_search(request, viewer):
    """GET /groups/search.json: the groups as a list (pydiscourse's `groups()`)."""
    term = request.GET.get("term", "")
    spaces = _groups(viewer).filter(Q(slug__icontains=term) | Q(name__icontains=term))
    return [
        shapes.LISTED_GROUP.project(group_values(g, g.n))
        for g in spaces.annotate(n=Count("memberships"))
    ]


@endpoint("GET")
def group(request, viewer, name: str):
    return _group_answer(_group(viewer, slug=name))


@endpoint("GET")
def group_by_id(request, viewer, group_id: int):
    return _group_answer(_group(viewer, pk=group_id))


@endpoint("GET")
def group_members(request, viewer, name: str):
    space = _group(viewer, slug=name)
    limit = min(_int(request, "limit", default=50, minimum=1), 1000)
    offset = _int(request, "offset")
    visible = member_permissions.visible_members(viewer).filter(memberships__space=space)
    members = list(visible.order_by("username")[offset : offset + limit])
    return {
        "members": [
            shapes.GROUP_MEMBER.project(
                {**s.author(viewer, m), "title": m.get_role_display(),
                 "timezone": "Europe/London"}
            )
            for m in members
        ],
        "owners": [],
        # Only the members this viewer may find are counted: a child's membership is not told.
        "meta": {"total": visible.count(), "limit": limit, "offset": offset},
    }  # fmt: skip


def _usernames(data) -> list[str]:
    names = ",".join(data.getlist("usernames") or data.getlist("usernames[]"))
    found = [n.strip() for n in names.split(",") if n.strip()]
    if not found:
        raise ApiError(400, "invalid_parameters", "Name the members in usernames.")
    return found


@endpoint("PUT", write=True)
def add_group_members(request, viewer, group_id: int):
    space = _group(viewer, pk=group_id)
    names = _usernames(request.data)
    members = list(member_permissions.visible_members(viewer).filter(username__in=names))
    for member in members:
        actions.add_member(actor=viewer, user=member, space=space)
    return {"success": "OK", "usernames": [m.username for m in members], "emails": []}


@endpoint("DELETE", write=True)
def remove_group_members(request, viewer, group_id: int):
    space = _group(viewer, pk=group_id)
    names = _usernames(request.data)
    members = list(
        member_permissions.visible_members(viewer).filter(
            username__in=names, memberships__space=space
        )
    )
    for member in members:
        actions.remove_member(actor=viewer, user=member, space=space)
    return {"success": "OK", "usernames": [m.username for m in members], "skipped_usernames": []}


# Private messages: conversations.


@endpoint("GET", signed_in=True)
def private_messages(request, viewer, username: str, sent: bool = False, unread: bool = False):
    """The member's own conversations (only theirs: a moderator reads them on the site's
    review pages, where reading is logged)."""
    if viewer.username.lower() != username.lower():
        raise Http404
    rows, has_next = conversation_selectors.inbox(
        viewer=viewer, page=_int(request, "page", default=0) + 1
    )
    if sent:
        rows = [r for r in rows if r.conversation.created_by_id == viewer.pk]
    if unread:
        rows = [r for r in rows if r.unread]
    users = {}
    topics = []
    for row in rows:
        for other in row.others:
            users[other.pk] = s.author(viewer, other)
        c = row.conversation
        topics.append(
            shapes.PM_TOPIC.project(
                {
                    "id": views_messages.topic_id(c.pk),
                    "title": c.subject,
                    "fancy_title": c.subject,
                    "slug": "message",
                    "created_at": s.iso(c.created_at),
                    "last_posted_at": s.iso(c.last_message_at),
                    "bumped_at": s.iso(c.last_message_at),
                    "archetype": "private_message",
                    "unread_posts": row.unread,
                    "visible": True,
                    "closed": False,
                    "archived": False,
                    "allowed_user_count": len(row.others) + 1,
                    "participants": [
                        {"extras": "", "description": "", "user_id": users[o.pk]["id"],
                         "primary_group_id": None}
                        for o in row.others
                    ],
                }
            )
        )  # fmt: skip
    return {
        "users": [u for u in users.values() if u["id"] != s.HIDDEN_MEMBER_ID],
        "primary_groups": [],
        "topic_list": {
            "can_create_topic": True,
            "per_page": len(topics),
            "topics": topics,
            "more_topics_url": f"/topics/private-messages/{username}.json?page=1"
            if has_next
            else None,
        },
    }


# Site


def _post_action_types() -> list[dict]:
    kinds = [(2, "like", "Like", False)] + [
        (3, "off_topic", "Off-topic", True), (4, "inappropriate", "Inappropriate", True),
        (7, "notify_moderators", "Something else", True), (8, "spam", "Spam", True),
    ]  # fmt: skip
    return [
        shapes.POST_ACTION_TYPE.project(
            {"id": pk, "name_key": key, "name": name, "description": name,
             "short_description": name, "is_flag": flag, "enabled": True,
             "applies_to": ["Post"]}
        )
        for pk, key, name, flag in kinds
    ]  # fmt: skip


@endpoint("GET")
def site(request, viewer):
    spaces = list(permissions.visible_spaces(viewer))
    return shapes.SITE.project(
        {
            "default_archetype": "regular",
            "notification_types": {
                "mentioned": 1, "replied": 2, "quoted": 3, "edited": 4, "liked": 5,
                "private_message": 6, "invited_to_private_message": 7, "invitee_accepted": 8,
                "posted": 9, "moved_post": 10, "linked": 11, "granted_badge": 12,
                "invited_to_topic": 13, "custom": 14, "group_mentioned": 15,
                "group_message_summary": 16, "watching_first_post": 17, "topic_reminder": 18,
                "liked_consolidated": 19, "post_approved": 20, "code_review_commit_approved": 21,
                "membership_request_accepted": 22, "membership_request_consolidated": 23,
                "bookmark_reminder": 24, "reaction": 25, "votes_released": 26,
                "event_reminder": 27, "event_invitation": 28, "chat_mention": 29,
                "chat_message": 30, "chat_invitation": 31, "chat_group_mention": 32,
                "chat_quoted": 33, "assigned": 34, "question_answer_user_commented": 35,
                "watching_category_or_tag": 36, "new_features": 37, "admin_problems": 38,
                "linked_consolidated": 39, "chat_watched_thread": 40, "following": 800,
                "following_created_topic": 801, "following_replied": 802,
                "circles_activity": 900,
            },
            "post_types": {"regular": 1, "moderator_action": 2, "small_action": 3, "whisper": 4},
            "trust_levels": {"newuser": 0, "basic": 1, "member": 2, "regular": 3, "leader": 4},
            "groups": [
                shapes.SITE_GROUP.project({"id": g.pk, "name": g.slug, "automatic": False})
                for g in spaces
                if g.kind == Space.Kind.REGIONAL or g.visibility == Space.Visibility.GROUP
            ],
            "filters": ["latest", "top", "new"],
            "periods": ["all", "year", "month", "week", "day"],
            "top_menu_items": ["latest", "new", "top", "categories"],
            "anonymous_top_menu_items": ["latest", "top", "categories"],
            "post_action_types": _post_action_types(),
            "topic_flag_types": [],
            "can_tag_topics": viewer.is_authenticated,
            "can_create_tag": False,
            "can_tag_pms": False,
            "tags_filter_regexp": "[^a-z0-9-]",
            "top_tags": [s.tag(t.slug) | {"id": t.pk} for t in Topic.objects.order_by("slug")],
            "uncategorized_category_id": spaces[0].pk if spaces else 0,
            "user_field_max_length": 2048,
            "full_name_required_for_signup": True,
            "full_name_visible_in_signup": True,
            "categories": [
                shapes.SITE_CATEGORY.project(s.category_values(space, viewer))
                for space in spaces
            ],
        }
    )  # fmt: skip


def _basic_info() -> dict:
    return {
        "logo_url": "/static/img/logo.svg",
        "logo_small_url": "/static/img/logo.svg",
        "apple_touch_icon_url": "/static/img/logo.svg",
        "favicon_url": "/static/favicon.ico",
        "title": "Family Hubs Network",
        "description": "The virtual learning network of the National Centre for Family Hubs.",
        "header_primary_color": "0b0c0c",
        "header_background_color": "ffffff",
        "login_required": False,
        "locale": "en_GB",
        "include_in_discourse_discover": False,
        "mobile_logo_url": "/static/img/logo.svg",
    }


@endpoint("GET")
def basic_info(request, viewer):
    return shapes.BASIC_INFO.project(_basic_info())


@endpoint("GET")
def about(request, viewer):
    """GET /about.json: the site and its moderators and staff (who are adults, named openly)."""
    staff = list(User.objects.filter(is_active=True, role__in=["moderator", "staff"])[:50])
    basic = _basic_info()
    return {
        "about": {
            "title": basic["title"],
            "description": basic["description"],
            "locale": "en_GB",
            "version": settings.VERSION if hasattr(settings, "VERSION") else "1",
            "https": request.is_secure(),
            "can_see_about_stats": True,
            "moderators": [s.author(viewer, m) for m in staff if m.role == "moderator"],
            "admins": [s.author(viewer, m) for m in staff if m.role == "staff"],
            "stats": {
                "topics_count": sum(sp.thread_count for sp in permissions.visible_spaces(viewer)),
                "users_count": User.objects.filter(is_active=True).count(),
            },
        }
    }
