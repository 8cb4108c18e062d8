"""Async facades of the app database repositories: the one place where calls hop threads.

The repositories (:class:`bot.store.repo.ConversationRepository`, the handoff and account
repositories) are synchronous SQLAlchemy code. Async code (router, handoff, console, channels)
uses one facade per repository, whose methods run the repository's in a worker thread through
:meth:`ThreadFacade._call`, so the event loop never waits on the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from bot.store.records import ConversationRecord, MessageRecord
from bot.store.repo import ConversationRepository

P = ParamSpec("P")
T = TypeVar("T")


class ThreadFacade:
    """Base of the async facades: each call runs a synchronous function in a worker thread."""

    @staticmethod
    async def _call(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.to_thread(function, *args, **kwargs)


class ConversationStore(ThreadFacade):
    """Async conversations, message log and Telegram callback ids.

    Args:
        repo: the synchronous repository.
    """

    def __init__(self, repo: ConversationRepository) -> None:
        self._repo = repo

    async def ping(self) -> bool:
        """Tell whether the database answers (see :meth:`ConversationRepository.ping`)."""
        return await self._call(self._repo.ping)

    async def get_or_create_conversation(
        self,
        channel: str,
        sender_id: str,
        *,
        ente_gestore_id: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> ConversationRecord:
        """Return the conversation of ``sender_id``, creating it on first contact."""
        return await self._call(
            self._repo.get_or_create_conversation,
            channel,
            sender_id,
            ente_gestore_id=ente_gestore_id,
            meta=meta,
        )

    async def get_conversation(self, conversation_id: int) -> ConversationRecord | None:
        """Return a conversation by id, or None."""
        return await self._call(self._repo.get_conversation, conversation_id)

    async def find_conversation(self, sender_id: str) -> ConversationRecord | None:
        """Return the conversation of ``sender_id``, or None."""
        return await self._call(self._repo.find_conversation, sender_id)

    async def update_conversation(
        self,
        conversation_id: int,
        *,
        mode: str | None = None,
        comune: str | None = None,
        ente_gestore_id: str | None = None,
    ) -> ConversationRecord | None:
        """Set the given fields of a conversation (None = unchanged); return it updated."""
        return await self._call(
            self._repo.update_conversation,
            conversation_id,
            mode=mode,
            comune=comune,
            ente_gestore_id=ente_gestore_id,
        )

    async def log_message(
        self,
        conversation: ConversationRecord,
        *,
        direction: str,
        sender_kind: str,
        text: str,
        status: str,
        event: str = "text",
        payload: dict[str, Any] | None = None,
        sender_name: str | None = None,
    ) -> MessageRecord:
        """Append one message to the log (see :meth:`ConversationRepository.log_message`)."""
        return await self._call(
            self._repo.log_message,
            conversation,
            direction=direction,
            sender_kind=sender_kind,
            text=text,
            status=status,
            event=event,
            payload=payload,
            sender_name=sender_name,
        )

    async def set_status(
        self, message_ids: Iterable[int], status: str, error: str | None = None
    ) -> None:
        """Set the status (and error text) of logged messages."""
        await self._call(self._repo.set_status, list(message_ids), status, error)

    async def history(self, conversation_id: int, limit: int = 200) -> list[MessageRecord]:
        """Return the last ``limit`` messages of a conversation, oldest first."""
        return await self._call(self._repo.history, conversation_id, limit)

    async def short_callback_id(self, payload: str, title: str = "") -> str:
        """Store a long button payload and return its short id."""
        return await self._call(self._repo.short_callback_id, payload, title)

    async def resolve_callback_id(self, key: str) -> tuple[str, str] | None:
        """Return ``(payload, title)`` stored under ``key``, or None."""
        return await self._call(self._repo.resolve_callback_id, key)
