"""Answers given late: kept messages (Rasa was down) and spooled ones (the database was).

A part of :class:`bot.gateway.router.Router` (a mixin of it): the inbox worker calls
:meth:`LateAnswers.process_kept` and :meth:`LateAnswers.replay_spooled`; the routing of one
message stays in the router (``_incoming`` and ``_turn``).
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import replace
from typing import Any

from bot.gateway.inbox import DurableInbox
from bot.gateway.input import typed_text
from bot.gateway.rasa_client import RasaClient
from bot.gateway.replies import Reply
from bot.gateway.safety import SafetyNet
from bot.gateway.spool import SpoolDesk, SpooledMessage
from bot.handoff.rasa_tracker import MESSAGE_ID_KEY
from bot.store.facade import ConversationStore
from bot.store.inbox import InboxEntry
from bot.store.records import ConversationRecord
from nlu.risk.detector import RiskAssessment


class LateAnswers:
    """Kept and spooled messages, answered under the conversation's lock."""

    conversations: ConversationStore
    rasa: RasaClient
    safety: SafetyNet | None
    inbox: DurableInbox | None
    spool: SpoolDesk | None
    _locks: weakref.WeakValueDictionary[str, asyncio.Lock]

    async def _incoming(self, message: SpooledMessage) -> list[Reply]:
        raise NotImplementedError  # the router's

    async def _turn(
        self,
        conv: ConversationRecord,
        inbound_id: int,
        text: str,
        metadata: dict[str, Any],
        risk: RiskAssessment | None,
        before: list[Reply],
        late: str | None = None,
        answer: list[dict[str, Any]] | None = None,
    ) -> list[Reply]:
        raise NotImplementedError  # the router's

    async def replay_spooled(self, message: SpooledMessage) -> None:
        """Route a spooled message now that the database answers; deliver its replies late.

        Raises:
            sqlalchemy errors of :data:`STORE_DOWN`: still down (it stays in the spool).
        """
        assert self.spool is not None
        async with self._locks.setdefault(message.sender, asyncio.Lock()):
            replies = await self._incoming(message)
            conv = await self.conversations.find_conversation(message.sender)
        if conv is not None:
            await self.spool.deliver_late(conv, message, replies)

    async def process_kept(self, conversation_id: int) -> None:
        """Answer the kept messages of a conversation (the inbox worker calls this)."""
        if self.inbox is None:
            return
        conv = await self.conversations.get_conversation(conversation_id)
        if conv is None:
            return
        async with self._locks.setdefault(conv.sender_id, asyncio.Lock()):
            await self.inbox.drain(conv, self._kept_turn)

    async def _kept_turn(
        self, conv: ConversationRecord, entry: InboxEntry, late: str | None
    ) -> list[Reply]:
        """One kept message to Rasa (risk assessed again: the guard needs it)."""
        event = str(entry.meta.get("event") or "text")
        metadata = dict(entry.meta.get("metadata") or {})
        risk = self.safety.assess(entry.text, event) if self.safety else None
        # an adopted orphan keeps the text as logged
        entry = replace(entry, text=typed_text(entry.text, event))
        latest = await self.conversations.get_conversation(conv.id) or conv
        assert self.inbox is not None
        # Rasa may have answered already (stored before a gateway stopped, or in its tracker
        # when the gateway gave up waiting): never make it process one message twice
        answer = entry.answer
        if answer is None:
            answer = await self.inbox.find_answer(latest.sender_id, entry)
        if answer is None:
            human = latest.mode != "bot"  # an operator has it: Rasa (paused) only records it
            extra = {"channel": latest.channel, MESSAGE_ID_KEY: entry.message_id}
            answer = await self.rasa.send(
                latest.sender_id, entry.text, extra if human else {**metadata, **extra}
            )
        if entry.answer is None and not await self.inbox.answered(entry, answer):
            return []  # erased meanwhile
        if latest.mode != "bot":
            return []
        return await self._turn(
            latest, entry.message_id, entry.text, metadata, risk, [], late, answer=answer
        )
