"""The operators' side of the handoff: claim, chat, hand back, close, transfer, notes.

The console (``bot.console``) checks who may act on which conversation; these methods check
the handoff's state atomically and raise :class:`bot.handoff.events.HandoffConflict` when
someone else acted first.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.gateway.replies import Reply
from bot.handoff.context import HandoffContext, Notifier
from bot.handoff.events import Actor, HandoffConflict, HandoffEvent, need_from_history
from bot.handoff.records import ContactRecord, HandoffRecord, NoteRecord
from bot.store.records import ConversationRecord

_OPEN = ("queued", "assigned")


class OperatorDesk:
    """Operator actions on handoffs.

    Args:
        ctx: the handoff's dependencies.
    """

    def __init__(self, ctx: HandoffContext) -> None:
        self.ctx = ctx
        self.notify = Notifier(ctx)

    async def claim(
        self, handoff_id: int, actor: Actor, enti: Sequence[str] | None
    ) -> HandoffRecord:
        """Give a queued handoff to ``actor``; raise :class:`HandoffConflict` if taken."""
        before = await self.ctx.handoffs.get(handoff_id)
        handoff = await self.ctx.handoffs.claim(handoff_id, actor.id, enti, self.ctx.clock())
        if handoff is None or before is None:
            raise HandoffConflict("already claimed")
        await self._claimed_notice(handoff.conversation_id, actor, handoff.ente_gestore_id)
        await self.notify.emit(HandoffEvent("queue", handoff))
        await self.notify.update_positions(before.ente_gestore_id)
        return handoff

    async def takeover(self, conv: ConversationRecord, actor: Actor) -> HandoffRecord:
        """An operator takes a bot-mode conversation directly (no queue)."""
        history = await self.ctx.conversations.history(conv.id, 100)
        handoff = await self.ctx.handoffs.begin(
            conv.id,
            status="assigned",
            now=self.ctx.clock(),
            ente_gestore_id=conv.ente_gestore_id,
            reason="operator_takeover",
            need=need_from_history(history),
            operator_id=actor.id,
        )
        if handoff is None:
            raise HandoffConflict("the conversation is not in bot mode")
        await self.notify.tracker("pause", conv.sender_id)
        await self._claimed_notice(conv.id, actor, conv.ente_gestore_id)
        await self.notify.emit(HandoffEvent("queue", handoff))
        return handoff

    async def send(self, handoff_id: int, actor: Actor, text: str) -> Reply:
        """Send an operator message to the citizen (only by the assigned operator)."""
        handoff = await self.ctx.handoffs.get(handoff_id)
        if handoff is None or handoff.status != "assigned" or handoff.operator_id != actor.id:
            raise HandoffConflict("not assigned to you")
        reply = Reply(text=text, sender_kind="operator", sender_name=actor.name)
        [logged] = await self.notify.push(handoff.conversation_id, [reply])
        conv = await self.ctx.conversations.get_conversation(handoff.conversation_id)
        if conv is not None:
            await self.notify.tracker("operator_message", conv.sender_id, text, actor.name)
        return logged

    async def hand_back(self, handoff_id: int, actor: Actor) -> HandoffRecord:
        """Give the conversation back to the bot."""
        return await self._finish(handoff_id, actor, "returned", self.ctx.notice("back_to_bot"))

    async def close(self, handoff_id: int, actor: Actor) -> HandoffRecord:
        """Close the handoff (the citizen's next message goes to the bot)."""
        return await self._finish(handoff_id, actor, "closed", self.ctx.notice("closed"))

    async def transfer_to_ente(self, handoff_id: int, ente_id: str, actor: Actor) -> HandoffRecord:
        """Move a handoff to another ente gestore's queue."""
        if ente_id not in self.ctx.enti:
            raise ValueError(f"unknown ente gestore {ente_id!r}")
        handoffs = self.ctx.handoffs
        before = await handoffs.get(handoff_id)
        handoff = await handoffs.transition(
            handoff_id,
            _OPEN,
            status="queued",
            operator_id=None,
            ente_gestore_id=ente_id,
            queued_at=self.ctx.clock(),
            claimed_at=None,
        )
        if handoff is None or before is None:
            raise HandoffConflict("the handoff is not open")
        await handoffs.set_conversation_ente(handoff.conversation_id, ente_id)
        position = await handoffs.queue_position(handoff)
        await handoffs.set_meta(handoff.id, told_position=position)
        notice = self.ctx.notice(
            "transferred_ente", ente=self.ctx.enti.name(ente_id), position=position
        )
        await self.notify.push(handoff.conversation_id, [notice])
        data = {"by": actor.name, "from_ente": before.ente_gestore_id}
        await self.notify.emit(HandoffEvent("queue", handoff, data=data))
        await self.notify.update_positions(before.ente_gestore_id)
        return handoff

    async def transfer_to_operator(
        self, handoff_id: int, target: Actor, actor: Actor
    ) -> HandoffRecord:
        """Assign a handoff to another operator (the console checks the target's enti)."""
        before = await self.ctx.handoffs.get(handoff_id)
        handoff = await self.ctx.handoffs.transition(
            handoff_id, _OPEN, status="assigned", operator_id=target.id, claimed_at=self.ctx.clock()
        )
        if handoff is None or before is None:
            raise HandoffConflict("the handoff is not open")
        notice = self.ctx.notice("transferred_operator", operator=target.name)
        await self.notify.push(handoff.conversation_id, [notice])
        await self.notify.emit(HandoffEvent("queue", handoff, data={"by": actor.name}))
        if before.status == "queued":
            await self.notify.update_positions(before.ente_gestore_id)
        return handoff

    async def add_note(self, conversation_id: int, actor: Actor, text: str) -> NoteRecord:
        """Store an internal note (never sent to the citizen)."""
        note = await self.ctx.desk.add_note(
            conversation_id, actor.id, actor.name, text, self.ctx.clock()
        )
        conv = await self.ctx.conversations.get_conversation(conversation_id)
        ente = conv.ente_gestore_id if conv else None
        await self.notify.emit(
            HandoffEvent("note", conversation_id=conversation_id, ente_gestore_id=ente)
        )
        return note

    async def contact_handled(self, contact: ContactRecord, actor: Actor) -> bool:
        """Mark a contact request as handled."""
        return await self.ctx.desk.mark_contact_handled(contact.id, actor.name, self.ctx.clock())

    async def _claimed_notice(self, conversation_id: int, actor: Actor, ente: str | None) -> None:
        notice = self.ctx.notice("claimed", operator=actor.name, ente=self.ctx.enti.name(ente))
        await self.notify.push(conversation_id, [notice])

    async def _finish(
        self, handoff_id: int, actor: Actor, status: str, notice: Reply
    ) -> HandoffRecord:
        handoff = await self.ctx.handoffs.transition(
            handoff_id, ("assigned",), status=status, ended_at=self.ctx.clock()
        )
        if handoff is None:
            raise HandoffConflict("the handoff is not assigned")
        # The notice goes into the tracker while still paused, then Rasa resumes listening.
        await self.notify.push(handoff.conversation_id, [notice])
        conv = await self.ctx.conversations.get_conversation(handoff.conversation_id)
        if conv is not None:
            await self.notify.tracker("resume", conv.sender_id)
        await self.notify.emit(HandoffEvent("queue", handoff, data={"by": actor.name}))
        return handoff
