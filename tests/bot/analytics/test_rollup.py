"""The daily roll-ups give the report of the log, cell for cell (SQLite and PostgreSQL).

Every test compares :class:`AnalyticsService` on the roll-ups with the same service reading
the whole period from the log (``rollups=False``), over scopes (every ente, one, two, none)
and granularities, on the report scenario plus conversations the counters must not hold:
across midnight, on two channels, back on a later day, with a comune that changed, with an
open handoff, and today's (not rolled yet).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from bot.analytics.recorder import AnalyticsRepository, TurnFacts
from bot.analytics.service import AnalyticsService
from bot.analytics.source import Scope
from bot.console.admin.analytics_params import labels_from_texts
from bot.handoff.models import Handoff
from bot.store.db import init_db
from bot.store.models import (
    AnalyticsDaily,
    AnalyticsRolled,
    AnalyticsRolledDay,
    Conversation,
    Message,
)
from bot.texts import console_texts
from catalog.db import make_engine
from catalog.reference import ente_short_names
from tests.fixtures.analytics import ROME, SCENARIO, SECRET, Conv, seed
from wecare.settings import ROOT

LABELS = labels_from_texts(console_texts(), ente_short_names(ROOT / "catalog_data"))
TODAY = date(2026, 11, 23)  # week 48's Monday: the days before are rolled, it is not
SCOPES = [None, ("ciss38",), ("ciss38", "inrete"), ()]
MIDNIGHT = datetime(2026, 11, 20, 23, 58, tzinfo=ROME)
#: Conversations the counters must leave to the log (see the module docstring).
AWKWARD: list[Conv] = [
    *[Conv("web", "Ivrea", "inrete", MIDNIGHT, "housing", messages=20) for _ in range(5)],
    *[Conv("telegram", "Cuorgnè", "ciss38", MIDNIGHT - timedelta(days=2), "disability")
      for _ in range(6)],
    *[Conv("web", "Ivrea", "inrete", MIDNIGHT - timedelta(days=3), "employment",
           handoff="citizen_request", wait_minutes=3.5) for _ in range(5)],
]  # fmt: skip


def _at(day: datetime) -> datetime:
    return day.astimezone(timezone.utc)


def _ids(engine) -> list[int]:
    with Session(engine) as session:
        return list(session.scalars(select(Conversation.id).order_by(Conversation.id)))


def _message(engine, conv_id: int, channel: str, at: datetime) -> None:
    with Session(engine) as session, session.begin():
        session.add(
            Message(
                conversation_id=conv_id, direction="in", sender_kind="citizen", text=SECRET,
                channel=channel, mode="bot", status="forwarded", created_at=_at(at),
            )
        )  # fmt: skip


def _seed_awkward(engine) -> None:
    """The scenario, then conversations spanning days, channels and areas."""
    seed(engine, SCENARIO)
    first = len(_ids(engine))
    seed(engine, AWKWARD)
    ids = _ids(engine)[first:]
    repo = AnalyticsRepository(engine)
    for cid in ids[5:8]:  # two channels on one day
        _message(engine, cid, "web", MIDNIGHT - timedelta(days=2, hours=1))
    for cid in ids[8:11]:  # back three days later (a Telegram chat), and a new comune
        _message(engine, cid, "telegram", MIDNIGHT + timedelta(days=1, hours=12))
        repo.add(
            TurnFacts(conversation_id=cid, channel="telegram", comune="Ivrea",
                      ente_gestore_id="inrete", intent="need_housing", category="housing",
                      created_at=_at(MIDNIGHT + timedelta(days=1, hours=12)))
        )  # fmt: skip
    with Session(engine) as session, session.begin():  # one handoff still waiting
        handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == ids[11]))
        handoff.status, handoff.claimed_at = "queued", None


def _grid(report) -> list[tuple[str, list[tuple[str, list[tuple[str, object]]]]]]:
    return [
        (t.id, [(r.key, [(c.text(), c.shown_value()) for c in r.cells]) for r in t.all_rows()])
        for t in report.tables
    ]


@pytest.fixture
def services(app_engine, catalog_db_url):
    catalog = make_engine(catalog_db_url)
    day = {"today": TODAY}
    rolled = AnalyticsService(app_engine, catalog, today=lambda: day["today"])
    from_log = AnalyticsService(app_engine, catalog, rollups=False)
    yield rolled, from_log, day
    catalog.dispose()


def _assert_same(services, start=date(2026, 11, 16), end=date(2026, 11, 29)) -> None:
    rolled, from_log, _ = services
    for enti in SCOPES:
        for granularity in ("day", "week", "month"):
            scope = Scope(start, end, granularity, enti)
            assert _grid(rolled.report(scope, LABELS)) == _grid(from_log.report(scope, LABELS)), (
                enti,
                granularity,
            )


def _counters(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(AnalyticsDaily.__table__)))


def test_rollups_give_the_numbers_of_the_log(app_engine, services):
    _seed_awkward(app_engine)
    _assert_same(services)
    _assert_same(services, date(2026, 11, 21), date(2026, 11, 22))  # starts mid-conversation
    with app_engine.connect() as conn:
        rolled = conn.execute(select(func.count()).where(AnalyticsRolled.day.is_not(None)))
        raw = conn.execute(select(func.count()).where(AnalyticsRolled.day.is_(None)))
        assert rolled.scalar() == 6 + 4 and raw.scalar() == 12  # week 47 + 4 awkward ones
        days = conn.execute(select(func.min(AnalyticsRolledDay.day), func.count())).one()
    assert days == (date(2026, 11, 16), 7)  # 16..22 November; today (23) stays raw
    report = services[0].report(Scope(date(2026, 11, 16), date(2026, 11, 29)), LABELS)
    quality = {r.key: r.cells[0].text() for r in report.table("quality").rows}
    assert quality["conversations"] == str(26 + 16)


def test_the_rollup_is_idempotent(app_engine, services):
    rolled = services[0].rolled
    _seed_awkward(app_engine)
    assert rolled.rebuild() == (7, 6 + 16)  # 16..22 November; week 48 is not rolled
    first = _counters(app_engine)
    assert first and rolled.rebuild() == (7, 22)
    assert rolled.rebuild(date(2026, 11, 20)) == (3, 5 + 3)
    assert _counters(app_engine) == first
    _assert_same(services)
    assert _counters(app_engine) == first


def test_new_turns_after_a_rollup_appear(app_engine, services):
    rolled, _, day = services
    _seed_awkward(app_engine)
    day["today"] = date(2026, 11, 30)
    rolled.rolled.rebuild()
    _assert_same(services)
    ids = _ids(app_engine)
    day["today"] = date(2026, 12, 1)  # a chat counted on 16 November comes back; a new one
    _message(app_engine, ids[0], "web", datetime(2026, 12, 1, 9, 0, tzinfo=ROME))
    seed(app_engine, [Conv("web", "Ivrea", "inrete", datetime(2026, 12, 1, 10, tzinfo=ROME),
                           "housing") for _ in range(5)])  # fmt: skip
    _assert_same(services, date(2026, 11, 16), date(2026, 12, 1))
    _assert_same(services, date(2026, 11, 16), date(2026, 11, 29))
    report = rolled.report(Scope(date(2026, 12, 1), date(2026, 12, 1), "day"), LABELS)
    quality = {r.key: r.cells[0].text() for r in report.table("quality").rows}
    assert quality["conversations"] == "6"
    day["today"] = date(2026, 12, 2)  # the next day, 1 December is rolled up on read
    _assert_same(services, date(2026, 11, 16), date(2026, 12, 1))
    with app_engine.connect() as conn:
        assert conn.execute(select(AnalyticsRolled.day).where(
            AnalyticsRolled.conversation_id == ids[0])).scalar() is None  # fmt: skip


def test_an_erased_conversation_leaves_the_counters(app_engine, services):
    rolled = services[0]
    seed(app_engine, SCENARIO)
    scope = Scope(date(2026, 11, 16), date(2026, 11, 22), "week")
    before = rolled.report(scope, LABELS).table("activity").total.cells[0].value
    with Session(app_engine) as session, session.begin():
        session.execute(delete(Conversation).where(Conversation.id == _ids(app_engine)[0]))
    after = rolled.report(scope, LABELS).table("activity").total.cells[0].value
    assert (before, after) == (6, 5)
    _assert_same(services)


def test_migration_7_rolls_up_an_existing_log(app_engine, services):
    seed(app_engine, SCENARIO)
    with app_engine.begin() as conn:
        for table in (AnalyticsDaily, AnalyticsRolled, AnalyticsRolledDay):
            conn.execute(delete(table))
        conn.execute(text("DROP INDEX ix_message_created_at"))
        # what the pre-Alembic schema manager left at version 6 (bot.store.migrations.legacy)
        conn.execute(text("DROP TABLE app_alembic_version"))
        conn.execute(text("CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER)"))
        conn.execute(text("INSERT INTO schema_version VALUES (1, 6)"))
    assert init_db(app_engine) == "0002"
    with app_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AnalyticsRolledDay)).scalar() > 7
    assert _counters(app_engine)
    services[2]["today"] = date(2026, 12, 3)
    _assert_same(services)
