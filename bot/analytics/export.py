"""CSV of the analytics tables: the same rows and the same (suppressed) figures as the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.analytics.privacy import Table


def table_rows(table: Table) -> list[list[str]]:
    """Header and rows of ``table`` as shown (``<5`` for suppressed cells)."""
    rows = [[table.row_header, *table.columns]]
    rows += [[row.label, *(c.text() for c in row.cells)] for row in table.all_rows()]
    return rows


def tables_csv(tables: Sequence[Table]) -> str:
    """One CSV: for one table its rows; for several, a first column naming the table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if len(tables) == 1:
        writer.writerows(table_rows(tables[0]))
        return out.getvalue()
    for table in tables:
        for row in table_rows(table):
            writer.writerow([table.id, *row])
    return out.getvalue()
