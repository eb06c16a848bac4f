"""Counts as lists show them: short for the eye (``1.2k``), whole for a screen reader."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def compact_count(value: int | None) -> str:
    """A count in at most four or five characters, as Discourse shows views: 999, 1.2k,
    12.3k, 123k, 1.2M. Rounded down, so it never claims more than there were."""
    n = max(int(value or 0), 0)
    if n < 1000:
        return str(n)
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1000, "k")):
        if n >= size:
            if n >= 100 * size:
                return f"{n // size}{suffix}"
            tenths = n * 10 // size
            whole, tenth = divmod(tenths, 10)
            return f"{whole}.{tenth}{suffix}" if tenth else f"{whole}{suffix}"
    return str(n)  # pragma: no cover (every n >= 1000 matched above)
