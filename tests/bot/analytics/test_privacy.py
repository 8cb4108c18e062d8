"""Small-cell suppression: primary (<5), secondary (no deduction from totals), derived cells."""

from __future__ import annotations

from bot.analytics.privacy import Cell, Row, Table, protect, rate


def _table(values: list[list[int]], totals: list[int], grand: int) -> Table:
    rows = [Row(f"r{i}", [Cell(v, v) for v in vs] + [Cell(t, t)]) for i, (vs, t) in
            enumerate(zip(values, totals, strict=True))]  # fmt: skip
    columns = list(zip(*(r.cells for r in rows), strict=True))
    total_row = Row("total", [Cell(sum(c.value for c in col), sum(c.n for c in col))
                              for col in columns[:-1]] + [Cell(grand, grand)])  # fmt: skip
    groups = [(r.cells[:-1], r.cells[-1]) for r in rows]
    groups += [(list(col), total_row.cells[i]) for i, col in enumerate(columns)]
    groups.append((total_row.cells[:-1], total_row.cells[-1]))
    return Table("t", "t", "r", ["a", "b", "c", "tot"], rows, total_row, groups=groups)


def test_cells_under_five_are_suppressed_and_their_value_dropped():
    table = protect(_table([[3, 10, 0]], [13], 13))
    cells = table.rows[0].cells
    assert cells[0].text() == "<5" and cells[0].value is None
    assert cells[2].text() == "0"  # zero conversations reveal nobody


def test_one_suppressed_cell_beside_a_total_takes_another_with_it():
    # Row: 3 + 10 + 20 = 33 shown: 3 could be deduced; the smallest other cell goes too.
    table = protect(_table([[3, 10, 20], [6, 7, 8]], [33, 21], 54))
    first, second = table.rows
    assert [c.text() for c in first.cells] == ["<5", "<5", "20", "33"]
    # Column "b" now has one suppressed cell (10): its smallest other cell goes as well.
    assert second.cells[1].text() == "<5"
    for cells, total in table.groups:
        if not total.suppressed:
            assert sum(1 for c in cells if c.suppressed) != 1


def test_a_lone_suppressed_cell_suppresses_the_total_when_nothing_else_can_go():
    table = protect(_table([[2, 0, 0]], [2], 2))
    assert [c.text() for c in table.rows[0].cells] == ["<5", "0", "0", "<5"]


def test_a_rate_follows_its_count():
    count = Cell(12, 12)
    derived = rate(count, 9495)
    row = Row("x", [count, derived])
    table = Table("t", "t", "r", ["n", "rate"], [row], groups=[([count], Cell(3, 3))])
    assert derived.text() == "1,26"
    count.suppressed = True  # e.g. by a secondary suppression elsewhere
    protect(table)
    assert derived.text() == "<5" and derived.value is None
