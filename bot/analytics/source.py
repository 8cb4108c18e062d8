"""The rows the needs analytics aggregates, read from the app database (no text columns).

:class:`AnalyticsSource` selects, for a period and the enti an account may see, only what the
report counts. Citizen messages are grouped in SQL by conversation, channel and UTC hour (a
conversation lasts minutes, so this is about one row per conversation, whatever the number
of messages); turns, handoffs and contacts left are read as plain columns. Message text is
never selected. Times are compared in UTC and put in Europe/Rome periods in Python (one
conversion per distinct hour).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Select, func, select

from bot.handoff.models import ContactRequest, Handoff
from bot.store.models import AnalyticsTurn, Conversation, Message

ROME = ZoneInfo("Europe/Rome")
GRANULARITIES = ("day", "week", "month")


@lru_cache(maxsize=20_000)
def _local_day(hour: str) -> date:
    """The Europe/Rome day of a UTC hour ``YYYY-MM-DD HH``."""
    moment = datetime.strptime(hour[:13], "%Y-%m-%d %H").replace(tzinfo=timezone.utc)
    return moment.astimezone(ROME).date()


@dataclass(frozen=True)
class Scope:
    """What one report covers.

    Attributes:
        start: first day (Europe/Rome), included.
        end: last day, included.
        granularity: ``day``, ``week`` (ISO, from Monday) or ``month``.
        enti: ente gestore ids whose conversations count; None = every conversation.
    """

    start: date
    end: date
    granularity: str = "week"
    enti: tuple[str, ...] | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        """The period in UTC: ``[start 00:00, end+1 00:00)`` of Europe/Rome."""
        low = datetime.combine(self.start, time(0), ROME).astimezone(timezone.utc)
        high = datetime.combine(self.end + timedelta(days=1), time(0), ROME)
        return low, high.astimezone(timezone.utc)

    def bucket(self, hour: str) -> str:
        """The period of a UTC hour: ``2026-11-24``, ``2026-W48`` or ``2026-11``."""
        return self.period(_local_day(hour))

    def period(self, day: date) -> str:
        """The period of a Europe/Rome day (see :meth:`bucket`)."""
        if self.granularity == "day":
            return day.isoformat()
        if self.granularity == "month":
            return f"{day.year}-{day.month:02d}"
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"


@dataclass(frozen=True)
class MessageRow:
    """Citizen messages of one conversation on one channel in one UTC hour."""

    conversation_id: int
    channel: str
    hour: str
    count: int


@dataclass(frozen=True)
class TurnRow:
    """The analytics columns of one turn (``bot.store.models.AnalyticsTurn``)."""

    conversation_id: int
    hour: str
    comune: str | None
    ente_gestore_id: str | None
    category: str | None
    fallback: bool
    misunderstood_intent: str | None
    service_ids: list[str]
    services_total: int | None
    risk_kind: str | None


@dataclass(frozen=True)
class HandoffRow:
    """A handoff: reason, final or current status, queue and claim times."""

    conversation_id: int
    reason: str
    status: str
    queued_at: datetime | None
    claimed_at: datetime | None


@dataclass(frozen=True)
class RolledRow:
    """A roll-up counter (``bot.store.models.AnalyticsDaily``; '' for no ente / comune)."""

    day: date
    ente_gestore_id: str
    comune: str
    channel: str
    figure: str
    key: str
    n: int


@dataclass(frozen=True)
class Rows:
    """Everything one report counts.

    The raw rows, and the counters of the rolled-up conversations (``bot.analytics.rollup``;
    never the same conversations as the raw rows).
    """

    messages: list[MessageRow]
    turns: list[TurnRow]
    handoffs: list[HandoffRow]
    contacts_left: set[int]
    rolled: list[RolledRow] = field(default_factory=list)


def _scoped(query: Select[Any], column: Any, enti: Sequence[str] | None) -> Select[Any]:
    return query if enti is None else query.where(column.in_(list(enti)))


def _hour(engine: Engine | Connection, column: Any) -> Any:
    """SQL text ``YYYY-MM-DD HH`` of a UTC timestamp column."""
    if engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", column)


class AnalyticsSource:
    """Reads the report's rows (synchronous; the console calls it through a facade).

    Args:
        engine: engine of the app database.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rows(self, scope: Scope) -> Rows:
        """The rows of ``scope`` (period and enti), all read from the log."""
        return self.read(scope.enti, *scope.bounds())

    def read(
        self,
        enti: Sequence[str] | None,
        low: datetime,
        high: datetime,
        conversations: Sequence[int] | None = None,
    ) -> Rows:
        """The rows of ``[low, high)`` for ``enti``, of the ``conversations`` only if given."""
        if self.engine.dialect.name == "sqlite":  # stored naive, in UTC
            low, high = low.replace(tzinfo=None), high.replace(tzinfo=None)
        hour = _hour(self.engine, Message.created_at).label("hour")
        msg = _scoped(
            select(Message.conversation_id, Message.channel, hour, func.count())
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.direction == "in", Message.created_at >= low, Message.created_at < high)
            .group_by(Message.conversation_id, Message.channel, hour),
            Conversation.ente_gestore_id,
            enti,
        )
        t = AnalyticsTurn
        turns = _scoped(
            select(
                t.conversation_id, _hour(self.engine, t.created_at), t.comune, t.ente_gestore_id,
                t.category, t.fallback, t.misunderstood_intent, t.service_ids, t.services_total,
                t.risk_kind,
            ).where(t.created_at >= low, t.created_at < high),
            t.ente_gestore_id,
            enti,
        )  # fmt: skip
        hand = _scoped(
            select(
                Handoff.conversation_id, Handoff.reason, Handoff.status, Handoff.queued_at,
                Handoff.claimed_at,
            ).where(Handoff.created_at >= low, Handoff.created_at < high),
            Handoff.ente_gestore_id,
            enti,
        )  # fmt: skip
        left = _scoped(
            select(ContactRequest.conversation_id).where(
                ContactRequest.created_at >= low, ContactRequest.created_at < high
            ),
            ContactRequest.ente_gestore_id,
            enti,
        )
        rows = Rows([], [], [], set())
        if conversations is None:
            self._read(rows, msg, turns, hand, left)
            return rows
        ids = sorted(conversations)
        for i in range(0, len(ids), 500):  # the conversations' own rows (index on the id)
            chunk = ids[i : i + 500]
            self._read(
                rows,
                msg.where(Message.conversation_id.in_(chunk)),
                turns.where(t.conversation_id.in_(chunk)),
                hand.where(Handoff.conversation_id.in_(chunk)),
                left.where(ContactRequest.conversation_id.in_(chunk)),
            )
        return rows

    def _read(self, rows: Rows, *queries: Select[Any]) -> None:
        msg, turns, hand, left = queries
        with self.engine.connect() as conn:
            rows.messages.extend(
                MessageRow(int(c), ch, h, int(n)) for c, ch, h, n in conn.execute(msg)
            )
            rows.turns.extend(
                TurnRow(c, h, comune, ente, cat, bool(fb), missed, list(ids or []), total, risk)
                for c, h, comune, ente, cat, fb, missed, ids, total, risk in conn.execute(turns)
            )
            rows.handoffs.extend(HandoffRow(*r) for r in conn.execute(hand))
            rows.contacts_left.update(int(r[0]) for r in conn.execute(left))
