"""Suppression: no count under 5 is shown, and none can be worked out from a total."""

from __future__ import annotations

import random

from community.insight.privacy import THRESHOLD, publish
from community.insight.registry import Table


def _grid(published, table: Table):
    """Every figure of a published table by (row, column), totals included (as the reader
    sees them: None where suppressed), and the groups that add up."""
    n_rows, n_cols = len(table.rows), len(table.columns)
    grid = {}
    for i, row in enumerate(published.rows):
        for j, cell in enumerate(row.cells):
            grid[i, j] = cell
        if row.total is not None:
            grid[i, n_cols] = row.total
    for j, cell in enumerate(published.totals or []):
        grid[n_rows, j] = cell
    if published.grand_total is not None:
        grid[n_rows, n_cols] = published.grand_total
    groups = []
    if table.rows_add_up:
        for j in range(n_cols + (1 if table.columns_add_up else 0)):
            groups.append([(i, j) for i in range(n_rows + 1)])
    if table.columns_add_up:
        for i in range(n_rows + (1 if table.rows_add_up else 0)):
            groups.append([(i, j) for j in range(n_cols + 1)])
    return grid, groups


def _recoverable(published, table: Table) -> list[tuple[int, int]]:
    """Suppressed figures a reader could work out by subtraction: any group (parts and their
    total) with exactly one figure hidden gives that one away."""
    grid, groups = _grid(published, table)
    found = []
    for group in groups:
        hidden = [key for key in group if grid[key].suppressed]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found


def test_counts_under_five_are_shown_as_fewer_than_five():
    table = Table("Region", ["Threads"], [("London", [12]), ("North West", [3]), ("Kent", [0])])

    published = publish(table)

    cells = [row.cells[0] for row in published.rows]
    assert [c.display for c in cells] == ["12", "fewer than 5", "fewer than 5"]
    assert cells[1].value is None and cells[2].value is None


def test_one_small_count_beside_a_total_withholds_the_next_smallest():
    table = Table("Region", ["Threads"], [("A", [3]), ("B", [20]), ("C", [30])])

    published = publish(table)

    assert [r.cells[0].display for r in published.rows] == ["fewer than 5", "withheld", "30"]
    assert published.totals[0].display == "53"
    # 53 - 30 = 23 is the sum of two hidden figures: neither can be told apart.
    assert _recoverable(published, table) == []


def test_recovery_by_subtraction_fails_without_secondary_suppression_and_with_it():
    table = Table("Region", ["Threads"], [("A", [3]), ("B", [20]), ("C", [30])])
    published = publish(table)
    shown_total = published.totals[0].value
    shown_parts = [r.cells[0].value for r in published.rows if not r.cells[0].suppressed]
    hidden = [r.label for r in published.rows if r.cells[0].suppressed]

    # What an attacker gets by subtracting: the sum of two figures, not the small one.
    assert shown_total - sum(shown_parts) == 23
    assert hidden == ["A", "B"]


def test_a_two_way_table_hides_small_cells_from_row_and_column_totals():
    table = Table(
        "Region",
        ["13 to 15", "16 to 17", "18 to 25"],
        [("London", [2, 10, 12]), ("North West", [8, 9, 30]), ("Kent", [7, 6, 11])],
        columns_add_up=True,
    )

    published = publish(table)

    assert published.rows[0].cells[0].display == "fewer than 5"
    assert _recoverable(published, table) == []
    assert published.grand_total is not None


def test_a_total_under_five_is_hidden_with_its_parts():
    table = Table("Outcome", ["Appeals"], [("Upheld", [1]), ("Overturned", [2])])

    published = publish(table)

    assert all(r.cells[0].suppressed for r in published.rows)
    assert published.totals[0].display == "fewer than 5"


def test_a_table_with_no_rows_publishes_without_a_figure():
    published = publish(Table("Region", ["Threads"], []))

    assert published.rows == []
    assert published.totals[0].suppressed


def test_lists_that_do_not_add_up_suppress_only_small_counts():
    table = Table("Thread", ["Replies"], [("A", [40]), ("B", [3])], rows_add_up=False)

    published = publish(table)

    assert [r.cells[0].display for r in published.rows] == ["40", "fewer than 5"]
    assert published.totals is None


def test_no_random_table_leaks_a_small_count():
    rng = random.Random(19)
    for _ in range(300):
        n_rows, n_cols = rng.randint(1, 6), rng.randint(1, 4)
        rows = [
            (f"r{i}", [rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for _ in range(n_cols)])
            for i in range(n_rows)
        ]
        table = Table("x", [f"c{j}" for j in range(n_cols)], rows,
                      columns_add_up=rng.random() < 0.5)  # fmt: skip

        published = publish(table)

        grid, _groups = _grid(published, table)
        for (i, j), cell in grid.items():
            if not cell.suppressed:
                assert cell.value >= THRESHOLD, (rows, i, j)
        assert _recoverable(published, table) == [], rows
