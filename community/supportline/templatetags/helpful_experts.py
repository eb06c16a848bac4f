"""The "most helpful experts" panel on an expert's profile page (forum/user.html)."""

from __future__ import annotations

from django import template

from .. import permissions, selectors

register = template.Library()


@register.inclusion_tag("supportline/_helpful_experts.html", takes_context=True)
def helpful_experts(context, member) -> dict:
    """Only on an expert's profile: their accepted answers and the experts most often chosen."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if not permissions.is_expert(member):
        return {"show": False}
    return {
        "show": True,
        "member": member,
        "count": selectors.accepted_answer_count(viewer=viewer, expert=member),
        "experts": selectors.most_helpful_experts(viewer=viewer),
    }
