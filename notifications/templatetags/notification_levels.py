from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from community.fragments import Holes

from .. import holes as _fillers  # noqa: F401 (registers the level hole)

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_level_form(context, target: str, target_id: int, label: str = "") -> str:
    """A small form to watch, track or mute what the page shows (notifications/holes.py)."""
    holes = context.get("holes") or Holes(context.get("request"))
    return mark_safe(holes.hole("level", f"{target}:{target_id}:{label}"))
