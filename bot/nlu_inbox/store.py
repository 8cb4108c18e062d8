"""Async facade of the inbox for the console (each call runs in a worker thread)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.nlu_inbox.repo import InboxFilter, InboxItem
from bot.nlu_inbox.service import AddResult, Inbox
from bot.store.facade import ThreadFacade


class InboxStore(ThreadFacade):
    """The console's view of :class:`bot.nlu_inbox.service.Inbox`.

    Args:
        inbox: the synchronous inbox.
    """

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    def intents(self) -> list[str]:
        """Intents an annotation may choose (cheap: the domain files)."""
        return self._inbox.training.intents()

    def target_groups(self) -> list[str]:
        """The values an annotated ``target_group`` entity may map to (the domain's slot)."""
        return self._inbox.training.slot_values("target_group")

    async def collect(self) -> int:
        """Read the new tracker events (see :meth:`Inbox.collect`)."""
        return await self._call(self._inbox.collect)

    async def items(self, flt: InboxFilter) -> list[InboxItem]:
        """Items of a filter."""
        return await self._call(self._inbox.items, flt)

    async def counts(self) -> dict[str, int]:
        """Items per status."""
        return await self._call(self._inbox.repo.counts)

    async def get(self, item_id: int) -> InboxItem | None:
        """One item."""
        return await self._call(self._inbox.repo.get, item_id)

    async def annotate(
        self, ids: Sequence[int], intent: str, entities: list[dict[str, Any]], actor: str
    ) -> list[int]:
        """Annotate items."""
        return await self._call(self._inbox.repo.annotate, ids, intent, entities, actor)

    async def set_status(self, ids: Sequence[int], status: str, actor: str) -> list[int]:
        """Ignore items or put them back to new."""
        return await self._call(self._inbox.repo.set_status, ids, status, actor)

    async def add_to_training(self, ids: Sequence[int], actor: str) -> AddResult:
        """Write annotated items to the training data."""
        return await self._call(self._inbox.add_to_training, ids, actor)

    async def reveal(self, item_id: int, actor: str) -> str | None:
        """The original text (audited)."""
        return await self._call(self._inbox.reveal, item_id, actor)

    async def flag(self, conversation_id: int, message_id: int) -> InboxItem | None:
        """An operator's flag on a logged citizen message."""
        return await self._call(self._inbox.repo.flag_message, conversation_id, message_id)
