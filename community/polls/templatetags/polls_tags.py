"""Polls on the thread page: the member's own form and results, put in place of the poll
in the post's shared HTML, so nothing per-member is ever cached in a shared fragment."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .. import selectors
from ..parsing import STATIC_RE

register = template.Library()


@register.simple_tag(takes_context=True)
def attach_polls(context, posts) -> str:
    """Load what this member sees of the polls in these posts (no query when there are none)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    views = selectors.polls_for_posts(viewer=user, posts=list(posts))
    for post in posts:
        post.poll_views = views.get(post.pk, [])
    return ""


@register.simple_tag(takes_context=True)
def polls_in(context, html, post) -> SafeString:
    """The post's HTML with each poll replaced by this member's form and results.

    Only once `attach_polls` has run for the post: while a shared fragment is being
    rendered it has not, so the fragment keeps the poll as everyone's plain list.
    """
    html = str(html or "")
    views = getattr(post, "poll_views", None)
    if not views:
        return mark_safe(html)  # noqa: S308 - the post's stored, sanitised HTML
    by_name = {v.poll.name: v for v in views}
    request = context.get("request")

    def widget(match) -> str:
        view = by_name.get(match.group("name"))
        if view is None:
            return match.group(0)
        return render_to_string("polls/_widget.html", {"view": view}, request=request)

    return mark_safe(STATIC_RE.sub(widget, html))  # noqa: S308 - sanitised HTML and our template


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
