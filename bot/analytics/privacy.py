"""Aggregate tables and their small-cell suppression (privacy of the needs analytics).

Every figure of a :class:`Table` is a :class:`Cell` that knows how many conversations are
behind it (``n``). A cell of 1 to 4 conversations is suppressed (primary suppression); so is
any cell that would let a reader work a suppressed one out from a total shown beside it
(secondary suppression: in every group "cells + their total", never exactly one suppressed
cell; the smallest other cell goes too, or else the total). Suppressed cells are written
``<5`` in the page, the CSV and the CLI alike; their value is dropped, not only hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

#: Cells with fewer conversations than this (and more than zero) are never shown.
MIN_CONVERSATIONS = 5
SUPPRESSED = f"<{MIN_CONVERSATIONS}"
#: ``n`` of figures that are not about people (catalog counts, population).
NOT_PERSONAL = 1_000_000_000


@dataclass
class Cell:
    """One figure: ``value`` (count, percentage, minutes...) and its conversations ``n``."""

    value: float | int | None
    n: int
    suppressed: bool = False
    decimals: int = 0
    #: a cell this one is derived from (a rate of a count): suppressed together.
    follows: Cell | None = field(default=None, repr=False)
    #: a text shown instead of a number (e.g. the category of a service never shown).
    note: str | None = None

    def text(self) -> str:
        """The figure as shown: ``<5`` when suppressed, ``–`` when undefined."""
        if self.suppressed:
            return SUPPRESSED
        if self.note is not None:
            return self.note
        if self.value is None:
            return "–"
        if self.decimals:
            return f"{self.value:.{self.decimals}f}".replace(".", ",")
        return str(int(round(self.value)))

    def shown_value(self) -> float | int | None:
        """The value, or None when suppressed (what charts and JSON receive)."""
        return None if self.suppressed else self.value


@dataclass
class Row:
    """A labelled row of cells (``key``: the raw id behind the label, e.g. a comune)."""

    label: str
    cells: list[Cell]
    key: str = ""


@dataclass
class Table:
    """An aggregate table, ready to render (labels already translated).

    Attributes:
        id: stable id (CSV file name, anchors, ``?table=`` of the export).
        title: caption.
        row_header: header of the label column.
        columns: headers of the figure columns.
        rows: body rows; ``total``: the total row, if any.
        chart: index of the column the chart draws (None: no chart).
        note: one line under the table (what is counted).
    """

    id: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[Row]
    total: Row | None = None
    chart: int | None = 0
    note: str = ""
    groups: list[tuple[list[Cell], Cell]] = field(default_factory=list, repr=False)

    def all_rows(self) -> list[Row]:
        """Body rows, then the total row."""
        return [*self.rows, *([self.total] if self.total else [])]


def protect(table: Table) -> Table:
    """Apply primary and secondary suppression to ``table`` in place; return it."""
    for row in table.all_rows():
        for cell in row.cells:
            if 0 < cell.n < MIN_CONVERSATIONS:
                cell.suppressed = True
    _secondary(table.groups)
    for row in table.all_rows():
        for cell in row.cells:
            if cell.follows is not None and cell.follows.suppressed:
                cell.suppressed = True
            if cell.suppressed:
                cell.value = None
    return table


def _secondary(groups: Sequence[tuple[list[Cell], Cell]]) -> None:
    changed = True
    while changed:
        changed = False
        for cells, total in groups:
            if total.suppressed:
                continue
            hidden = [c for c in cells if c.suppressed]
            if len(hidden) != 1:
                continue
            candidates = [c for c in cells if not c.suppressed and c.n > 0]
            if candidates:
                min(candidates, key=lambda c: (c.n, c.value or 0)).suppressed = True
            else:
                total.suppressed = True
            changed = True


def rate(numerator: Cell, denominator: int | None, per: int = 1000) -> Cell:
    """``numerator`` per ``per`` of ``denominator`` (population), suppressed with it."""
    value = None
    if denominator and numerator.value is not None:
        value = numerator.value * per / denominator
    return Cell(value, numerator.n, numerator.suppressed, decimals=2, follows=numerator)


def share(part: int, whole: int, n: int) -> Cell:
    """``part`` as a percentage of ``whole`` (``n``: conversations that decide suppression)."""
    return Cell(100.0 * part / whole if whole else None, n, decimals=1)
