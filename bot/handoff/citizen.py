"""The citizen's side of the handoff: the queue, the operator hours, contacts left, leaving.

The router calls :meth:`CitizenHandoff.after_bot_replies` after every Rasa answer (a
``handoff`` payload opens a handoff) and :meth:`CitizenHandoff.on_citizen_message` for every
message while the conversation is not in bot mode (it implements
``bot.gateway.ports.HandoffPort``). Rasa asked the comune before it handed off
(``actions/handoff.py``): the payload names the ente gestore, or ``null`` for the triage queue.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.gateway.replies import Button, Reply, payload_of
from bot.handoff.context import HandoffContext, Notifier
from bot.handoff.events import HandoffEvent, need_from_history
from bot.handoff.models import ACTIVE_STATUSES, NORMAL, URGENT, URGENT_REASONS
from bot.handoff.records import HandoffRecord
from bot.store.records import ConversationRecord, MessageRecord

log = logging.getLogger(__name__)

#: Minimum gap between two "you are in the queue" reminders to the same citizen.
REMINDER_GAP = timedelta(minutes=2)
#: Payloads of the handoff's own buttons (handled here, never sent to Rasa).
CONTACT_PAYLOAD = "/handoff_contact"
CANCEL_PAYLOAD = "/handoff_cancel"
_CONTACT_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|(?:\+?\d[\d\s./-]{6,}\d)")
_WAITING = ("offline", "awaiting_contact")


class CitizenHandoff:
    """Opens handoffs from the bot's payload and answers citizens while a person has them.

    Args:
        ctx: the handoff's dependencies.
    """

    def __init__(self, ctx: HandoffContext) -> None:
        self.ctx = ctx
        self.notify = Notifier(ctx)

    def _button(self, key: str, payload: str) -> Button:
        return Button(self.ctx.texts.text(f"handoff.{key}"), payload)

    # -- router hooks --------------------------------------------------------------------

    async def after_bot_replies(
        self, conv: ConversationRecord, replies: Sequence[Reply]
    ) -> list[Reply]:
        """Open a handoff when the bot's replies carry a ``handoff`` payload.

        The ente gestore is the payload's, else the one the conversation knows (e.g. the
        consortium of the widget's site), else none: the triage queue.

        Returns:
            Extra replies for the citizen (already logged): queue position or out-of-hours.
        """
        payload = payload_of(replies, "handoff")
        if payload is None:
            return []
        ente = payload.get("ente_gestore_id") or conv.ente_gestore_id
        reason = str(payload.get("reason") or "request")
        urgent = payload.get("priority") == "urgent" or reason in URGENT_REASONS
        history = await self.ctx.conversations.history(conv.id, 100)
        handoff = await self.ctx.handoffs.begin(
            conv.id,
            status="queued",
            now=self.ctx.clock(),
            ente_gestore_id=ente if isinstance(ente, str) and ente else None,
            reason=reason,
            need=need_from_history(history),
            priority=URGENT if urgent else NORMAL,
        )
        if handoff is None:  # already in human mode (a concurrent takeover)
            return []
        await self.notify.tracker("pause", conv.sender_id)
        return await self.notify.reply(conv, await self._enter_queue(handoff))

    async def on_citizen_message(
        self, conv: ConversationRecord, inbound: MessageRecord
    ) -> list[Reply] | None:
        """Handle a citizen message while the conversation is in human mode.

        Returns:
            Replies to send back now (already logged), or None when the conversation must
            go on with the bot (the router then forwards the message to Rasa).
        """
        handoff = await self.ctx.handoffs.active_for(conv.id)
        if handoff is None:  # inconsistent state: give the conversation back to the bot
            await self.ctx.conversations.update_conversation(conv.id, mode="bot")
            return None
        if inbound.text.strip() == CANCEL_PAYLOAD and handoff.status != "assigned":
            return await self._cancel(conv, handoff, inbound)
        if handoff.status in _WAITING:
            return await self._on_contact(conv, handoff, inbound)
        await self.ctx.conversations.set_status([inbound.id], "to_operator")
        await self.notify.tracker("citizen_message", conv.sender_id, inbound.text, conv.channel)
        if handoff.status == "queued":
            return await self._maybe_remind(conv, handoff)
        return []

    async def on_risk(self, conv: ConversationRecord, kind: str) -> bool:
        """A risk message during a handoff: the handoff becomes urgent for the operators.

        Returns:
            True when the conversation stays with the operators (the gateway then sends the
            emergency numbers itself); False when there is no handoff a person will pick up
            (out of hours: the message goes on to Rasa, which answers the risk).
        """
        handoff = await self.ctx.handoffs.active_for(conv.id)
        if handoff is None or handoff.status in _WAITING:
            return False
        escalated = await self.ctx.handoffs.escalate(handoff.id, kind)
        if escalated is None:
            return False
        log.warning("handoff %s marked urgent: risk %s", handoff.id, kind)
        await self.notify.emit(HandoffEvent("queue", escalated, data={"risk": kind}))
        if escalated.status == "queued" and not handoff.urgent:
            # the others move down; the citizen at risk gets the numbers, not a position
            await self.notify.update_positions(escalated.ente_gestore_id, silent=conv.id)
        return True

    async def on_conversation_deleted(
        self, conversation_id: int, handoffs: Sequence[tuple[int, str | None]]
    ) -> None:
        """Refresh the consoles after an erasure and move the rest of the queue up.

        The handoff rows are already gone with the conversation (docs/privacy.md), which
        closes them; Rasa needs no ``resume`` since its tracker was deleted too.
        """
        for _handoff_id, ente in handoffs:
            event = HandoffEvent("queue", conversation_id=conversation_id, ente_gestore_id=ente)
            await self.notify.emit(event)
            await self.notify.update_positions(ente)

    # -- steps -----------------------------------------------------------------------------

    async def _enter_queue(self, handoff: HandoffRecord) -> list[Reply]:
        """Queue a handoff, or offer to leave a contact when its operators are out of hours."""
        ctx, ente = self.ctx, handoff.ente_gestore_id
        if ente is not None and not ctx.hours.is_open(ente, ctx.clock()):
            await ctx.handoffs.transition(handoff.id, (handoff.status,), status="offline")
            await self.notify.emit(HandoffEvent("queue", handoff))
            notice = ctx.notice(
                "out_of_hours",
                self._button("button_contact", CONTACT_PAYLOAD),
                self._button("button_cancel", CANCEL_PAYLOAD),
                ente=ctx.enti.name(ente),
                hours=ctx.hours.describe(ente, ctx.texts),
                emergency=ctx.texts.text("handoff.emergency"),
            )
            return [notice]
        position = await ctx.handoffs.queue_position(handoff)
        await ctx.handoffs.set_meta(
            handoff.id, told_position=position, reminded_at=ctx.clock().isoformat()
        )
        await self.notify.emit(HandoffEvent("queue", handoff))
        leave = self._button("button_leave_queue", CANCEL_PAYLOAD)
        if ente is None:
            return [ctx.notice("triage_queued", leave, position=position)]
        return [ctx.notice("queued", leave, ente=ctx.enti.name(ente), position=position)]

    async def _on_contact(
        self, conv: ConversationRecord, handoff: HandoffRecord, inbound: MessageRecord
    ) -> list[Reply] | None:
        """Out of hours: take a contact, or give the conversation back to the bot."""
        text = inbound.text.strip()
        if text == CONTACT_PAYLOAD:
            await self.ctx.conversations.set_status([inbound.id], "to_operator")
            await self.ctx.handoffs.transition(handoff.id, ("offline",), status="awaiting_contact")
            return await self.notify.reply(conv, [self.ctx.notice("ask_contact")])
        looks_like_contact = bool(_CONTACT_RE.search(text)) and inbound.event != "button"
        if handoff.status == "awaiting_contact" or looks_like_contact:
            return await self._store_contact(conv, handoff, inbound)
        # Anything else out of hours: the citizen moves on, the bot answers.
        await self.ctx.handoffs.transition(
            handoff.id, ("offline",), status="cancelled", ended_at=self.ctx.clock()
        )
        await self.notify.tracker("resume", conv.sender_id)
        return None

    async def _store_contact(
        self, conv: ConversationRecord, handoff: HandoffRecord, inbound: MessageRecord
    ) -> list[Reply]:
        ctx, text = self.ctx, inbound.text.strip()
        await ctx.conversations.set_status([inbound.id], "to_operator")
        ended = await ctx.handoffs.transition(
            handoff.id, _WAITING, status="contact_left", ended_at=ctx.clock()
        )
        if ended is None:
            return []
        contact = await ctx.desk.add_contact(conv.id, handoff.ente_gestore_id, text, ctx.clock())
        await self.notify.tracker("citizen_message", conv.sender_id, text, conv.channel)
        await self.notify.emit(
            HandoffEvent(
                "contact", conversation_id=conv.id, ente_gestore_id=contact.ente_gestore_id
            )
        )
        replies = await self.notify.reply(conv, [ctx.notice("contact_saved")])
        await self.notify.tracker("resume", conv.sender_id)
        return replies

    async def _cancel(
        self, conv: ConversationRecord, handoff: HandoffRecord, inbound: MessageRecord
    ) -> list[Reply]:
        await self.ctx.conversations.set_status([inbound.id], "to_operator")
        ended = await self.ctx.handoffs.transition(
            handoff.id,
            tuple(s for s in ACTIVE_STATUSES if s != "assigned"),
            status="cancelled",
            ended_at=self.ctx.clock(),
        )
        if ended is None:
            return []
        replies = await self.notify.reply(conv, [self.ctx.notice("cancelled")])
        await self.notify.tracker("resume", conv.sender_id)
        await self.notify.emit(HandoffEvent("queue", ended))
        await self.notify.update_positions(handoff.ente_gestore_id)
        return replies

    async def _maybe_remind(self, conv: ConversationRecord, handoff: HandoffRecord) -> list[Reply]:
        last, now = handoff.meta.get("reminded_at"), self.ctx.clock()
        if isinstance(last, str):
            try:
                if now - datetime.fromisoformat(last) < REMINDER_GAP:
                    return []
            except ValueError:
                pass
        position = await self.ctx.handoffs.queue_position(handoff)
        await self.ctx.handoffs.set_meta(
            handoff.id, reminded_at=now.isoformat(), told_position=position
        )
        notice = self.ctx.notice("queue_position", position=position)
        return await self.notify.reply(conv, [notice])
