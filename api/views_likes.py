"""Who liked a post (Discourse's /post_action_users.json): what an import reads to bring likes."""

from __future__ import annotations

from django.http import Http404

from community.forum import selectors
from community.forum.models import Reaction

from . import serializers as s
from .http import endpoint

LIKE = 2


@endpoint("GET")
def post_action_users(request, viewer):
    """The members who liked a post the viewer may read; members hidden from the viewer
    (children, to adults) are counted but not named."""
    try:
        post_id = int(request.GET.get("id", ""))
        action_type = int(request.GET.get("post_action_type_id", LIKE))
    except ValueError:
        raise Http404 from None
    if action_type != LIKE:
        return {"post_action_users": [], "total_rows_post_action_users": 0}
    post = selectors.get_post(viewer=viewer, post_id=post_id)
    likers = [
        r.user
        for r in Reaction.objects.filter(post=post, kind=Reaction.Kind.LIKE)
        .select_related("user")
        .order_by("created_at", "pk")
    ]
    shown = [s.author(viewer, member) for member in likers if s.shows_identity(viewer, member)]
    return {"post_action_users": shown, "total_rows_post_action_users": len(likers)}
