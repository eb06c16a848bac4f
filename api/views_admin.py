"""Discourse's staff operations that map onto the network's own actions, with their rules:

- `PUT /posts/{id}/locked.json` locks a post against its author's edits (moderation's
  `lock_post_edits`; moderators still edit it);
- `PUT /admin/users/{id}/deactivate.json` suspends the member until lifted (moderation's
  `suspend_user`: they cannot sign in, their sessions end now); `activate.json` approves an
  account waiting for a moderator or lifts that suspension;
- `POST /categories.json` adds a community space, `POST /admin/groups.json` a private group
  whose membership staff manage (forum's `create_space`, centre staff only).

What the network deliberately refuses (deleting, erasing or signing out a member, renaming
or deleting spaces and groups, back-dating a topic) answers 501 from api/urls.py, saying why.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from community.forum import actions as forum_actions
from community.forum import selectors
from community.forum.models import Space, Topic
from community.moderation import actions as moderation_actions
from community.moderation.models import ReviewItem

from . import serializers as s
from . import shapes
from .http import ApiError, endpoint
from .views import _bool
from .views_people import _listed_member, group_values

# Discourse's deactivation has no end date: a suspension this long stands until it is lifted.
UNTIL_LIFTED = timedelta(days=365 * 100)


@endpoint("PUT", write=True)
def lock_post(request, viewer, post_id: int):
    post = selectors.get_post(viewer=viewer, post_id=post_id)
    if "locked" not in request.data:
        raise ApiError(422, "invalid_parameters", "locked is required (true or false).")
    post = moderation_actions.lock_post_edits(
        moderator=viewer, post=post, locked=_bool(request.data["locked"]),
        reason=request.data.get("reason", ""),
    )  # fmt: skip
    return {"locked": post.edits_locked_at is not None}


@endpoint("PUT", write=True)
def deactivate_user(request, viewer, member_id: int):
    member = _listed_member(viewer, member_id)
    reason = request.data.get("reason") or "Deactivated by centre staff through the API."
    moderation_actions.suspend_user(
        moderator=viewer, user=member, until=timezone.now() + UNTIL_LIFTED, reason=reason
    )
    return {"success": "OK"}


@endpoint("PUT", write=True)
def activate_user(request, viewer, member_id: int):
    member = _listed_member(viewer, member_id)
    waiting = ReviewItem.objects.filter(
        kind=ReviewItem.Kind.NEW_ACCOUNT, user=member, state=ReviewItem.State.PENDING
    ).first()
    if waiting is not None:
        moderation_actions.resolve_review_item(
            moderator=viewer, item=waiting, decision="approve", reason="Activated through the API."
        )
    elif member.suspended_until is not None:
        moderation_actions.lift_sanctions(
            moderator=viewer, user=member, reason="Activated through the API."
        )
    return {"success": "OK"}


def _topic(data) -> Topic | None:
    for name in data.getlist("allowed_tags[]") or data.getlist("allowed_tags") or []:
        topic = Topic.objects.filter(slug=name).first()
        if topic is not None:
            return topic
    return None


VISIBILITIES = {value for value, _label in Space.Visibility.choices}


@endpoint("POST", write=True)
def create_category(request, viewer):
    """A community space (`name`, optional `description`, `visibility` one of ours; members
    by default), its default practice topic the first of `allowed_tags[]` that is one."""
    data = request.data
    visibility = data.get("visibility") or Space.Visibility.MEMBERS
    if visibility not in VISIBILITIES:
        raise ApiError(422, "invalid_parameters",
                       "visibility must be " + ", ".join(sorted(VISIBILITIES)) + ".")  # fmt: skip
    space = forum_actions.create_space(
        actor=viewer, name=data.get("name", ""), description=data.get("description", ""),
        visibility=visibility, default_topic=_topic(data),
    )  # fmt: skip
    return {"category": s.category(space, viewer, shapes.CREATED_CATEGORY)}


@endpoint("POST", write=True)
def create_group(request, viewer):
    """A private group: a space only its members read, membership managed by staff
    (`group[name]`, optional `group[full_name]`, `group[bio_raw]`)."""
    data = request.data
    name = data.get("group[full_name]") or data.get("group[name]") or data.get("name", "")
    if not name:
        raise ValidationError({"name": "Give the group a name (group[name])."})
    space = forum_actions.create_space(
        actor=viewer, name=name, description=data.get("group[bio_raw]", ""),
        visibility=Space.Visibility.GROUP, open_membership=False,
    )  # fmt: skip
    return {"basic_group": shapes.CREATED_GROUP.project(group_values(space, 0))}
