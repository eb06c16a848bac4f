"""The accepted answer under a thread's first post: one include, no view changes."""

from __future__ import annotations

from django import template

from .. import permissions, selectors

register = template.Library()


@register.inclusion_tag("forum/_accepted_answer.html", takes_context=True)
def accepted_answer_box(context, thread) -> dict:
    """The answer this viewer may read, and whether they may choose or change it.

    No query for a thread without an answer: `can_accept_answer` works from the thread.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "thread": thread,
        "answer": selectors.accepted_answer(viewer=user, thread=thread),
        "can_choose": permissions.can_accept_answer(user, thread),
        "csrf_token": context.get("csrf_token"),
    }
