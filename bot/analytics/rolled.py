"""Daily roll-up tables of the needs analytics: building them and reading the report from them.

:func:`roll_days` (re)builds the counters of some Europe/Rome days from the log
(``analytics_daily``; ``analytics_rolled`` says how each conversation active on those days
was taken, ``analytics_rolled_day`` which days are built and with how many conversations).
It is idempotent: a day is deleted and recomputed. A conversation once counted on a day and
active again later (a chat that comes back) is taken out of that day's counters by rolling
the day again. :class:`RolledSource` gives the report its rows: counters for the rolled days
of the period, raw rows for the conversations the counters do not hold and for today. Before
reading it rolls what is missing (days before today not built yet, days whose conversations
were erased since, days of conversations active again today), so the figures are always
those of the log. See ``docs/analytics.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.analytics.rollup import ConversationLog, HandoffFact, figures
from bot.analytics.source import ROME, AnalyticsSource, RolledRow, Rows, Scope, TurnRow, _hour
from bot.handoff.models import ContactRequest, Handoff
from bot.store.models import (
    AnalyticsDaily,
    AnalyticsRolled,
    AnalyticsRolledDay,
    AnalyticsTurn,
    Conversation,
    Message,
)

CHUNK = 500
_ACTIVITY = (Message, AnalyticsTurn, Handoff, ContactRequest)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(ids)
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _naive(conn: Connection, moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if conn.dialect.name == "sqlite" else moment


def active_since(conn: Connection, low: datetime, high: datetime | None = None) -> set[int]:
    """Conversations with a citizen message, turn, handoff or contact in ``[low, high)``."""
    found: set[int] = set()
    for model in _ACTIVITY:
        # no DISTINCT: SQLite would scan the conversation_id index instead of the time range
        query = select(model.conversation_id).where(model.created_at >= _naive(conn, low))
        if high is not None:
            query = query.where(model.created_at < _naive(conn, high))
        if model is Message:
            query = query.where(Message.direction == "in")
        found.update(conn.execute(query).scalars())
    return found


def _logs(conn: Connection, ids: list[int]) -> dict[int, ConversationLog]:
    """The whole analytics log of the conversations ``ids``."""
    logs = {
        int(cid): ConversationLog(ente)
        for cid, ente in conn.execute(
            select(Conversation.id, Conversation.ente_gestore_id).where(Conversation.id.in_(ids))
        )
    }
    hour = _hour(conn, Message.created_at)
    messages = (
        select(Message.conversation_id, Message.channel, hour, func.count())
        .where(Message.direction == "in", Message.conversation_id.in_(ids))
        .group_by(Message.conversation_id, Message.channel, hour)
    )
    for cid, channel, h, n in conn.execute(messages):
        log = logs[int(cid)]
        log.saw(h)
        log.channels.add(channel)
        log.messages += int(n)
    t = AnalyticsTurn
    turns = select(
        t.conversation_id, _hour(conn, t.created_at), t.comune, t.ente_gestore_id, t.category,
        t.fallback, t.misunderstood_intent, t.service_ids, t.services_total, t.risk_kind,
    ).where(t.conversation_id.in_(ids))  # fmt: skip
    for c, h, comune, ente, cat, fb, missed, sids, total, risk in conn.execute(turns):
        logs[int(c)].saw(h)
        logs[int(c)].turns.append(
            TurnRow(c, h, comune, ente, cat, bool(fb), missed, list(sids or []), total, risk)
        )
    hand = select(
        Handoff.conversation_id, _hour(conn, Handoff.created_at), Handoff.reason, Handoff.status,
        Handoff.ente_gestore_id, Handoff.queued_at, Handoff.claimed_at,
    ).where(Handoff.conversation_id.in_(ids))  # fmt: skip
    for c, h, *facts in conn.execute(hand):
        logs[int(c)].saw(h)
        logs[int(c)].handoffs.append(HandoffFact(*facts))
    cr = ContactRequest
    contacts = select(cr.conversation_id, _hour(conn, cr.created_at), cr.ente_gestore_id)
    for c, h, ente in conn.execute(contacts.where(cr.conversation_id.in_(ids))):
        logs[int(c)].saw(h)
        logs[int(c)].contacts.append(ente)
    return logs


def _runs(days: set[date]) -> Iterator[tuple[date, date]]:
    """Consecutive days as ``(first, last)`` runs."""
    ordered = sorted(days)
    while ordered:
        first = last = ordered.pop(0)
        while ordered and ordered[0] == last + timedelta(days=1):
            last = ordered.pop(0)
        yield first, last


def roll_days(conn: Connection, days: Iterable[date]) -> int:
    """Rebuild the counters of ``days`` from the log; return the conversations read."""
    pending, done, read = set(days), set(), 0
    while pending:
        batch, pending = pending, set()
        active: set[int] = set()
        for first, last in _runs(batch):
            active |= active_since(conn, *Scope(first, last).bounds())
        counters: Counter[tuple[Any, ...]] = Counter()
        members: list[dict[str, Any]] = []
        per_day: Counter[date] = Counter()
        for ids in _chunks(active):
            known = select(AnalyticsRolled.conversation_id, AnalyticsRolled.day).where(
                AnalyticsRolled.conversation_id.in_(ids)
            )
            old: dict[int, date | None] = {int(c): d for c, d in conn.execute(known)}
            for cid, log in _logs(conn, ids).items():
                place = log.place()
                before = old.get(cid)
                if before is not None and (place is None or place[0] != before):
                    pending.add(before)  # counted there before: that day must drop it
                members.append({"conversation_id": cid, "day": place[0] if place else None})
                if place is not None:
                    per_day[place[0]] += 1
                    for (figure, key), n in figures(log).items():
                        counters[place + (figure, key)] += n
            conn.execute(delete(AnalyticsRolled).where(AnalyticsRolled.conversation_id.in_(ids)))
        for first, last in _runs(batch):
            for model in (AnalyticsDaily, AnalyticsRolledDay):
                conn.execute(delete(model).where(model.day >= first, model.day <= last))
            conn.execute(
                delete(AnalyticsRolled).where(
                    AnalyticsRolled.day >= first, AnalyticsRolled.day <= last
                )
            )
        rows = [
            {"day": d, "ente_gestore_id": e, "comune": c, "channel": ch, "figure": f, "key": k,
             "n": n}
            for (d, e, c, ch, f, k), n in counters.items()
        ]  # fmt: skip
        for table, values in (
            (AnalyticsRolled, members),
            (AnalyticsDaily, rows),
            (AnalyticsRolledDay, [{"day": d, "conversations": per_day[d]} for d in batch]),
        ):
            if values:
                conn.execute(insert(table), values)
        read += len(active)
        done |= batch
        pending -= done
    return read


class RolledSource:
    """The report's rows from the roll-ups plus the log (synchronous).

    Args:
        engine: engine of the app database.
        today: the current Europe/Rome day (tests fix it); days before it get rolled up.
    """

    def __init__(self, engine: Engine, today: Callable[[], date] | None = None) -> None:
        self.engine = engine
        self.raw = AnalyticsSource(engine)
        self.today = today or (lambda: datetime.now(ROME).date())

    def rebuild(self, since: date | None = None) -> tuple[int, int]:
        """Roll up every day from ``since`` (default: the first logged) to yesterday.

        Returns:
            ``(days, conversations read)``.
        """
        with self.engine.begin() as conn:
            return rebuild(conn, since, self.today())

    def refresh(self, scope: Scope) -> int:
        """Roll what the period needs (see the module docstring); return the days rolled."""
        today = self.today()
        last = min(scope.end, today - timedelta(days=1))
        for _attempt in range(2):
            try:
                with self.engine.begin() as conn:
                    todo = _stale_days(conn, scope.start, last, today)
                    if todo:
                        roll_days(conn, todo)
                    return len(todo)
            except IntegrityError:  # rolled at the same time by another request: check again
                continue
        return 0

    def rows(self, scope: Scope) -> Rows:
        """Counters of the rolled days and raw rows of the rest, for ``scope``."""
        self.refresh(scope)
        today = self.today()
        low, high = scope.bounds()
        cut = max(low, min(high, Scope(today, today).bounds()[0]))
        last = min(scope.end, today - timedelta(days=1))
        rolled: list[RolledRow] = []
        if scope.start <= last:
            d = AnalyticsDaily
            query = select(d.day, d.ente_gestore_id, d.comune, d.channel, d.figure, d.key, d.n)
            query = query.where(d.day >= scope.start, d.day <= last)
            if scope.enti is not None:
                query = query.where(d.ente_gestore_id.in_(list(scope.enti)))
            with self.engine.connect() as conn:
                rolled = [RolledRow(*r) for r in conn.execute(query)]
                irregular = [
                    int(r[0])
                    for r in conn.execute(
                        select(AnalyticsRolled.conversation_id).where(AnalyticsRolled.day.is_(None))
                    )
                ]
            past = self.raw.read(scope.enti, low, cut, irregular)
        else:
            past = Rows([], [], [], set())
        recent = self.raw.read(scope.enti, cut, high) if cut < high else Rows([], [], [], set())
        return Rows(
            past.messages + recent.messages,
            past.turns + recent.turns,
            past.handoffs + recent.handoffs,
            past.contacts_left | recent.contacts_left,
            rolled,
        )


def _stale_days(conn: Connection, first: date, last: date, today: date) -> set[date]:
    """Days to (re)build: missing, with erased conversations, or counting a chat active today."""
    todo: set[date] = set()
    if first <= last:
        days = select(AnalyticsRolledDay.day, AnalyticsRolledDay.conversations).where(
            AnalyticsRolledDay.day >= first, AnalyticsRolledDay.day <= last
        )
        built: dict[date, int] = {d: int(n) for d, n in conn.execute(days)}
        counted = (
            select(AnalyticsRolled.day, func.count())
            .where(AnalyticsRolled.day >= first, AnalyticsRolled.day <= last)
            .group_by(AnalyticsRolled.day)
        )
        held: dict[date | None, int] = {d: int(n) for d, n in conn.execute(counted)}
        day = first
        while day <= last:
            if built.get(day) != held.get(day, 0):
                todo.add(day)
            day += timedelta(days=1)
    since = _naive(conn, Scope(today, today).bounds()[0])
    for model in _ACTIVITY:  # conversations counted on a day and active again today
        recent = select(model.conversation_id).where(model.created_at >= since)
        if model is Message:
            recent = recent.where(Message.direction == "in")
        query = (
            select(AnalyticsRolled.day)
            .distinct()
            .where(AnalyticsRolled.day.is_not(None), AnalyticsRolled.conversation_id.in_(recent))
        )
        todo.update(d for d in conn.execute(query).scalars() if d is not None and d < today)
    return todo


def rebuild(conn: Connection, since: date | None, today: date) -> tuple[int, int]:
    """Roll up the days from ``since`` (default: the first citizen message) to yesterday."""
    if since is None:
        first = conn.execute(select(func.min(Message.created_at))).scalar()
        if first is None:
            return 0, 0
        if first.tzinfo is None:
            first = first.replace(tzinfo=timezone.utc)
        since = first.astimezone(ROME).date()
    days = set()
    day = since
    while day < today:
        days.add(day)
        day += timedelta(days=1)
    return len(days), roll_days(conn, days) if days else 0
