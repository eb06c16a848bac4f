from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from community.fragments import Holes

from ..holes import level_form

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_level_form(context, target: str, target_id: int, label: str = "") -> str:
    """A small form to watch, track or mute what the page shows (notifications/holes.py)."""
    holes = context.get("holes") or Holes(context.get("request"))
    return mark_safe(level_form(holes, target, target_id, label))
