"""Plain records of the NLU inbox (what the console and the CLI see; no ORM)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class InboxItem:
    """One inbox item (masked text) as the console and the CLI see it."""

    id: int
    text: str
    group_key: str
    predicted_intent: str | None
    confidence: float | None
    ranking: list[dict[str, Any]]
    reasons: list[str]
    channel: str
    comune: str | None
    received_at: datetime
    status: str
    intent: str | None
    entities: list[dict[str, Any]]
    annotated_by: str | None
    training_file: str | None
    event_id: int | None

    def view(self) -> dict[str, Any]:
        """JSON form (API, CLI ``--json``)."""
        return {
            "id": self.id,
            "text": self.text,
            "predicted_intent": self.predicted_intent,
            "confidence": self.confidence,
            "ranking": self.ranking,
            "reasons": self.reasons,
            "channel": self.channel,
            "comune": self.comune,
            "received_at": self.received_at.isoformat(),
            "status": self.status,
            "intent": self.intent,
            "entities": self.entities,
            "annotated_by": self.annotated_by,
            "training_file": self.training_file,
        }


@dataclass(frozen=True)
class InboxFilter:
    """What the list shows (every field optional)."""

    status: str | None = "new"
    intent: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 500


@dataclass
class InboxGroup:
    """Near-duplicates (same :func:`group_key`): the newest item first."""

    key: str
    items: list[InboxItem] = field(default_factory=list)


def group(items: Sequence[InboxItem]) -> list[InboxGroup]:
    """Near-duplicates together, groups in the order of their newest item."""
    groups: dict[str, InboxGroup] = {}
    for item in items:
        groups.setdefault(item.group_key, InboxGroup(item.group_key)).items.append(item)
    return list(groups.values())
