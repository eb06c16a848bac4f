from __future__ import annotations

from django import template

register = template.Library()

# Threads in these practice topics show helplines at the top.
CRISIS_TOPICS = frozenset(
    {
        "mental-health-wellbeing",
        "perinatal-mental-health",
        "domestic-abuse",
        "early-help-safeguarding",
    }
)


@register.inclusion_tag("privacy/_crisis_banner.html")
def crisis_banner(thread) -> dict:
    return {"show": thread.topic.slug in CRISIS_TOPICS}
