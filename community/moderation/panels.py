"""The moderators' thread tools, as a panel on the forum's thread page (forum/panels.py)."""

from __future__ import annotations

from django.template.loader import render_to_string

from community.forum import panels
from community.forum.models import Space, Topic
from community.forum.permissions import is_moderator


def thread_tools(holes, thread) -> str:
    """Only rendered for moderators, so its lookups cost members nothing."""
    request = holes.request
    if not is_moderator(getattr(request, "user", None)):
        return ""
    return render_to_string(
        "moderation/_thread_tools.html",
        {
            "thread": thread,
            "spaces": Space.objects.all(),
            "topics": Topic.objects.all(),
            "csrf_token": holes.csrf_token(),
        },
    )


def register() -> None:
    panels.register(
        panels.ThreadPanel(name="moderation", slot="header", order=20, render_for=thread_tools)
    )
