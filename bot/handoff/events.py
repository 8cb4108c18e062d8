"""Events, errors and small values shared by the citizen and the operator side of the handoff."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.handoff.records import HandoffRecord
from bot.store.records import MessageRecord


@dataclass(frozen=True)
class Actor:
    """Who performs an operator action (from the console session)."""

    id: int
    name: str


@dataclass(frozen=True)
class HandoffEvent:
    """A change the consoles must show (``kind``: ``queue``, ``note``, ``contact``)."""

    kind: str
    handoff: HandoffRecord | None = None
    conversation_id: int | None = None
    ente_gestore_id: str | None = None
    data: dict[str, Any] | None = None


class HandoffConflict(Exception):
    """The handoff is not in a state that allows the action (someone else acted first)."""


def need_from_history(history: Sequence[MessageRecord]) -> str | None:
    """Return the category of the latest search the bot answered (the citizen's need)."""
    for message in reversed(history):
        custom = message.payload.get("custom") if message.direction == "out" else None
        if isinstance(custom, dict) and custom.get("type") == "services":
            category = custom.get("category")
            return str(category) if category else None
        if isinstance(custom, dict) and custom.get("type") == "emergency":
            return "violence"
    return None
