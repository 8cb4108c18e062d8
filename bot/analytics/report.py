"""The needs analytics report: aggregate tables over one period and the enti of an account.

:func:`build_report` turns the rows of :mod:`bot.analytics.source` into the tables of the
dashboard (activity by channel; needs over time and by comune, ente gestore and distretto,
with rates per 1,000 inhabitants; quality of the answers; handoff reasons; misunderstood
intents; services shown, never shown and searches that found nothing; risk reports). Every
figure counts distinct conversations (messages where said), and every table goes through
:func:`bot.analytics.privacy.protect` before anyone sees it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from bot.analytics.privacy import Cell, Row, Table, protect, share
from bot.analytics.report_catalog import TOP, catalog_tables, facets
from bot.analytics.source import Rows, Scope
from bot.analytics.tables import Labels, conversations, matrix, top_table, with_population
from bot.analytics.tally import Tally
from bot.analytics.vocab import CHANNELS, RISK_KINDS
from catalog.constants import CATEGORIES
from catalog.figures import ComuneFigure, ServiceBrief

__all__ = ["Labels", "Report", "build_report"]


@dataclass
class Report:
    """The tables of one report, in dashboard order."""

    scope: Scope
    tables: list[Table]

    def table(self, table_id: str) -> Table | None:
        """The table ``table_id``, if the report has it."""
        return next((t for t in self.tables if t.id == table_id), None)


def _activity(rows: Rows, scope: Scope, labels: Labels) -> Table:
    convs = Tally()
    msgs: dict[tuple[str, str], int] = defaultdict(int)
    for m in rows.messages:
        key = (scope.bucket(m.hour), m.channel)
        convs.add(*key, m.conversation_id)
        msgs[key] += m.count
    for r in rows.rolled:
        if r.figure == "conv":
            convs.add_count(scope.period(r.day), r.channel, r.n)
        elif r.figure == "messages":
            msgs[(scope.period(r.day), r.channel)] += r.n
    buckets = sorted(convs.keys(0))
    channels = [*CHANNELS, *sorted(convs.keys(1) - set(CHANNELS))]
    body, groups = [], []
    columns: dict[int, list[Cell]] = defaultdict(list)

    def cells_for(keys: list[str], channel: str) -> tuple[Cell, Cell]:
        members = convs.n(keys, channel)
        count = sum(msgs.get((k, channel), 0) for k in keys)
        return conversations(members), Cell(count, members)

    for keys, label, row_key in [
        *(([b], b, b) for b in buckets),
        (buckets, labels.column("total"), "total"),
    ]:
        cells: list[Cell] = []
        for channel in channels:
            cells += cells_for(keys, channel)
        members = convs.n(keys, channels)
        count = sum(msgs.get((k, c), 0) for k in keys for c in channels)
        total_c, total_m = conversations(members), Cell(count, members)
        groups += [(cells[0::2], total_c), (cells[1::2], total_m)]
        cells += [total_c, total_m]
        body.append(Row(label, cells, row_key))
        for i, cell in enumerate(cells):
            columns[i].append(cell)
    for cells in columns.values():
        groups.append((cells[:-1], cells[-1]))
    headers: list[str] = []
    for channel in [*channels, "all"]:
        name = labels.channels.get(channel, channel)
        headers += [
            labels.column("conversations_of", channel=name),
            labels.column("messages_of", channel=name),
        ]
    return Table(
        "activity",
        labels.tables.get("activity", "activity"),
        labels.column("period"),
        headers,
        body[:-1],
        body[-1],
        chart=len(headers) - 2,
        note=labels.notes.get("activity", ""),
        groups=groups,
    )


def _needs(rows: Rows, scope: Scope, comuni: list[ComuneFigure], labels: Labels) -> list[Table]:
    cats = [(c, labels.categories.get(c, c)) for c in CATEGORIES]
    by_comune = {c.name: c for c in comuni}
    needs = [t for t in rows.turns if t.category]
    rolled = [r for r in rows.rolled if r.figure == "need"]
    tables = []
    over_time = Tally(facet=1)
    for t in needs:
        over_time.add(scope.bucket(t.hour), str(t.category), t.conversation_id)
    for r in rolled:
        over_time.add_count(scope.period(r.day), r.key, r.n)
    buckets = sorted(over_time.keys(0))
    tables.append(
        matrix(
            "needs_time",
            labels,
            labels.column("period"),
            [(b, b) for b in buckets],
            cats,
            over_time,
        )
    )

    def area_of(kind: str, comune: str | None, ente: str | None) -> str:
        if kind == "comune":
            return comune or ""
        if kind == "ente":
            return ente or ""
        figure = by_comune.get(comune or "")
        return str(figure.distretto) if figure and figure.distretto else ""

    populations: dict[str, dict[str, int | None]] = {"comune": {}, "ente": {}, "distretto": {}}
    for c in comuni:
        populations["comune"][c.name] = c.population
        for kind, key in (("ente", c.ente_gestore_id), ("distretto", str(c.distretto or ""))):
            if key:
                populations[kind][key] = (populations[kind].get(key) or 0) + (c.population or 0)
    for kind in ("comune", "ente", "distretto"):
        areas = Tally(facet=1)
        for t in needs:
            area = area_of(kind, t.comune, t.ente_gestore_id)
            areas.add(area, str(t.category), t.conversation_id)
        for r in rolled:
            areas.add_count(area_of(kind, r.comune, r.ente_gestore_id), r.key, r.n)
        keys = sorted(areas.keys(0), key=lambda k: (k == "", k))
        names = labels.enti if kind == "ente" else {}
        row_labels = [(k, names.get(k, k) if k else labels.not_given) for k in keys]
        table = matrix(f"needs_{kind}", labels, labels.column(kind), row_labels, cats, areas)
        pop = dict(populations[kind])
        if scope.enti is None:
            pop["total"] = sum(c.population or 0 for c in comuni)
        else:
            pop["total"] = sum(c.population or 0 for c in comuni if c.ente_gestore_id in scope.enti)
        with_population(table, pop, labels)
        tables.append(table)
    return tables


def _quality(rows: Rows, labels: Labels) -> list[Table]:
    rolled: dict[str, int] = defaultdict(int)
    waits = [
        (h.claimed_at - h.queued_at).total_seconds() / 60
        for h in rows.handoffs
        if h.claimed_at is not None and h.queued_at is not None
    ]
    for r in rows.rolled:
        rolled[r.figure] += r.n
        if r.figure == "wait":
            waits += [float(r.key)] * r.n
    waits.sort()
    raw_everyone = {m.conversation_id for m in rows.messages}
    everyone = len(raw_everyone) + rolled["conv"]
    handed = len({h.conversation_id for h in rows.handoffs} & raw_everyone) + rolled["handed"]
    contained = everyone - handed
    pair = min(contained, handed)
    turn_convs = len({t.conversation_id for t in rows.turns}) + rolled["turned"]
    fallback_convs = len({t.conversation_id for t in rows.turns if t.fallback})
    fallback_convs += rolled["fallback"]
    turns = len(rows.turns) + rolled["turns"]
    misses = sum(1 for t in rows.turns if t.fallback) + rolled["fallback_turns"]
    nlu_pair = min(fallback_convs, (turn_convs - fallback_convs) or turn_convs)
    p90 = waits[min(len(waits) - 1, int(0.9 * len(waits)))] if waits else None
    handoffs = len({h.conversation_id for h in rows.handoffs}) + rolled["handoff"]
    figures = {
        "conversations": conversations(everyone),
        "contained": share(contained, everyone, pair),
        "handoff_rate": share(handed, everyone, pair),
        "handoffs": conversations(handoffs),
        "wait_median": Cell(statistics.median(waits) if waits else None, len(waits), decimals=1),
        "wait_p90": Cell(p90, len(waits), decimals=1),
        "contacts_left": conversations(len(rows.contacts_left) + rolled["contact"]),
        "understood": share(turns - misses, turns, nlu_pair),
        "fallback_rate": share(misses, turns, nlu_pair),
    }
    quality = Table(
        "quality",
        labels.tables.get("quality", "quality"),
        labels.column("indicator"),
        [labels.column("value")],
        [Row(labels.indicators.get(k, k), [c], k) for k, c in figures.items()],
        chart=None,
        note=labels.notes.get("quality", ""),
    )
    reasons = facets(rows, "reason", ((h.reason, h.conversation_id) for h in rows.handoffs))
    reason_rows = sorted(reasons.keys(0))
    col = [("conversations", labels.column("conversations"))]
    by_reason = matrix(
        "handoff_reasons",
        labels,
        labels.column("reason"),
        [(r, labels.reasons.get(r, r)) for r in reason_rows],
        col,
        reasons,
        row_totals=False,
    )
    missed = facets(
        rows,
        "missed",
        (
            (t.misunderstood_intent, t.conversation_id)
            for t in rows.turns
            if t.fallback and t.misunderstood_intent
        ),
    )
    top = sorted(missed.keys(0), key=lambda k: (-missed.n(k, "conversations"), k))
    misunderstood = top_table(
        "misunderstood", labels, labels.column("intent"), [(k, k) for k in top[:TOP]], missed
    )
    return [quality, by_reason, misunderstood]


def _risk(rows: Rows, labels: Labels) -> Table:
    raw = ((t.risk_kind, t.conversation_id) for t in rows.turns if t.risk_kind)
    sets = facets(rows, "risk", raw)
    kinds = [*RISK_KINDS, *sorted(sets.keys(0) - set(RISK_KINDS))]
    col = [("conversations", labels.column("conversations"))]
    named = [(k, labels.risks.get(k, k)) for k in kinds]
    table = matrix("risk", labels, labels.column("kind"), named, col, sets, row_totals=False)
    table.chart = 0
    return table


def build_report(
    rows: Rows,
    scope: Scope,
    comuni: list[ComuneFigure],
    services: list[ServiceBrief],
    labels: Labels,
) -> Report:
    """Every table of the dashboard, suppressed (see the module docstring)."""
    tables = [
        _activity(rows, scope, labels),
        *_needs(rows, scope, comuni, labels),
        *_quality(rows, labels),
        *catalog_tables(rows, scope, services, labels),
        _risk(rows, labels),
    ]
    return Report(scope, [protect(t) for t in tables])
