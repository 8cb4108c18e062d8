"""Building blocks of the report's tables: labels, count matrices, rates, top lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from bot.analytics.privacy import NOT_PERSONAL, Cell, Row, Table, rate
from bot.analytics.tally import Tally


@dataclass(frozen=True)
class Labels:
    """Translated labels (``analytics`` section of ``bot/texts/console.yml``)."""

    tables: Mapping[str, str]
    notes: Mapping[str, str]
    columns: Mapping[str, str]
    indicators: Mapping[str, str]
    categories: Mapping[str, str]
    reasons: Mapping[str, str]
    risks: Mapping[str, str]
    channels: Mapping[str, str]
    enti: Mapping[str, str]
    not_given: str

    def column(self, key: str, **values: str) -> str:
        """A column header (``{channel}`` filled when given)."""
        text = self.columns.get(key, key)
        return text.format(**values) if values else text


def conversations(n: int) -> Cell:
    """A count of ``n`` conversations (also the cell's ``n``)."""
    return Cell(n, n)


def matrix(
    tid: str,
    labels: Labels,
    row_header: str,
    rows: list[tuple[str, str]],
    cols: list[tuple[str, str]],
    tally: Tally,
    row_totals: bool = True,
) -> Table:
    """A table of distinct-conversation counts, with a total column and a total row."""
    body: list[Row] = []
    col_cells: dict[str, list[Cell]] = defaultdict(list)
    groups: list[tuple[list[Cell], Cell]] = []
    total_col: list[Cell] = []
    row_keys, col_keys = [k for k, _ in rows], [c for c, _ in cols]
    for key, label in rows:
        cells = [conversations(tally.n(key, c)) for c in col_keys]
        for c, cell in zip(col_keys, cells, strict=True):
            col_cells[c].append(cell)
        if row_totals:
            total = conversations(tally.n(key, col_keys))
            groups.append((cells, total))
            total_col.append(total)
            cells = [*cells, total]
        body.append(Row(label, cells, key))
    total_cells = []
    for c in col_keys:
        cell = conversations(tally.n(row_keys, c))
        groups.append((col_cells[c], cell))
        total_cells.append(cell)
    if row_totals:
        grand = conversations(tally.n(None, None))
        groups += [(total_col, grand), (list(total_cells), grand)]
        total_cells.append(grand)
    headers = [label for _, label in cols] + ([labels.column("total")] if row_totals else [])
    return Table(
        tid,
        labels.tables.get(tid, tid),
        row_header,
        headers,
        body,
        Row(labels.column("total"), total_cells, "total"),
        chart=len(headers) - 1,
        note=labels.notes.get(tid, ""),
        groups=groups,
    )


def top_table(
    tid: str, labels: Labels, header: str, rows: list[tuple[str, str]], tally: Tally
) -> Table:
    """A one-column table of conversations per row (no total: top lists only)."""
    body = [Row(label, [conversations(tally.n(k, "conversations"))], k) for k, label in rows]
    return Table(
        tid,
        labels.tables.get(tid, tid),
        header,
        [labels.column("conversations")],
        body,
        chart=0,
        note=labels.notes.get(tid, ""),
    )


def with_population(table: Table, population: Mapping[str, int | None], labels: Labels) -> None:
    """Add inhabitants and the rate per 1,000 of the last (total) column to ``table``."""
    table.columns += [labels.column("population"), labels.column("rate")]
    for row in table.all_rows():
        people = population.get(row.key) if row.key != "total" else population.get("total")
        total = row.cells[-1]
        row.cells += [Cell(people, NOT_PERSONAL), rate(total, people)]
    table.chart = len(table.columns) - 1
