"""The rows the needs analytics aggregates, read from the app database (no text columns).

:class:`AnalyticsSource` selects, for a period and the enti an account may see, only the
columns the report counts: citizen messages (conversation, channel, time), analytics turns,
handoffs (reason, times) and contacts left out of hours. Message text is never selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from bot.handoff.models import ContactRequest, Handoff
from bot.store.models import AnalyticsTurn, Conversation, Message

ROME = ZoneInfo("Europe/Rome")
GRANULARITIES = ("day", "week", "month")


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
        """The period as aware datetimes ``[start 00:00, end+1 00:00)`` in Europe/Rome."""
        low = datetime.combine(self.start, time(0), ROME)
        high = datetime.combine(self.end + timedelta(days=1), time(0), ROME)
        return low, high

    def bucket(self, moment: datetime) -> str:
        """The period label of ``moment``: ``2026-11-24``, ``2026-W48`` or ``2026-11``."""
        local = (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))).astimezone(
            ROME
        )
        day = local.date()
        if self.granularity == "day":
            return day.isoformat()
        if self.granularity == "month":
            return f"{day.year}-{day.month:02d}"
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"


@dataclass(frozen=True)
class MessageRow:
    """A citizen message: its conversation, channel and time."""

    conversation_id: int
    channel: str
    created_at: datetime


@dataclass(frozen=True)
class HandoffRow:
    """A handoff: reason, final or current status, queue and claim times."""

    conversation_id: int
    reason: str
    status: str
    queued_at: datetime | None
    claimed_at: datetime | None


@dataclass(frozen=True)
class Rows:
    """Everything one report counts."""

    messages: list[MessageRow]
    turns: list[AnalyticsTurn]
    handoffs: list[HandoffRow]
    contacts_left: set[int]


def _scoped(query: Select[Any], column: Any, enti: Sequence[str] | None) -> Select[Any]:
    return query if enti is None else query.where(column.in_(list(enti)))


class AnalyticsSource:
    """Reads the report's rows (synchronous; the console calls it through a facade).

    Args:
        engine: engine of the app database.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rows(self, scope: Scope) -> Rows:
        """The rows of ``scope`` (period and enti)."""
        low, high = scope.bounds()
        msg = (
            select(Message.conversation_id, Message.channel, Message.created_at)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.direction == "in", Message.created_at >= low, Message.created_at < high)
        )
        turns = select(AnalyticsTurn).where(
            AnalyticsTurn.created_at >= low, AnalyticsTurn.created_at < high
        )
        hand = select(
            Handoff.conversation_id,
            Handoff.reason,
            Handoff.status,
            Handoff.queued_at,
            Handoff.claimed_at,
        ).where(Handoff.created_at >= low, Handoff.created_at < high)
        left = select(ContactRequest.conversation_id).where(
            ContactRequest.created_at >= low, ContactRequest.created_at < high
        )
        enti = scope.enti
        msg = _scoped(msg, Conversation.ente_gestore_id, enti)
        turns = _scoped(turns, AnalyticsTurn.ente_gestore_id, enti)
        hand = _scoped(hand, Handoff.ente_gestore_id, enti)
        left = _scoped(left, ContactRequest.ente_gestore_id, enti)
        with self.engine.connect() as conn:
            messages = [MessageRow(*r) for r in conn.execute(msg)]
            handoffs = [HandoffRow(*r) for r in conn.execute(hand)]
            contacts = {int(r[0]) for r in conn.execute(left)}
        with Session(self.engine) as session:
            turn_rows = list(session.scalars(turns))
            session.expunge_all()
        return Rows(messages, turn_rows, handoffs, contacts)
