from __future__ import annotations

from django import template

from community.accounts.permissions import can_message

register = template.Library()


@register.filter
def may_message(viewer, member) -> bool:
    """`{% if user|may_message:member %}`: show "Send a private message" only when allowed."""
    return can_message(viewer, member)
