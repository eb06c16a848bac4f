"""What notifications add to pages: the bell's count in the header, and the thread page's
"notify me" form as a panel (the forum knows neither: both plug in through its registries)."""

from __future__ import annotations

import functools

from django.urls import reverse
from django.utils.html import escape

from community.forum import panels
from community.fragments import Holes, register_hole, register_page_reads

from .levels import level_for, space_level_key_for, thread_level_key_for
from .models import Level
from .selectors import bell_key_for, unread_count


def _bell(holes: Holes, arg: str) -> str:
    user = getattr(holes.request, "user", None)
    if user is None or not user.is_authenticated:
        return "0"
    return str(unread_count(user))


_BELL = (
    '<svg class="level-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" '
    'focusable="false"><path d="M12 2a6 6 0 0 0-6 6v4.5L4 16v1h16v-1l-2-3.5V8a6 6 0 0 0-6-6zm-2.5 '
    '16.5a2.5 2.5 0 0 0 5 0z" fill="currentColor"/></svg>'
)


def level_form(holes: Holes, target: str, target_id: int, label: str = "") -> str:
    """A small button showing the level, opening a menu to watch, track or mute what the page
    shows (one cache read). A <details> with the form inside, so it works without JavaScript
    and stays narrow on a phone."""
    request = holes.request
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    current = level_for(user, target, target_id)
    current = Level.NORMAL if current is None else current
    form = _level_form(target, target_id, label, current, holes.language())
    return form.replace(_CSRF_SLOT, holes.csrf_input()).replace(
        _NEXT_SLOT, escape(request.get_full_path())
    )


# Where the member's token and the page's address go (no form text holds a NUL).
_CSRF_SLOT, _NEXT_SLOT = "\x00csrf\x00", "\x00next\x00"


@functools.lru_cache(maxsize=4096)
def _level_form(target: str, target_id: int, label: str, current: int, language) -> str:
    """The form for these values, built once per process (its labels are translated text:
    resolving them for every page was most of the form's cost)."""
    field_id = f"level-{escape(target)}-{target_id}"
    choices = []
    for value, text in Level.choices:
        name, _, meaning = str(text).partition(": ")
        choices.append(
            f'    <div class="level-choice"><input type="radio" id="{field_id}-{value}" '
            f'name="level" value="{value}"{" checked" if value == current else ""}>'
            f'<label for="{field_id}-{value}"><strong>{escape(name)}</strong> '
            f'<span class="level-meaning">{escape(meaning)}</span></label></div>\n'
        )
    current_name = str(Level(current).label).partition(": ")[0]
    what = escape(label) if label else f"this {escape(target)}"
    return (
        f'<details class="level-menu" id="{field_id}">\n'
        f'  <summary class="level-button">{_BELL}<span class="visually-hidden">Notifications for '
        f"{what}: </span>{escape(current_name)}</summary>\n"
        f'  <form method="post" action="{reverse("notifications:set_level")}" class="level-form">'
        f"\n  {_CSRF_SLOT}\n"
        f'  <input type="hidden" name="target" value="{escape(target)}">\n'
        f'  <input type="hidden" name="target_id" value="{target_id}">\n'
        f'  <input type="hidden" name="next" value="{_NEXT_SLOT}">\n'
        f"  <fieldset>\n    <legend>Notifications for {what}</legend>\n{''.join(choices)}"
        "  </fieldset>\n"
        '  <button type="submit" class="button secondary">Save</button>\n</form>\n</details>'
    )


def _level(holes: Holes, arg: str) -> str:
    target, target_id, label = arg.split(":", 2)
    return level_form(holes, target, int(target_id), label)


def register() -> None:
    register_hole("bell", _bell)
    register_hole("level", _level)
    for kind in ("thread-page", "thread-list", "library-page", "notifications-page"):
        register_page_reads(kind, bell_key_for)
    register_page_reads("thread-page", thread_level_key_for)
    register_page_reads("thread-list", space_level_key_for)
    panels.register(
        panels.ThreadPanel(
            name="notifications",
            slot="header",
            order=10,
            render_for=lambda holes, thread: level_form(holes, "thread", thread.pk),
        )
    )
