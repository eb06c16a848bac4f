"""Bar charts drawn on the server as SVG: no JavaScript, and readable by a screen reader.

Each chart is an image with a title and a description (the text summary); the data table
beside it carries every figure. Suppressed figures get no bar, only their words, so a
chart can never show what the table withholds.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .privacy import PublishedTable

WIDTH = 320
ROW = 40
LABEL_CHARS = 44
BAR_COLOUR = "#1d4f91"
INK = "#1b1b1b"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(table: PublishedTable, *, chart_id: str, title: str, summary: str) -> SafeString:
    """A horizontal bar chart of the table's chart column, scaled to the largest figure."""
    column = table.chart_column or 0
    cells = [(row.label, row.cells[column]) for row in table.rows]
    largest = max((c.value for _label, c in cells if not c.suppressed), default=0) or 1
    height = ROW * len(cells) + 8
    bar_room = WIDTH - 70
    parts = [
        f'<svg class="insight-chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    for index, (label, cell) in enumerate(cells):
        y = index * ROW
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="12" fill="{INK}">{escape(_short(label))}</text>'
        )
        if cell.suppressed:
            parts.append(
                f'<text x="0" y="{y + 30}" font-size="12" font-style="italic" fill="{INK}">'
                f"{escape(cell.display)}</text>"
            )
            continue
        length = max(round(bar_room * cell.value / largest), 2 if cell.value else 0)
        parts.append(
            f'<rect x="0" y="{y + 18}" width="{length}" height="14" fill="{BAR_COLOUR}"></rect>'
        )
        parts.append(
            f'<text x="{length + 6}" y="{y + 30}" font-size="12" fill="{INK}">'
            f"{escape(cell.display)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every piece of text above is escaped)
