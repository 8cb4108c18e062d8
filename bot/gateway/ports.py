"""What the router needs from the handoff and the analytics (the rooms implement these).

The gateway imports neither: the composition root (``bot.app``) gives the router objects with
these methods (``bot.handoff.citizen.CitizenHandoff``, ``bot.analytics.recorder.TurnRecorder``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.gateway.replies import Reply
from bot.store.records import ConversationRecord, MessageRecord


class HandoffPort(Protocol):
    """The handoff's side of a citizen's conversation."""

    async def after_bot_replies(
        self, conv: ConversationRecord, replies: Sequence[Reply]
    ) -> list[Reply]:
        """Return extra (already logged) replies after Rasa answered, e.g. a queue notice."""
        ...

    async def on_citizen_message(
        self, conv: ConversationRecord, inbound: MessageRecord
    ) -> list[Reply] | None:
        """Handle a message of a conversation not in bot mode; None = forward it to Rasa."""
        ...

    async def on_conversation_deleted(
        self, conversation_id: int, handoffs: Sequence[tuple[int, str | None]]
    ) -> None:
        """Tell the consoles that a conversation (and its open handoffs) was erased."""
        ...

    async def on_risk(self, conv: ConversationRecord, kind: str) -> bool:
        """A risk message during a handoff: make it urgent; False when Rasa will answer."""
        ...


class TurnPort(Protocol):
    """The needs analytics' record of each message Rasa answered (no text is passed on)."""

    async def record(self, conv: ConversationRecord, replies: Sequence[Reply]) -> None:
        """Record what Rasa understood and showed; never raises."""
        ...
