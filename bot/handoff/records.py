"""Plain, immutable records of the handoff tables (no ORM object leaves ``bot.handoff``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_

from bot.handoff.models import ACTIVE_STATUSES, NORMAL, URGENT, ContactRequest, Handoff
from bot.store.records import ConversationRecord, _aware

NO_ENTE = ""
"""Marker for "conversations without an ente gestore" in visibility filters (triage)."""


def _opt(value: datetime | None) -> datetime | None:
    return _aware(value) if value is not None else None


@dataclass(frozen=True)
class HandoffRecord:
    """A handoff as seen by the service and the console."""

    id: int
    conversation_id: int
    ente_gestore_id: str | None
    status: str
    reason: str
    need: str | None
    operator_id: int | None
    meta: dict[str, Any]
    created_at: datetime
    queued_at: datetime | None
    claimed_at: datetime | None
    ended_at: datetime | None
    priority: int = NORMAL

    @classmethod
    def from_model(cls, row: Handoff) -> HandoffRecord:
        """Copy an ORM row into a record."""
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            ente_gestore_id=row.ente_gestore_id,
            status=row.status,
            reason=row.reason,
            need=row.need,
            operator_id=row.operator_id,
            meta=dict(row.meta or {}),
            created_at=_aware(row.created_at),
            queued_at=_opt(row.queued_at),
            claimed_at=_opt(row.claimed_at),
            ended_at=_opt(row.ended_at),
            priority=int(row.priority or 0),
        )

    @property
    def urgent(self) -> bool:
        """True for a person at risk (violence, self-harm)."""
        return self.priority >= URGENT

    @property
    def active(self) -> bool:
        """True while the handoff keeps the conversation away from the bot."""
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True)
class NoteRecord:
    """An internal note."""

    id: int
    conversation_id: int
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class ContactRecord:
    """A contact left out of hours."""

    id: int
    conversation_id: int
    ente_gestore_id: str | None
    contact: str
    created_at: datetime
    handled_at: datetime | None
    handled_by: str | None

    @classmethod
    def from_model(cls, row: ContactRequest) -> ContactRecord:
        """Copy an ORM row into a record."""
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            ente_gestore_id=row.ente_gestore_id,
            contact=row.contact,
            created_at=_aware(row.created_at),
            handled_at=_opt(row.handled_at),
            handled_by=row.handled_by,
        )


@dataclass(frozen=True)
class QueueItem:
    """A handoff with its conversation (console lists)."""

    handoff: HandoffRecord
    conversation: ConversationRecord
    extra: dict[str, Any] = field(default_factory=dict)


def ente_filter(column: Any, enti: Sequence[str] | None) -> Any:
    """SQL condition "column is one of ``enti``" (None = no filter; ``NO_ENTE`` = NULL)."""
    if enti is None:
        return True
    named = [e for e in enti if e != NO_ENTE]
    conds = [column.in_(named)] if named else []
    if NO_ENTE in enti:
        conds.append(column.is_(None))
    return or_(*conds) if conds else False
