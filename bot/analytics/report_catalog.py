"""The catalog tables of the needs analytics report, and the one-column tally they share.

* ``services_shown``: the services most often shown (distinct conversations);
* ``catalog_gaps`` / ``never_shown``: per category, active services never shown in the period;
* ``empty_searches``: searches that found nothing, by comune and category.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.analytics.privacy import NOT_PERSONAL, Cell, Row, Table
from bot.analytics.source import Rows, Scope
from bot.analytics.tables import Labels, matrix, top_table
from bot.analytics.tally import Tally
from catalog.constants import CATEGORIES
from catalog.figures import ServiceBrief

#: Rows of a "top" table.
TOP = 20


def facets(rows: Rows, figure: str, raw: Iterable[tuple[str, int]]) -> Tally:
    """Conversations per key of a one-column table (raw pairs, then rolled-up ``figure``)."""
    tally = Tally(facet=0)
    for key, conversation_id in raw:
        tally.add(key, "conversations", conversation_id)
    for r in rows.rolled:
        if r.figure == figure:
            tally.add_count(r.key, "conversations", r.n)
    return tally


def catalog_tables(
    rows: Rows, scope: Scope, services: list[ServiceBrief], labels: Labels
) -> list[Table]:
    """Services shown, categories with services never shown, those services, empty searches."""
    names = {s.id: s.name for s in services}
    shown = facets(
        rows,
        "service",
        ((str(sid), t.conversation_id) for t in rows.turns for sid in t.service_ids or []),
    )
    top = sorted(shown.keys(0), key=lambda k: (-shown.n(k, "conversations"), k))
    shown_table = top_table(
        "services_shown",
        labels,
        labels.column("service"),
        [(k, names.get(k, k)) for k in top[:TOP]],
        shown,
    )
    mine = [s for s in services if scope.enti is None or not s.enti or s.enti & set(scope.enti)]
    ever = shown.keys(0)
    gap_rows = []
    for cat in CATEGORIES:
        active = [s for s in mine if s.category == cat]
        never = [s for s in active if s.id not in ever]
        cells = [
            Cell(len(active), NOT_PERSONAL),
            Cell(len(active) - len(never), NOT_PERSONAL),
            Cell(len(never), NOT_PERSONAL),
        ]
        gap_rows.append(Row(labels.categories.get(cat, cat), cells, cat))
    gaps = Table(
        "catalog_gaps",
        labels.tables.get("catalog_gaps", ""),
        labels.column("category"),
        [labels.column(k) for k in ("active_services", "shown", "never_shown")],
        gap_rows,
        chart=2,
        note=labels.notes.get("catalog_gaps", ""),
    )
    order = {c: i for i, c in enumerate(CATEGORIES)}
    never_rows = [
        Row(s.name, [Cell(None, NOT_PERSONAL, note=labels.categories.get(s.category))], s.id)
        for s in sorted(mine, key=lambda s: (order.get(s.category, 99), s.name))
        if s.id not in ever
    ]
    never_table = Table(
        "never_shown",
        labels.tables.get("never_shown", ""),
        labels.column("service"),
        [labels.column("category")],
        never_rows,
        chart=None,
        note=labels.notes.get("never_shown", ""),
    )
    empty = Tally(facet=1)
    for t in rows.turns:
        if t.services_total == 0 and t.category:
            empty.add(t.comune or "", t.category, t.conversation_id)
    for r in rows.rolled:
        if r.figure == "empty":
            empty.add_count(r.comune, r.key, r.n)
    keys = sorted(empty.keys(0), key=lambda k: (k == "", k))
    empty_table = matrix(
        "empty_searches",
        labels,
        labels.column("comune"),
        [(k, k or labels.not_given) for k in keys],
        [(c, labels.categories.get(c, c)) for c in CATEGORIES],
        empty,
    )
    return [shown_table, gaps, never_table, empty_table]
