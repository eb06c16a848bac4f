"""Reads for the insight pages: every measure the viewer may see, computed and suppressed.

One aggregate query per measure (two for the top threads): the page's query count is fixed
whatever the amount of activity, pinned by tests/insight/test_pages.py.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import charts, privacy, registry
from .filters import Filters
from .permissions import insight_sections
from .registry import Measure


@dataclass
class Figure:
    measure: Measure
    table: privacy.PublishedTable | None  # None: not yet collected
    summary: str
    ignored: list[str]
    chart: SafeString | None = None

    @property
    def anchor(self) -> str:
        return slugify(self.measure.key.replace(".", "-"))


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure]


def _summary(measure: Measure, table: privacy.PublishedTable | None) -> str:
    """One or two sentences a screen reader user can take the chart's point from."""
    if table is None:
        return _("Not yet collected.")
    if not table.rows:
        return _("Nothing recorded for these filters.")
    sentences = []
    column = table.chart_column if table.chart_column is not None else 0
    shown = [
        (row.label, row.cells[column]) for row in table.rows if not row.cells[column].suppressed
    ]
    if shown and len(table.rows) > 1:
        label, cell = max(shown, key=lambda item: item[1].value)
        sentences.append(
            _("Most %(column)s: %(label)s, with %(value)s.")
            % {"column": table.columns[column].lower(), "label": label, "value": cell.display}
        )
    if table.totals is not None:
        total = table.totals[column]
        sentences.append(
            _("In all: %(value)s %(column)s.")
            % {"value": total.display, "column": table.columns[column].lower()}
        )
    elif len(table.rows) == 1:
        sentences.append(f"{table.rows[0].label}: {table.rows[0].cells[column].display}.")
    if table.any_suppressed:
        sentences.append(_("Some figures are fewer than 5 or withheld to protect privacy."))
    return " ".join(sentences)


def insight(*, viewer, filters: Filters, with_charts: bool = True) -> list[Section]:
    """The sections and figures this viewer may see, for these filters."""
    allowed = insight_sections(viewer)
    sections = {key: Section(key, str(registry.SECTIONS[key]), []) for key in allowed}
    for measure in registry.measures(allowed):
        table = privacy.publish(measure.compute(filters)) if measure.collected else None
        figure = Figure(
            measure=measure,
            table=table,
            summary=_summary(measure, table),
            ignored=measure.ignored_filters(filters),
        )
        if with_charts and table is not None and table.rows and table.chart_column is not None:
            figure.chart = charts.bar_chart(
                table, chart_id=f"chart-{figure.anchor}", title=str(measure.label),
                summary=figure.summary,
            )  # fmt: skip
        sections[measure.section].figures.append(figure)
    return [s for s in sections.values() if s.figures]


# The CSV pack -------------------------------------------------------------------------------


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()


def table_rows(table: privacy.PublishedTable) -> list[list[str]]:
    """A published table as CSV rows: header, one row per label, then the totals."""
    with_total = table.rows and table.rows[0].total is not None
    header = [table.row_header, *table.columns] + ([_("Total")] if with_total else [])
    rows = [header]
    for row in table.rows:
        rows.append(
            [row.label, *(c.csv for c in row.cells)] + ([row.total.csv] if with_total else [])
        )
    if table.totals is not None:
        grand = [table.grand_total.csv] if table.grand_total is not None else []
        rows.append([_("Total"), *(c.csv for c in table.totals), *grand])
    return rows


def report_pack(*, sections: list[Section], filters: Filters) -> bytes:
    """The quarterly report's figures as a ZIP of CSV files (UTF-8), with the period, every
    measure's definition, and the suppression note."""
    buffer = io.BytesIO()
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as pack:
        about = [[_("Item"), _("Value")], [_("Report"), _("Family Hubs Network insight report")]]
        about += [[name, value] for name, value in filters.describe()]
        about += [[_("Generated"), generated], [_("Suppression"), str(privacy.NOTE)]]
        pack.writestr("about.csv", _csv(about))
        definitions = [[_("File"), _("Section"), _("Measure"), _("Definition"), _("Status"),
                        _("Filters not applied")]]  # fmt: skip
        for section in sections:
            for figure in section.figures:
                name = f"{figure.measure.key}.csv" if figure.table is not None else ""
                definitions.append([
                    name, section.title, str(figure.measure.label),
                    str(figure.measure.definition),
                    _("collected") if figure.table is not None else _("not yet collected"),
                    ", ".join(figure.ignored),
                ])  # fmt: skip
                if figure.table is not None:
                    pack.writestr(name, _csv(table_rows(figure.table)))
        pack.writestr("definitions.csv", _csv(definitions))
    return buffer.getvalue()
