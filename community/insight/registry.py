"""The measures the dashboard and the quarterly report show. Each app may contribute its own.

A measure belongs to a section, has a label and a plain-English definition, and a function
that computes its figures for the filters as a `Table` of counts, in the database, in a fixed
number of queries. A measure with no function is one the network does not collect yet: it is
listed with its definition and "not yet collected", never with a number.

This app registers the measures it computes from the domain (`measures.py`) and placeholders
for what other apps will collect (polls, families' feedback). An app that starts collecting
registers a measure with the placeholder's key from its `ready()`; the real one wins whatever
the order the apps load in:

    from community.insight import registry
    registry.register(registry.Measure(key="families.polls", section="families", ...))

Nothing here writes the domain, and this app never imports the apps that plug in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .filters import Filters

# The sections, in the order the page shows them: the centre's three principles first.
SECTIONS: dict[str, str] = {
    "providers": _("Providers say"),
    "families": _("Families say"),
    "evidence": _("Evidence"),
    "services": _("Services"),
    "safety": _("Safety"),
}

# The filters a measure can honour; the page says which ones a measure ignores.
FILTER_NAMES: dict[str, str] = {
    "period": _("date range"),
    "region": _("region"),
    "local_authority": _("local authority"),
    "role": _("role"),
    "topic": _("practice topic"),
}
ALL_FILTERS = frozenset(FILTER_NAMES)


@dataclass
class Table:
    """Counts by one dimension (rows), in one or more columns.

    `rows_add_up`: each column's rows are parts of a whole, so a total row is shown (and
    suppression must make sure a small cell cannot be recovered from it).
    `columns_add_up`: likewise along each row (a total column is shown).
    `chart_column`: which column the bar chart draws (None: no chart, e.g. a list).
    """

    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[int]]] = field(default_factory=list)
    rows_add_up: bool = True
    columns_add_up: bool = False
    chart_column: int | None = 0
    note: str = ""


@dataclass(frozen=True)
class Measure:
    key: str  # "<section>.<name>", also the CSV file's name
    section: str
    label: str
    definition: str
    compute: Callable[[Filters], Table] | None = None  # None: not yet collected
    honours: frozenset[str] = ALL_FILTERS
    order: int = 100

    @property
    def collected(self) -> bool:
        return self.compute is not None

    def ignored_filters(self, filters: Filters) -> list[str]:
        """The filters set on the page that this measure does not break down by."""
        return [str(FILTER_NAMES[name]) for name in filters.set_names() if name not in self.honours]


_measures: dict[str, Measure] = {}


def register(measure: Measure, *, replace: bool = True) -> Measure:
    """Add a measure; with replace=False a measure already registered under its key stays
    (so a real measure registered first is never overwritten by this app's placeholder)."""
    if measure.section not in SECTIONS:
        raise ValueError(f"Unknown insight section {measure.section!r}")
    existing = _measures.get(measure.key)
    if existing is not None and not replace:
        return existing
    if existing is not None and existing.collected and not measure.collected:
        return existing  # a placeholder never hides figures that are collected
    _measures[measure.key] = measure
    return measure


def unregister(key: str) -> None:
    _measures.pop(key, None)


def measures(sections: tuple[str, ...] | None = None) -> list[Measure]:
    """The measures of these sections (all when None), in page order."""
    order = list(SECTIONS)
    chosen = [m for m in _measures.values() if sections is None or m.section in sections]
    return sorted(chosen, key=lambda m: (order.index(m.section), m.order, m.key))


def get(key: str) -> Measure:
    return _measures[key]
