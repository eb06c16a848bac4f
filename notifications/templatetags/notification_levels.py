from __future__ import annotations

from django import template

from ..levels import level_for
from ..models import Level

register = template.Library()


@register.inclusion_tag("notifications/_level_form.html", takes_context=True)
def notification_level_form(context, target: str, target_id: int, label: str = ""):
    """A small form to watch, track or mute what the page shows."""
    request = context["request"]
    user = request.user
    current = level_for(user, target, target_id) if user.is_authenticated else None
    return {
        "show": user.is_authenticated,
        "target": target,
        "target_id": target_id,
        "label": label,
        "levels": Level.choices,
        "current": Level.NORMAL if current is None else current,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
