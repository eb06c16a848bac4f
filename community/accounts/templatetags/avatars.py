from django import template

from community.accounts.avatars import avatar_for_name, avatar_html

register = template.Library()


@register.simple_tag
def avatar(member, size: int = 40):
    """{% avatar member 40 %}: the member's photo, or their initials as SVG."""
    return avatar_html(member, int(size))


@register.simple_tag
def name_avatar(name: str, size: int = 32):
    """{% name_avatar thread.last_poster_name %}: initials for a name without its member row."""
    return avatar_for_name(name, int(size))
