"""Benchmark of the needs dashboard's report on a large synthetic app database (SQLite).

Writes N citizen messages (default 1,000,000, with as many bot replies) in conversations of
10 messages spread over 30 days (November 2026), 2 analytics turns per conversation and a
handoff every 10 conversations; builds the daily roll-ups of 1-29 November (``wecare
analytics rollup``), then times :meth:`bot.analytics.service.AnalyticsService.report` over
the 30 days for every ente and for one ente, "today" being 30 November (that day read from
the log), and the first report after midnight (30 November rolled up on read). Wall and CPU
time. ``--check`` also builds the report from the log once and compares every cell. Run:
``.venv/bin/python scripts/bench_analytics.py`` (``--messages N``); results go in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.analytics.report import Report  # noqa: E402
from bot.analytics.rolled import RolledSource  # noqa: E402
from bot.analytics.service import AnalyticsService  # noqa: E402
from bot.analytics.source import Scope  # noqa: E402
from bot.console.admin.analytics_params import labels_from_texts  # noqa: E402
from bot.store import create_store_engine, init_db  # noqa: E402
from bot.texts import console_texts  # noqa: E402
from catalog.constants import CATEGORIES  # noqa: E402
from catalog.db import make_engine  # noqa: E402
from catalog.loader import load  # noqa: E402
from catalog.reference import ente_short_names  # noqa: E402

T = TypeVar("T")
START = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
COMUNI = [("Cuorgnè", "ciss38"), ("Ivrea", "inrete"), ("Ciriè", "cis_cirie"),
          ("Chivasso", "ciss_chivasso"), ("Settimo Torinese", "unione_net")]  # fmt: skip


def populate(path: Path, messages: int) -> None:
    """Write the synthetic rows with plain sqlite3 (fast bulk inserts)."""
    rng = random.Random(13)
    conversations = messages // 10
    with sqlite3.connect(path) as db:
        conv_rows: list[tuple[object, ...]] = []
        msg_rows: list[tuple[object, ...]] = []
        turn_rows: list[tuple[object, ...]] = []
        hand_rows: list[tuple[object, ...]] = []
        mid = 0
        for cid in range(1, conversations + 1):
            if cid % 10_000 == 0:  # bounded memory
                _flush(db, conv_rows, msg_rows, turn_rows, hand_rows)
            comune, ente = COMUNI[cid % len(COMUNI)]
            channel = "web" if cid % 3 else "telegram"
            at = START + timedelta(seconds=rng.randrange(30 * 86400))
            conv_rows.append((cid, channel, f"{channel}-b{cid}", "bot", ente, comune, "{}", at, at))
            for i in range(10):
                for direction, kind in (("in", "citizen"), ("out", "bot")):
                    mid += 1
                    when = at + timedelta(seconds=20 * i)
                    msg_rows.append((mid, cid, direction, kind, "text", "x", "{}", channel,
                                     "bot", "delivered", when))  # fmt: skip
            category = CATEGORIES[cid % len(CATEGORIES)]
            shown = json.dumps([f"{ente}-segretariato-sociale"])
            turn_rows.append((cid, channel, comune, ente, "greet", 0.9, 0, None, None, "[]",
                              None, None, None, at))  # fmt: skip
            turn_rows.append((cid, channel, comune, ente, f"need_{category}", 0.8,
                              int(cid % 11 == 0), None, category, shown, 0 if cid % 17 == 0 else 3,
                              None, None, at))  # fmt: skip
            if cid % 10 == 0:
                claimed = at + timedelta(minutes=rng.randrange(1, 30))
                hand_rows.append((cid, ente, "closed", "citizen_request", 0, "{}", at, at, claimed))
        _flush(db, conv_rows, msg_rows, turn_rows, hand_rows)


def _flush(db: sqlite3.Connection, *batches: list[tuple[object, ...]]) -> None:
    conv_rows, msg_rows, turn_rows, hand_rows = batches
    db.executemany("INSERT INTO conversation (id, channel, sender_id, mode, ente_gestore_id, "
                   "comune, meta, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                   conv_rows)  # fmt: skip
    db.executemany("INSERT INTO message (id, conversation_id, direction, sender_kind, event, "
                   "text, payload, channel, mode, status, created_at) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?)", msg_rows)  # fmt: skip
    db.executemany("INSERT INTO analytics_turn (conversation_id, channel, comune, "
                   "ente_gestore_id, intent, confidence, fallback, misunderstood_intent, "
                   "category, service_ids, services_total, risk_kind, handoff_reason, "
                   "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", turn_rows)  # fmt: skip
    db.executemany("INSERT INTO handoff (conversation_id, ente_gestore_id, status, reason, "
                   "priority, meta, created_at, queued_at, claimed_at) VALUES (?,?,?,?,?,?,?,?,?)",
                   hand_rows)  # fmt: skip

    for batch in batches:
        batch.clear()


def _grid(report: Report) -> list[object]:
    return [
        (t.id, [(r.key, [(c.text(), c.shown_value()) for c in r.cells]) for r in t.all_rows()])
        for t in report.tables
    ]


def _timed(call: Callable[[], T]) -> tuple[T, float, float]:
    """``call()``, its wall and CPU milliseconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> int:
    """Build the database and the roll-ups, and time the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="compare with the log's report")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        app_url = f"sqlite:///{Path(tmp) / 'app.db'}"
        engine = create_store_engine(app_url)
        init_db(engine)
        t0 = time.perf_counter()
        populate(Path(tmp) / "app.db", args.messages)
        print(f"{args.messages:,} citizen messages written in {time.perf_counter() - t0:.0f} s")
        day = {"today": date(2026, 11, 30)}
        rolled = RolledSource(engine, lambda: day["today"])
        (days, convs), wall, cpu = _timed(lambda: rolled.rebuild(date(2026, 11, 1)))
        print(f"roll-up of {days} days ({convs:,} conversations): {wall / 1000:.1f} s wall, "
              f"{cpu / 1000:.1f} s CPU")  # fmt: skip
        catalog = make_engine(f"sqlite:///{Path(tmp) / 'catalog.db'}")
        load(catalog, ROOT / "catalog_data")
        service = AnalyticsService(engine, catalog, today=lambda: day["today"])
        log_service = AnalyticsService(engine, catalog, rollups=False)
        labels = labels_from_texts(console_texts(), ente_short_names(ROOT / "catalog_data"))
        for name, enti in (("all enti", None), ("one ente", ("ciss38",))):
            scope = Scope(date(2026, 11, 1), date(2026, 11, 30), "week", enti)
            walls, cpus = [], []
            for _ in range(args.runs):
                report, wall, cpu = _timed(partial(service.report, scope, labels))
                walls.append(wall)
                cpus.append(cpu)
            walls.sort()
            p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
            print(f"report, {name}: p50 {statistics.median(walls):.0f} ms, p95 {p95:.0f} ms "
                  f"wall; CPU p50 {statistics.median(cpus):.0f} ms ({args.runs} runs)")  # fmt: skip
            if args.check:
                expected, wall, _ = _timed(partial(log_service.report, scope, labels))
                same = _grid(expected) == _grid(report)
                print(f"  from the log: {wall:.0f} ms, same cells: {same}")
                if not same:
                    return 1
        day["today"] = date(2026, 12, 1)  # the first report after midnight rolls 30 November
        scope = Scope(date(2026, 11, 1), date(2026, 11, 30), "week")
        _, wall, cpu = _timed(lambda: service.report(scope, labels))
        print(f"first report after midnight (one day rolled on read): {wall:.0f} ms wall, "
              f"{cpu:.0f} ms CPU")  # fmt: skip
        _, wall, cpu = _timed(lambda: service.report(scope, labels))
        print(f"next report (every day rolled): {wall:.0f} ms wall, {cpu:.0f} ms CPU")
        print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        engine.dispose()
        catalog.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
