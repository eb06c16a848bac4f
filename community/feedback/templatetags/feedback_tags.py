"""A library resource's "What families said" section (one include in library/resource.html)."""

from __future__ import annotations

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("feedback/_what_families_said.html", takes_context=True)
def what_families_said(context, resource) -> dict:
    request = context.get("request")
    viewer = getattr(request, "user", None)
    return {"responses": selectors.what_families_said(viewer=viewer, resource=resource)}
