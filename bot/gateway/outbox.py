"""The message log's write side and outbound delivery: one place for both.

Every message in or out is logged here (``message`` table) and announced on the event bus
(the consoles show it live). Replies that answer a citizen's request go back with the request;
the others (operator messages, handoff notices) are delivered by :meth:`Outbox.push` through
the channel's :class:`bot.gateway.delivery.Deliverer`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.gateway.delivery import Deliverer
from bot.gateway.events import EventBus, GatewayEvent
from bot.gateway.replies import Reply
from bot.store.facade import ConversationStore
from bot.store.records import ConversationRecord, MessageRecord

log = logging.getLogger(__name__)


class Outbox:
    """Logs messages, publishes them, and delivers pushed replies on their channel.

    Args:
        conversations: the app database (async facade).
        bus: where logged messages are announced.
        deliverers: one per channel (``web``, ``telegram``).
        log_text: whether message text may appear in DEBUG logs (False in production).
    """

    def __init__(
        self,
        conversations: ConversationStore,
        bus: EventBus,
        deliverers: Sequence[Deliverer] = (),
        *,
        log_text: bool = True,
    ) -> None:
        self.conversations = conversations
        self.bus = bus
        self.deliverers = {d.channel: d for d in deliverers}
        self.log_text = log_text

    async def log_in(
        self,
        conv: ConversationRecord,
        text: str,
        event: str,
        metadata: dict[str, Any],
        status: str,
    ) -> MessageRecord:
        """Log a citizen message (before anything else happens to it)."""
        if self.log_text:
            log.debug("in %s [%s] %r", conv.sender_id, event, text[:200])
        record = await self.conversations.log_message(
            conv,
            direction="in",
            sender_kind="citizen",
            text=text,
            status=status,
            event=event,
            payload=metadata,
        )
        await self.bus.publish(GatewayEvent("message", conv, record))
        return record

    async def log_out(self, conv: ConversationRecord, reply: Reply) -> Reply:
        """Log an outbound reply; return it with its message id and time."""
        record = await self.conversations.log_message(
            conv,
            direction="out",
            sender_kind=reply.sender_kind,
            sender_name=reply.sender_name,
            text=reply.text,
            status="generated",
            payload=reply.log_payload(),
        )
        await self.bus.publish(GatewayEvent("message", conv, record))
        return replace(reply, message_id=record.id, created_at=record.created_at.isoformat())

    async def notice(self, conv: ConversationRecord, text: str) -> Reply:
        """Log a gateway notice (``sender_kind`` ``system``)."""
        return await self.log_out(conv, Reply(text=text, sender_kind="system"))

    async def push(
        self, conversation_id: int, replies: Sequence[Reply], *, deliver: bool = True
    ) -> list[Reply]:
        """Log replies that do not answer a citizen request and deliver them on their channel.

        Used for operator messages (``sender_kind="operator"`` and ``sender_name``) and
        notices; ``deliver=False`` only logs them (they go back with the current request).

        Returns:
            The logged replies; their status is ``delivered`` or ``failed``.

        Raises:
            KeyError: no such conversation.
        """
        conv = await self.conversations.get_conversation(conversation_id)
        if conv is None:
            raise KeyError(conversation_id)
        logged = [await self.log_out(conv, reply) for reply in replies]
        if deliver:
            await self.deliver(conv, logged)
        return logged

    async def deliver(self, conv: ConversationRecord, replies: Sequence[Reply]) -> bool:
        """Deliver already logged replies on the conversation's channel and record the outcome."""
        ok = await self._deliver(conv, replies)
        await self.confirm_delivery(replies, ok=ok)
        return ok

    async def _deliver(self, conv: ConversationRecord, replies: Sequence[Reply]) -> bool:
        deliverer = self.deliverers.get(conv.channel)
        if deliverer is None:
            return False
        try:
            return await deliverer.deliver(conv, replies)
        except Exception:  # noqa: BLE001 - recorded as a failed delivery
            log.exception("delivery on %s failed", conv.channel)
            return False

    async def confirm_delivery(
        self, replies: Sequence[Reply], *, ok: bool, error: str | None = None
    ) -> None:
        """Record whether the channel delivered replies (``delivered`` / ``failed``)."""
        ids = [r.message_id for r in replies if r.message_id]
        if not ids:  # nothing logged (e.g. answered from the spool while the database is down)
            return
        await self.conversations.set_status(ids, "delivered" if ok else "failed", error)
