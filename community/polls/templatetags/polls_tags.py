"""Polls on the thread page: the member's own form and results, put in place of the poll
in the post's HTML through the `post_polls` hole (community/fragments.py), so nothing
per-member is ever cached in a shared page or fragment."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from community.forum.models import Post

from .. import selectors
from ..parsing import STATIC_RE

register = template.Library()


def post_with_polls(holes, arg: str) -> str:
    """Fill the `post_polls` hole: the post's HTML with each poll as this member sees it.

    The views of every poll on the page are read once, at the first hole, in one batch.
    """
    views = getattr(holes, "poll_views", None)
    if views is None:
        posts = [item for item in holes.items.values() if isinstance(item, Post)]
        views = holes.poll_views = selectors.polls_for_posts(viewer=holes.request.user, posts=posts)
    post = holes.items[arg]
    by_name = {v.poll.name: v for v in views.get(post.pk, [])}

    def widget(match) -> str:
        view = by_name.get(match.group("name"))
        if view is None:
            return match.group(0)
        return render_to_string("polls/_widget.html", {"view": view}, request=holes.request)

    return mark_safe(STATIC_RE.sub(widget, post.html or ""))  # noqa: S308 - sanitised HTML


@register.inclusion_tag("polls/_builder.html", takes_context=True)
def poll_builder(context) -> dict:
    """The composer's "Add a poll" part, refilled from a form that came back with an error."""
    request = context.get("request")
    data = request.POST if request is not None and request.method == "POST" else {}
    return {
        "values": {key: data.get(key, "") for key in (
            "poll_question", "poll_type", "poll_options", "poll_results", "poll_close",
            "poll_public",
        )},
        "open": bool(data.get("poll_options")),
    }  # fmt: skip
