"""Async facades of the handoff repositories (the thread hop of ``bot.store.facade``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.handoff.desk_repo import DeskRepository
from bot.handoff.models import NORMAL
from bot.handoff.records import ContactRecord, HandoffRecord, NoteRecord, QueueItem
from bot.handoff.repo import HandoffRepository
from bot.store.facade import ThreadFacade
from bot.store.records import ConversationRecord


class HandoffStore(ThreadFacade):
    """Async handoffs (see :class:`bot.handoff.repo.HandoffRepository` for each method).

    Args:
        repo: the synchronous repository.
    """

    def __init__(self, repo: HandoffRepository) -> None:
        self._repo = repo

    async def begin(
        self,
        conversation_id: int,
        *,
        status: str,
        now: datetime,
        ente_gestore_id: str | None,
        reason: str,
        need: str | None = None,
        operator_id: int | None = None,
        priority: int = NORMAL,
    ) -> HandoffRecord | None:
        """Switch the conversation to human mode and open a handoff (None: not in bot mode)."""
        return await self._call(
            self._repo.begin,
            conversation_id,
            status=status,
            now=now,
            ente_gestore_id=ente_gestore_id,
            reason=reason,
            need=need,
            operator_id=operator_id,
            priority=priority,
        )

    async def get(self, handoff_id: int) -> HandoffRecord | None:
        """Return a handoff by id."""
        return await self._call(self._repo.get, handoff_id)

    async def active_for(self, conversation_id: int) -> HandoffRecord | None:
        """Return the active handoff of a conversation, if any."""
        return await self._call(self._repo.active_for, conversation_id)

    async def latest_for(self, conversation_id: int) -> HandoffRecord | None:
        """Return the latest handoff of a conversation, active or not."""
        return await self._call(self._repo.latest_for, conversation_id)

    async def transition(
        self,
        handoff_id: int,
        expected: Iterable[str],
        *,
        conditions: Sequence[Any] = (),
        **values: Any,
    ) -> HandoffRecord | None:
        """Update a handoff only if its status is in ``expected`` (None: lost a race)."""
        return await self._call(
            self._repo.transition, handoff_id, tuple(expected), conditions=conditions, **values
        )

    async def claim(
        self, handoff_id: int, operator_id: int, enti: Sequence[str] | None, now: datetime
    ) -> HandoffRecord | None:
        """Give a queued handoff to an operator: exactly one of concurrent claims wins."""
        return await self._call(self._repo.claim, handoff_id, operator_id, enti, now)

    async def escalate(self, handoff_id: int, risk: str) -> HandoffRecord | None:
        """Make an active handoff urgent; None when not active."""
        return await self._call(self._repo.escalate, handoff_id, risk)

    async def set_meta(self, handoff_id: int, **values: Any) -> None:
        """Merge ``values`` into the handoff's ``meta``."""
        await self._call(self._repo.set_meta, handoff_id, **values)

    async def queue_position(self, handoff: HandoffRecord) -> int:
        """1-based position of a queued handoff in its queue (0 if not queued)."""
        return await self._call(self._repo.queue_position, handoff)

    async def list_active(
        self, enti: Sequence[str] | None, statuses: Sequence[str] = ("queued", "assigned")
    ) -> list[QueueItem]:
        """Return active handoffs (urgent first, then oldest) with their conversations."""
        return await self._call(self._repo.list_active, enti, statuses)

    async def recent_bot_conversations(
        self, enti: Sequence[str] | None, limit: int = 30
    ) -> list[ConversationRecord]:
        """Return the latest bot-mode conversations (candidates for a takeover)."""
        return await self._call(self._repo.recent_bot_conversations, enti, limit)

    async def set_conversation_ente(
        self, conversation_id: int, ente_gestore_id: str | None, comune: str | None = None
    ) -> None:
        """Record the ente gestore (and comune) of a conversation."""
        await self._call(self._repo.set_conversation_ente, conversation_id, ente_gestore_id, comune)


class DeskStore(ThreadFacade):
    """Async notes and contacts (see :class:`bot.handoff.desk_repo.DeskRepository`).

    Args:
        repo: the synchronous repository.
    """

    def __init__(self, repo: DeskRepository) -> None:
        self._repo = repo

    async def add_note(
        self, conversation_id: int, operator_id: int | None, author: str, text: str, now: datetime
    ) -> NoteRecord:
        """Store an internal note."""
        return await self._call(
            self._repo.add_note, conversation_id, operator_id, author, text, now
        )

    async def notes(self, conversation_id: int) -> list[NoteRecord]:
        """Return the notes of a conversation, oldest first."""
        return await self._call(self._repo.notes, conversation_id)

    async def add_contact(
        self, conversation_id: int, ente_gestore_id: str | None, contact: str, now: datetime
    ) -> ContactRecord:
        """Store a contact left by a citizen out of hours."""
        return await self._call(
            self._repo.add_contact, conversation_id, ente_gestore_id, contact, now
        )

    async def contacts(self, enti: Sequence[str] | None) -> list[ContactRecord]:
        """Return the pending contact requests of the given enti, oldest first."""
        return await self._call(self._repo.contacts, enti)

    async def get_contact(self, contact_id: int) -> ContactRecord | None:
        """Return one contact request."""
        return await self._call(self._repo.get_contact, contact_id)

    async def mark_contact_handled(self, contact_id: int, by: str, now: datetime) -> bool:
        """Mark a contact request as handled (once)."""
        return await self._call(self._repo.mark_contact_handled, contact_id, by, now)
