"""A thread's links to the library, for one line in the forum's thread page."""

from __future__ import annotations

from django import template

from .. import permissions, selectors

register = template.Library()


@register.inclusion_tag("library/_thread_links.html", takes_context=True)
def library_links(context, thread) -> dict:
    """Resources curated from this thread that the viewer may open, and, for moderators,
    a link to curate it. Needs only the request and the thread: no view changes."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"resources": [], "can_curate": False}
    return {
        "resources": selectors.resources_from_thread(viewer=user, thread_id=thread.pk),
        "can_curate": permissions.can_curate_thread(user, thread),
        "thread": thread,
    }
