from __future__ import annotations

from django import template

from community.forum.models import Space, Topic

register = template.Library()


@register.inclusion_tag("moderation/_thread_tools.html", takes_context=True)
def moderation_thread_tools(context, thread):
    """The thread tools panel; only rendered for moderators, so its lookups cost members nothing."""
    return {
        "thread": thread,
        "spaces": Space.objects.all(),
        "topics": Topic.objects.all(),
        "csrf_token": context.get("csrf_token"),
    }
