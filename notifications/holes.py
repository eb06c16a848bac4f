"""What notifications add to pages: the bell's count in the header, and the thread page's
"notify me" form as a panel (the forum knows neither: both plug in through its registries)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

from community.forum import panels
from community.fragments import Holes, register_hole, register_page_reads

from .levels import level_for, thread_level_key_for
from .models import Level
from .selectors import bell_key_for, unread_count


def _bell(holes: Holes, arg: str) -> str:
    user = getattr(holes.request, "user", None)
    if user is None or not user.is_authenticated:
        return "0"
    return str(unread_count(user))


def level_form(holes: Holes, target: str, target_id: int, label: str = "") -> str:
    """A small form to watch, track or mute what the page shows (one cache read)."""
    request = holes.request
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    current = level_for(user, target, target_id)
    current = Level.NORMAL if current is None else current
    field_id = f"level-{escape(target)}-{target_id}"
    options = "".join(
        f'<option value="{value}"{" selected" if value == current else ""}>{escape(text)}</option>'
        for value, text in Level.choices
    )
    for_label = f" for {escape(label)}" if label else ""
    return (
        f'<form method="post" action="{reverse("notifications:set_level")}" class="level-form">\n'
        f"  {holes.csrf_input()}\n"
        f'  <input type="hidden" name="target" value="{escape(target)}">\n'
        f'  <input type="hidden" name="target_id" value="{target_id}">\n'
        f'  <input type="hidden" name="next" value="{escape(request.get_full_path())}">\n'
        f'  <label for="{field_id}">Notifications{for_label}</label>\n'
        f'  <select id="{field_id}" name="level">\n    {options}\n  </select>\n'
        '  <button type="submit" class="button secondary">Save</button>\n</form>'
    )


def _level(holes: Holes, arg: str) -> str:
    target, target_id, label = arg.split(":", 2)
    return level_form(holes, target, int(target_id), label)


def register() -> None:
    register_hole("bell", _bell)
    register_hole("level", _level)
    for kind in ("thread-page", "thread-list"):
        register_page_reads(kind, bell_key_for)
    register_page_reads("thread-page", thread_level_key_for)
    panels.register(
        panels.ThreadPanel(
            name="notifications",
            slot="header",
            order=10,
            render_for=lambda holes, thread: level_form(holes, "thread", thread.pk),
        )
    )
