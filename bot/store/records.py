"""Plain, immutable records returned by the store (no ORM objects leave ``bot.store``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from bot.store.models import Conversation, Message


@dataclass(frozen=True)
class ConversationRecord:
    """A conversation as seen by the gateway and the channels."""

    id: int
    channel: str
    sender_id: str
    mode: str
    ente_gestore_id: str | None
    comune: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_model(cls, row: Conversation) -> ConversationRecord:
        """Copy an ORM row into a record."""
        return cls(
            id=row.id,
            channel=row.channel,
            sender_id=row.sender_id,
            mode=row.mode,
            ente_gestore_id=row.ente_gestore_id,
            comune=row.comune,
            meta=dict(row.meta or {}),
            created_at=_aware(row.created_at),
            updated_at=_aware(row.updated_at),
        )


def _aware(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (SQLite gives back naive ones)."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


@dataclass(frozen=True)
class MessageRecord:
    """One logged message."""

    id: int
    conversation_id: int
    direction: str
    sender_kind: str
    sender_name: str | None
    event: str
    text: str
    payload: dict[str, Any]
    channel: str
    mode: str
    status: str
    created_at: datetime

    @classmethod
    def from_model(cls, row: Message) -> MessageRecord:
        """Copy an ORM row into a record."""
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            direction=row.direction,
            sender_kind=row.sender_kind,
            sender_name=row.sender_name,
            event=row.event,
            text=row.text,
            payload=dict(row.payload or {}),
            channel=row.channel,
            mode=row.mode,
            status=row.status,
            created_at=_aware(row.created_at),
        )
