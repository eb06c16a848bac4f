"""`{% hole %}` and `{% thread_panels %}`: the member's parts of a page (community/fragments.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from community.fragments import Holes

from .. import holes as _fillers  # noqa: F401 (registers the forum's and the layout's holes)
from .. import panels

register = template.Library()


def _holes(context) -> Holes:
    holes = context.get("holes")
    if holes is None:
        # A page that is not assembled from a shared page: fill every hole in place.
        holes = Holes(context.get("request"))
    return holes


@register.simple_tag(takes_context=True)
def hole(context, name: str, arg="") -> str:
    """In a shared render, a marker for this member's part; otherwise the part itself."""
    return mark_safe(_holes(context).hole(name, arg))


@register.simple_tag(takes_context=True)
def thread_panels(context, slot: str, thread) -> str:
    """The panels other apps registered for this slot of the thread page (forum/panels.py)."""
    return mark_safe(panels.render_slot(_holes(context), slot, thread))
