"""Panels other apps add to the thread page, without the forum importing them.

The forum knows nothing of the library, privacy, moderation or notifications; they register
here (in their AppConfig.ready), as screening and search do. Each panel is one of:

- shared: the same for everyone who may see the page (``render(thread)``), part of the
  shared page, so ``key_parts(thread)`` must return every value it shows;
- per member: a hole in the shared page, filled for each request by ``render_for(holes,
  thread)`` from at most one query or cache read.

Slots are the places on the page: ``"banner"`` above the thread, ``"header"`` under its title.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from community.fragments import Holes, register_hole


@dataclass(frozen=True)
class ThreadPanel:
    name: str
    slot: str
    order: int
    render: Callable[[Any], str] | None = None  # shared: render(thread) -> safe HTML
    key_parts: Callable[[Any], tuple] | None = None  # shared: every value render shows
    render_for: Callable[[Holes, Any], str] | None = None  # per member: (holes, thread)


_panels: dict[str, ThreadPanel] = {}


def register(panel: ThreadPanel) -> None:
    if (panel.render is None) == (panel.render_for is None):
        raise ValueError(f"Panel {panel.name}: give render (shared) or render_for (per member)")
    if panel.render is not None and panel.key_parts is None:
        raise ValueError(f"Panel {panel.name}: a shared panel needs key_parts")
    _panels[panel.name] = panel


def panels_for(slot: str) -> list[ThreadPanel]:
    return sorted((p for p in _panels.values() if p.slot == slot), key=lambda p: p.order)


def key_parts(thread) -> tuple:
    """What the shared panels show on this thread's page, for the shared page's key."""
    return tuple(
        (p.name, p.key_parts(thread))
        for p in sorted(_panels.values(), key=lambda p: (p.slot, p.order))
        if p.key_parts is not None
    )


def _fill_panel(holes: Holes, arg: str) -> str:
    name = arg
    return _panels[name].render_for(holes, holes.items["thread"])


register_hole("panel", _fill_panel)


def render_slot(holes: Holes, slot: str, thread) -> str:
    """The slot's panels in order: shared ones rendered, per-member ones as holes."""
    out = []
    for panel in panels_for(slot):
        if panel.render is not None:
            out.append(panel.render(thread))
        else:
            out.append(holes.hole("panel", panel.name))
    return "".join(out)
