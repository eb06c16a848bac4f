"""Statistical disclosure control: no published count can point at fewer than 5 people.

Primary suppression: every count below `THRESHOLD` (0 to 4) is shown as "fewer than 5".
Secondary suppression: wherever figures add up to a total that is shown (a column and its
total row, a row and its total column, the totals and the grand total), a group with exactly
one suppressed figure would give it away by subtraction, so the smallest other figure in that
group is withheld too ("withheld"), repeating until no group has exactly one. A total is only
withheld when nothing else in its group is left to withhold.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .registry import Table

THRESHOLD = 5
FEWER = _("fewer than 5")
WITHHELD = _("withheld")

NOTE = _(
    "Counts below 5 are shown as “fewer than 5” so that no figure can point to a few people. "
    "Where a total is shown, one more figure in the same row or column is also “withheld”, "
    "so that a small count cannot be worked out by subtracting the others from the total. "
    "Figures are counts of activity, never of named people, and young people's figures go no "
    "finer than region and age band."
)


@dataclass(frozen=True)
class Cell:
    value: int | None  # None when suppressed: the true value never leaves this module
    state: str = "shown"  # "shown", "fewer" (primary) or "withheld" (secondary)

    @property
    def suppressed(self) -> bool:
        return self.state != "shown"

    @property
    def display(self) -> str:
        if self.state == "fewer":
            return str(FEWER)
        if self.state == "withheld":
            return str(WITHHELD)
        return f"{self.value:,}"

    @property
    def csv(self) -> str:
        return str(self.value) if self.state == "shown" else self.display


@dataclass(frozen=True)
class PublishedRow:
    label: str
    cells: list[Cell]
    total: Cell | None = None


@dataclass(frozen=True)
class PublishedTable:
    row_header: str
    columns: list[str]
    rows: list[PublishedRow]
    totals: list[Cell] | None  # the total row, when rows add up
    grand_total: Cell | None  # when both rows and columns add up
    chart_column: int | None
    note: str

    @property
    def any_suppressed(self) -> bool:
        cells = [c for r in self.rows for c in [*r.cells, *([r.total] if r.total else [])]]
        cells += self.totals or []
        cells += [self.grand_total] if self.grand_total else []
        return any(c.suppressed for c in cells)


def publish(table: Table) -> PublishedTable:
    """Apply primary and secondary suppression to a table of counts."""
    n_rows, n_cols = len(table.rows), len(table.columns)
    values: dict[tuple[int, int], int] = {}
    for i, (_label, row) in enumerate(table.rows):
        for j in range(n_cols):
            values[i, j] = int(row[j] or 0)
    # Totals live in the same grid: row n_rows is the total row, column n_cols the total column.
    if table.rows_add_up:
        for j in range(n_cols):
            values[n_rows, j] = sum(values[i, j] for i in range(n_rows))
    if table.columns_add_up:
        for i in range(n_rows):
            values[i, n_cols] = sum(values[i, j] for j in range(n_cols))
    if table.rows_add_up and table.columns_add_up:
        values[n_rows, n_cols] = sum(values[n_rows, j] for j in range(n_cols))

    # Each group: (the parts, the total) of one "these add up to that" relation.
    groups: list[tuple[list[tuple[int, int]], tuple[int, int]]] = []
    if table.rows_add_up:
        for j in range(n_cols + (1 if table.columns_add_up else 0)):
            groups.append(([(i, j) for i in range(n_rows)], (n_rows, j)))
    if table.columns_add_up:
        for i in range(n_rows + (1 if table.rows_add_up else 0)):
            groups.append(([(i, j) for j in range(n_cols)], (i, n_cols)))

    state = {key: ("fewer" if value < THRESHOLD else "shown") for key, value in values.items()}
    changed = True
    while changed:
        changed = False
        for parts, total in groups:
            members = [*parts, total]
            hidden = [key for key in members if state[key] != "shown"]
            if len(hidden) != 1:
                continue
            candidates = [key for key in parts if state[key] == "shown"]
            if not candidates and state[total] == "shown":
                candidates = [total]
            if not candidates:
                continue  # nothing left to withhold: every figure here is already hidden
            smallest = min(candidates, key=lambda key: (values[key], key))
            state[smallest] = "withheld"
            changed = True

    def cell(key: tuple[int, int]) -> Cell:
        shown = state[key] == "shown"
        return Cell(values[key] if shown else None, state[key])

    rows = [
        PublishedRow(
            label=label,
            cells=[cell((i, j)) for j in range(n_cols)],
            total=cell((i, n_cols)) if table.columns_add_up else None,
        )
        for i, (label, _row) in enumerate(table.rows)
    ]
    return PublishedTable(
        row_header=table.row_header,
        columns=list(table.columns),
        rows=rows,
        totals=[cell((n_rows, j)) for j in range(n_cols)] if table.rows_add_up else None,
        grand_total=cell((n_rows, n_cols)) if table.rows_add_up and table.columns_add_up else None,
        chart_column=table.chart_column,
        note=table.note,
    )
