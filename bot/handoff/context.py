"""What the handoff works with, and the notices it sends (shared by both of its sides).

:class:`HandoffContext` holds the dependencies the composition root (``bot.app``) passes in;
:class:`Notifier` logs and delivers the handoff's notices, keeps Rasa's tracker complete,
publishes the console events and tells queued citizens their new position.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.gateway.events import EventBus
from bot.gateway.outbox import Outbox
from bot.gateway.replies import Button, Reply
from bot.handoff.enti import EnteDirectory
from bot.handoff.events import HandoffEvent
from bot.handoff.hours import Clock, OperatorHours
from bot.handoff.rasa_tracker import RasaTracker
from bot.handoff.store import DeskStore, HandoffStore
from bot.store.facade import ConversationStore
from bot.store.records import ConversationRecord
from bot.texts import Texts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandoffContext:
    """The handoff's dependencies.

    Attributes:
        outbox: logging and delivery of messages.
        conversations: the app database's conversations and message log.
        handoffs: the handoff table.
        desk: internal notes and contacts.
        tracker: Rasa's tracker events (None: Rasa is not told about handoffs).
        hours: operator hours.
        enti: display names of the enti gestori.
        bus: where console events go.
        clock: current time (injected in tests).
        texts: the citizen texts (``handoff.*``).
    """

    outbox: Outbox
    conversations: ConversationStore
    handoffs: HandoffStore
    desk: DeskStore
    tracker: RasaTracker | None
    hours: OperatorHours
    enti: EnteDirectory
    bus: EventBus
    clock: Clock
    texts: Texts

    def notice(self, key: str, *buttons: Button, **values: Any) -> Reply:
        """A gateway notice (``sender_kind`` ``system``) with the text ``handoff.<key>``."""
        text = self.texts.text(f"handoff.{key}", **values)
        return Reply(text=text, buttons=tuple(buttons), sender_kind="system")


class Notifier:
    """Sends the handoff's notices and events (stateless: one per side is fine)."""

    def __init__(self, ctx: HandoffContext) -> None:
        self.ctx = ctx

    async def reply(self, conv: ConversationRecord, replies: list[Reply]) -> list[Reply]:
        """Log replies that the channel sends back with the current request."""
        logged = await self.ctx.outbox.push(conv.id, replies, deliver=False)
        await self._track_notices(conv.sender_id, logged)
        return logged

    async def push(self, conversation_id: int, replies: list[Reply]) -> list[Reply]:
        """Log and deliver replies outside any citizen request."""
        try:
            logged = await self.ctx.outbox.push(conversation_id, replies)
        except KeyError:
            log.warning("conversation %s vanished", conversation_id)
            return []
        conv = await self.ctx.conversations.get_conversation(conversation_id)
        if conv is not None:
            await self._track_notices(conv.sender_id, logged)
        return logged

    async def tracker(self, method: str, *args: str) -> None:
        """Call ``RasaTracker.<method>(*args)`` when Rasa is told about handoffs."""
        if self.ctx.tracker is not None:
            await getattr(self.ctx.tracker, method)(*args)

    async def emit(self, event: HandoffEvent) -> None:
        """Publish a console event."""
        await self.ctx.bus.publish(event)

    async def update_positions(self, ente_id: str | None, silent: int | None = None) -> None:
        """Tell the citizens still queued for ``ente_id`` their new position.

        ``silent``: a conversation whose position is recorded but not sent.
        """
        items = await self.ctx.handoffs.list_active([ente_id or ""], ("queued",))
        for position, item in enumerate(items, start=1):
            if item.handoff.meta.get("told_position") == position:
                continue
            await self.ctx.handoffs.set_meta(item.handoff.id, told_position=position)
            if item.conversation.id != silent:
                notice = self.ctx.notice("queue_position", position=position)
                await self.push(item.conversation.id, [notice])

    async def _track_notices(self, sender: str, replies: Sequence[Reply]) -> None:
        """Append the gateway's own notices to Rasa's tracker (operator messages: ``send``)."""
        notices = [r.text for r in replies if r.sender_kind == "system" and r.text]
        if notices and self.ctx.tracker is not None:
            await self.ctx.tracker.gateway_notices(sender, notices)
