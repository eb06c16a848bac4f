"""Helplines above threads on hard subjects, as a panel on the forum's thread page."""

from __future__ import annotations

from django.template.loader import render_to_string

from community.forum import panels

# Threads in these practice topics show helplines at the top.
CRISIS_TOPICS = frozenset(
    {
        "mental-health-wellbeing",
        "perinatal-mental-health",
        "domestic-abuse",
        "early-help-safeguarding",
    }
)


def _shows_banner(thread) -> bool:
    return thread.topic.slug in CRISIS_TOPICS


def crisis_banner(thread) -> str:
    """The same for everyone who may read the thread: part of the shared page."""
    return render_to_string("privacy/_crisis_banner.html", {"show": _shows_banner(thread)})


def register() -> None:
    panels.register(
        panels.ThreadPanel(
            name="crisis_banner",
            slot="banner",
            order=10,
            render=crisis_banner,
            key_parts=lambda thread: (_shows_banner(thread),),
        )
    )
