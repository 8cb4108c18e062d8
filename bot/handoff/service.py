"""The handoff flow: from the bot's ``handoff`` payload to the queue, the operator and back.

The gateway router calls :meth:`HandoffService.after_bot_replies` after every Rasa answer
and :meth:`HandoffService.on_citizen_message` for every citizen message while the
conversation is not in bot mode. The operator console calls the operator methods
(``claim``, ``send``, ``hand_back``...), which check the handoff's state atomically; who may
act on which conversation is checked by the console (``bot.console.access``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.gateway.replies import Button, Reply
from bot.gateway.router import Router
from bot.handoff import texts
from bot.handoff.comuni import ComuneResolver
from bot.handoff.hours import Clock, OperatorHours, system_clock
from bot.handoff.models import ACTIVE_STATUSES, NORMAL, URGENT, URGENT_REASONS
from bot.handoff.rasa_tracker import RasaTracker
from bot.handoff.repo import ContactRecord, HandoffRecord, HandoffStore, NoteRecord
from bot.store.records import ConversationRecord, MessageRecord
from catalog.constants import ENTE_IDS

log = logging.getLogger(__name__)

#: Failed attempts at naming the comune before the request goes to the triage queue.
MAX_COMUNE_ATTEMPTS = 2
#: Minimum gap between two "you are in the queue" reminders to the same citizen.
REMINDER_GAP = timedelta(minutes=2)
_CONTACT_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|(?:\+?\d[\d\s./-]{6,}\d)")


@dataclass(frozen=True)
class Actor:
    """Who performs an operator action (from the console session)."""

    id: int
    name: str


@dataclass(frozen=True)
class HandoffEvent:
    """A change the consoles must show (``kind``: ``queue``, ``handoff``, ``note``, ``contact``)."""

    kind: str
    handoff: HandoffRecord | None = None
    conversation_id: int | None = None
    ente_gestore_id: str | None = None
    data: dict[str, Any] | None = None


HandoffListener = Callable[[HandoffEvent], Awaitable[None]]


class HandoffConflict(Exception):
    """The handoff is not in a state that allows the action (someone else acted first)."""


def load_ente_names(data_dir: Path) -> dict[str, str]:
    """Return ``{ente id: short name}`` from ``enti_gestori.yaml`` (ids as names if missing)."""
    names = {e: e for e in ENTE_IDS}
    path = data_dir / "enti_gestori.yaml"
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            for item in yaml.safe_load(fh) or []:
                if isinstance(item, dict) and item.get("id"):
                    names[str(item["id"])] = str(item.get("short_name") or item.get("name"))
    return names


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


class HandoffService:
    """Runs the handoff flow for the gateway and the console.

    Args:
        router: the gateway router (logging and delivery of messages).
        store: handoff repository.
        tracker: Rasa tracker client (None: Rasa is not told about handoffs).
        hours: operator hours.
        resolver: comune lookup for citizens who have not named one.
        ente_names: display names of the enti gestori.
        clock: current time (injected in tests).
    """

    def __init__(
        self,
        router: Router,
        store: HandoffStore,
        *,
        tracker: RasaTracker | None,
        hours: OperatorHours,
        resolver: ComuneResolver,
        ente_names: dict[str, str],
        clock: Clock = system_clock,
    ) -> None:
        self.router = router
        self.store = store
        self.tracker = tracker
        self.hours = hours
        self.resolver = resolver
        self.ente_names = ente_names
        self.clock = clock
        self.listeners: list[HandoffListener] = []

    def ente_name(self, ente_id: str | None) -> str:
        """Display name of an ente gestore (a generic phrase when unknown)."""
        return (
            self.ente_names.get(ente_id or "", texts.GENERIC_ENTE)
            if ente_id
            else texts.GENERIC_ENTE
        )

    # -- router hooks --------------------------------------------------------------------

    async def after_bot_replies(
        self, conv: ConversationRecord, replies: Sequence[Reply]
    ) -> list[Reply]:
        """Open a handoff when the bot's replies carry a ``handoff`` payload.

        Returns:
            Extra replies for the citizen (already logged): queue position, out-of-hours
            notice or the question about the comune.
        """
        payload = next(
            (r.custom for r in replies if r.custom and r.custom.get("type") == "handoff"), None
        )
        if payload is None:
            return []
        ente = payload.get("ente_gestore_id") or conv.ente_gestore_id
        ente = ente if isinstance(ente, str) and ente else None
        reason = str(payload.get("reason") or "request")
        urgent = payload.get("priority") == "urgent" or reason in URGENT_REASONS
        history = await asyncio.to_thread(self.router.store.history, conv.id, 100)
        need = need_from_history(history)
        status = "awaiting_comune" if ente is None else "queued"
        handoff = await asyncio.to_thread(
            self.store.begin,
            conv.id,
            status=status,
            now=self.clock(),
            ente_gestore_id=ente,
            reason=reason,
            need=need,
            priority=URGENT if urgent else NORMAL,
        )
        if handoff is None:  # already in human mode (a concurrent takeover)
            return []
        await self._tracker("pause", conv.sender_id)
        if handoff.status == "awaiting_comune":
            return await self._log(conv, [Reply(text=texts.ASK_COMUNE, sender_kind="system")])
        return await self._log(conv, await self._enter_queue(conv, handoff))

    async def on_citizen_message(
        self, conv: ConversationRecord, inbound: MessageRecord
    ) -> list[Reply] | None:
        """Handle a citizen message while the conversation is in human mode.

        Returns:
            Replies to send back now (already logged), or None when the conversation must
            go on with the bot (the router then forwards the message to Rasa).
        """
        handoff = await asyncio.to_thread(self.store.active_for, conv.id)
        if handoff is None:  # inconsistent state: give the conversation back to the bot
            await asyncio.to_thread(self.router.store.update_conversation, conv.id, mode="bot")
            return None
        text = inbound.text.strip()
        if text == texts.BUTTON_CANCEL[1] and handoff.status != "assigned":
            return await self._cancel(conv, handoff, inbound)
        if handoff.status == "awaiting_comune":
            return await self._on_comune(conv, handoff, inbound)
        if handoff.status in ("offline", "awaiting_contact"):
            return await self._on_contact(conv, handoff, inbound)
        await asyncio.to_thread(self.router.store.set_status, [inbound.id], "to_operator")
        await self._tracker("citizen_message", conv.sender_id, text, conv.channel)
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
        handoff = await asyncio.to_thread(self.store.active_for, conv.id)
        if handoff is None or handoff.status in ("offline", "awaiting_contact"):
            return False
        escalated = await asyncio.to_thread(self.store.escalate, handoff.id, kind)
        if escalated is None:
            return False
        log.warning("handoff %s marked urgent: risk %s", handoff.id, kind)
        await self._emit(HandoffEvent("queue", escalated, data={"risk": kind}))
        if escalated.status == "queued" and not handoff.urgent:
            # the others move down; the citizen at risk gets the numbers, not a position
            await self._update_positions(escalated.ente_gestore_id, silent=conv.id)
        return True

    async def on_conversation_deleted(
        self, conversation_id: int, handoffs: Sequence[tuple[int, str | None]]
    ) -> None:
        """Refresh the consoles after an erasure and move the rest of the queue up.

        The handoff rows are already gone with the conversation (docs/privacy.md), which
        closes them; Rasa needs no ``resume`` since its tracker was deleted too.

        Args:
            conversation_id: id of the erased conversation.
            handoffs: ``(id, ente gestore id)`` of the handoffs that were active.
        """
        for _handoff_id, ente in handoffs:
            await self._emit(
                HandoffEvent("queue", conversation_id=conversation_id, ente_gestore_id=ente)
            )
            await self._update_positions(ente)

    # -- operator actions ----------------------------------------------------------------

    async def claim(
        self, handoff_id: int, actor: Actor, enti: Sequence[str] | None
    ) -> HandoffRecord:
        """Give a queued handoff to ``actor``; raise :class:`HandoffConflict` if taken."""
        before = await asyncio.to_thread(self.store.get, handoff_id)
        handoff = await asyncio.to_thread(
            self.store.claim, handoff_id, actor.id, enti, self.clock()
        )
        if handoff is None or before is None:
            raise HandoffConflict("already claimed")
        notice = texts.CLAIMED.format(
            operator=actor.name, ente=self.ente_name(handoff.ente_gestore_id)
        )
        await self._push(handoff.conversation_id, [Reply(text=notice, sender_kind="system")])
        await self._emit(HandoffEvent("queue", handoff))
        await self._update_positions(before.ente_gestore_id)
        return handoff

    async def takeover(self, conv: ConversationRecord, actor: Actor) -> HandoffRecord:
        """An operator takes a bot-mode conversation directly (no queue)."""
        history = await asyncio.to_thread(self.router.store.history, conv.id, 100)
        handoff = await asyncio.to_thread(
            self.store.begin,
            conv.id,
            status="assigned",
            now=self.clock(),
            ente_gestore_id=conv.ente_gestore_id,
            reason="operator_takeover",
            need=need_from_history(history),
            operator_id=actor.id,
        )
        if handoff is None:
            raise HandoffConflict("the conversation is not in bot mode")
        await self._tracker("pause", conv.sender_id)
        notice = texts.CLAIMED.format(
            operator=actor.name, ente=self.ente_name(conv.ente_gestore_id)
        )
        await self._push(conv.id, [Reply(text=notice, sender_kind="system")])
        await self._emit(HandoffEvent("queue", handoff))
        return handoff

    async def send(self, handoff_id: int, actor: Actor, text: str) -> Reply:
        """Send an operator message to the citizen (only by the assigned operator)."""
        handoff = await asyncio.to_thread(self.store.get, handoff_id)
        if handoff is None or handoff.status != "assigned" or handoff.operator_id != actor.id:
            raise HandoffConflict("not assigned to you")
        reply = Reply(text=text, sender_kind="operator", sender_name=actor.name)
        [logged] = await self._push(handoff.conversation_id, [reply])
        conv = await asyncio.to_thread(self.router.store.get_conversation, handoff.conversation_id)
        if conv is not None:
            await self._tracker("operator_message", conv.sender_id, text, actor.name)
        return logged

    async def hand_back(self, handoff_id: int, actor: Actor) -> HandoffRecord:
        """Give the conversation back to the bot."""
        return await self._finish(handoff_id, actor, "returned", texts.BACK_TO_BOT)

    async def close(self, handoff_id: int, actor: Actor) -> HandoffRecord:
        """Close the handoff (the citizen's next message goes to the bot)."""
        return await self._finish(handoff_id, actor, "closed", texts.CLOSED)

    async def transfer_to_ente(self, handoff_id: int, ente_id: str, actor: Actor) -> HandoffRecord:
        """Move a handoff to another ente gestore's queue."""
        if ente_id not in self.ente_names:
            raise ValueError(f"unknown ente gestore {ente_id!r}")
        before = await asyncio.to_thread(self.store.get, handoff_id)
        handoff = await asyncio.to_thread(
            self.store.transition,
            handoff_id,
            ("queued", "assigned"),
            status="queued",
            operator_id=None,
            ente_gestore_id=ente_id,
            queued_at=self.clock(),
            claimed_at=None,
        )
        if handoff is None or before is None:
            raise HandoffConflict("the handoff is not open")
        await asyncio.to_thread(self.store.set_conversation_ente, handoff.conversation_id, ente_id)
        position = await asyncio.to_thread(self.store.queue_position, handoff)
        await asyncio.to_thread(self.store.set_meta, handoff.id, told_position=position)
        notice = texts.TRANSFERRED_ENTE.format(ente=self.ente_name(ente_id), position=position)
        await self._push(handoff.conversation_id, [Reply(text=notice, sender_kind="system")])
        data = {"by": actor.name, "from_ente": before.ente_gestore_id}
        await self._emit(HandoffEvent("queue", handoff, data=data))
        await self._update_positions(before.ente_gestore_id)
        return handoff

    async def transfer_to_operator(
        self, handoff_id: int, target: Actor, actor: Actor
    ) -> HandoffRecord:
        """Assign a handoff to another operator (the console checks the target's enti)."""
        before = await asyncio.to_thread(self.store.get, handoff_id)
        handoff = await asyncio.to_thread(
            self.store.transition,
            handoff_id,
            ("queued", "assigned"),
            status="assigned",
            operator_id=target.id,
            claimed_at=self.clock(),
        )
        if handoff is None or before is None:
            raise HandoffConflict("the handoff is not open")
        notice = texts.TRANSFERRED_OPERATOR.format(operator=target.name)
        await self._push(handoff.conversation_id, [Reply(text=notice, sender_kind="system")])
        await self._emit(HandoffEvent("queue", handoff, data={"by": actor.name}))
        if before.status == "queued":
            await self._update_positions(before.ente_gestore_id)
        return handoff

    async def add_note(self, conversation_id: int, actor: Actor, text: str) -> NoteRecord:
        """Store an internal note (never sent to the citizen)."""
        note = await asyncio.to_thread(
            self.store.add_note, conversation_id, actor.id, actor.name, text, self.clock()
        )
        conv = await asyncio.to_thread(self.router.store.get_conversation, conversation_id)
        await self._emit(
            HandoffEvent(
                "note",
                conversation_id=conversation_id,
                ente_gestore_id=conv.ente_gestore_id if conv else None,
            )
        )
        return note

    async def contact_handled(self, contact: ContactRecord, actor: Actor) -> bool:
        """Mark a contact request as handled."""
        return await asyncio.to_thread(
            self.store.mark_contact_handled, contact.id, actor.name, self.clock()
        )

    # -- internals -----------------------------------------------------------------------

    async def _enter_queue(self, conv: ConversationRecord, handoff: HandoffRecord) -> list[Reply]:
        """Queue a handoff whose ente gestore is known, or offer a contact out of hours."""
        ente = handoff.ente_gestore_id
        if ente is not None and not self.hours.is_open(ente, self.clock()):
            await asyncio.to_thread(
                self.store.transition, handoff.id, (handoff.status,), status="offline"
            )
            await self._emit(HandoffEvent("queue", handoff))
            text = texts.OUT_OF_HOURS.format(
                ente=self.ente_name(ente), hours=self.hours.describe(ente)
            )
            buttons = (Button(*texts.BUTTON_CONTACT), Button(*texts.BUTTON_CANCEL))
            return [Reply(text=text, buttons=buttons, sender_kind="system")]
        if handoff.status != "queued":
            updated = await asyncio.to_thread(
                self.store.transition,
                handoff.id,
                (handoff.status,),
                status="queued",
                queued_at=self.clock(),
            )
            handoff = updated or handoff
        position = await asyncio.to_thread(self.store.queue_position, handoff)
        await asyncio.to_thread(
            self.store.set_meta,
            handoff.id,
            told_position=position,
            reminded_at=self.clock().isoformat(),
        )
        await self._emit(HandoffEvent("queue", handoff))
        template = texts.QUEUED if ente else texts.TRIAGE_QUEUED
        text = template.format(ente=self.ente_name(ente), position=position)
        return [
            Reply(text=text, buttons=(Button(*texts.BUTTON_LEAVE_QUEUE),), sender_kind="system")
        ]

    async def _on_comune(
        self, conv: ConversationRecord, handoff: HandoffRecord, inbound: MessageRecord
    ) -> list[Reply]:
        await asyncio.to_thread(self.router.store.set_status, [inbound.id], "to_operator")
        await self._tracker("citizen_message", conv.sender_id, inbound.text, conv.channel)
        found = await asyncio.to_thread(self.resolver.resolve, inbound.text)
        if found.out_of_area:
            await asyncio.to_thread(
                self.store.transition,
                handoff.id,
                ("awaiting_comune",),
                status="cancelled",
                ended_at=self.clock(),
            )
            replies = await self._log(conv, [Reply(text=texts.OUT_OF_AREA, sender_kind="system")])
            await self._tracker("resume", conv.sender_id)
            return replies
        if found.name is None:
            attempts = int(handoff.meta.get("comune_attempts", 0)) + 1
            await asyncio.to_thread(self.store.set_meta, handoff.id, comune_attempts=attempts)
            if attempts < MAX_COMUNE_ATTEMPTS:
                text = (
                    texts.ASK_COMUNE_SUGGEST.format(suggestions=", ".join(found.suggestions))
                    if found.suggestions
                    else texts.ASK_COMUNE_AGAIN
                )
                return await self._log(conv, [Reply(text=text, sender_kind="system")])
            # Still unknown: a supervisor routes it from the triage queue.
            return await self._log(conv, await self._enter_queue(conv, handoff))
        await asyncio.to_thread(
            self.store.set_conversation_ente, conv.id, found.ente_gestore_id, found.name
        )
        updated = await asyncio.to_thread(
            self.store.transition,
            handoff.id,
            ("awaiting_comune",),
            ente_gestore_id=found.ente_gestore_id,
        )
        return await self._log(conv, await self._enter_queue(conv, updated or handoff))

    async def _on_contact(
        self, conv: ConversationRecord, handoff: HandoffRecord, inbound: MessageRecord
    ) -> list[Reply] | None:
        text = inbound.text.strip()
        if text == texts.BUTTON_CONTACT[1]:
            await asyncio.to_thread(self.router.store.set_status, [inbound.id], "to_operator")
            await asyncio.to_thread(
                self.store.transition, handoff.id, ("offline",), status="awaiting_contact"
            )
            return await self._log(conv, [Reply(text=texts.ASK_CONTACT, sender_kind="system")])
        looks_like_contact = bool(_CONTACT_RE.search(text)) and inbound.event != "button"
        if handoff.status == "awaiting_contact" or looks_like_contact:
            await asyncio.to_thread(self.router.store.set_status, [inbound.id], "to_operator")
            ended = await asyncio.to_thread(
                self.store.transition,
                handoff.id,
                ("offline", "awaiting_contact"),
                status="contact_left",
                ended_at=self.clock(),
            )
            if ended is None:
                return []
            contact = await asyncio.to_thread(
                self.store.add_contact, conv.id, handoff.ente_gestore_id, text, self.clock()
            )
            await self._tracker("citizen_message", conv.sender_id, text, conv.channel)
            await self._emit(
                HandoffEvent(
                    "contact",
                    conversation_id=conv.id,
                    ente_gestore_id=contact.ente_gestore_id,
                )
            )
            replies = await self._log(conv, [Reply(text=texts.CONTACT_SAVED, sender_kind="system")])
            await self._tracker("resume", conv.sender_id)
            return replies
        # Anything else out of hours: the citizen moves on, the bot answers.
        await asyncio.to_thread(
            self.store.transition,
            handoff.id,
            ("offline",),
            status="cancelled",
            ended_at=self.clock(),
        )
        await self._tracker("resume", conv.sender_id)
        return None

    async def _cancel(
        self, conv: ConversationRecord, handoff: HandoffRecord, inbound: MessageRecord
    ) -> list[Reply]:
        await asyncio.to_thread(self.router.store.set_status, [inbound.id], "to_operator")
        ended = await asyncio.to_thread(
            self.store.transition,
            handoff.id,
            tuple(s for s in ACTIVE_STATUSES if s != "assigned"),
            status="cancelled",
            ended_at=self.clock(),
        )
        if ended is None:
            return []
        replies = await self._log(conv, [Reply(text=texts.CANCELLED, sender_kind="system")])
        await self._tracker("resume", conv.sender_id)
        await self._emit(HandoffEvent("queue", ended))
        await self._update_positions(handoff.ente_gestore_id)
        return replies

    async def _maybe_remind(self, conv: ConversationRecord, handoff: HandoffRecord) -> list[Reply]:
        last = handoff.meta.get("reminded_at")
        now = self.clock()
        if isinstance(last, str):
            try:
                if now - datetime.fromisoformat(last) < REMINDER_GAP:
                    return []
            except ValueError:
                pass
        position = await asyncio.to_thread(self.store.queue_position, handoff)
        await asyncio.to_thread(
            self.store.set_meta, handoff.id, reminded_at=now.isoformat(), told_position=position
        )
        text = texts.QUEUE_POSITION.format(position=position)
        return await self._log(conv, [Reply(text=text, sender_kind="system")])

    async def _finish(
        self, handoff_id: int, actor: Actor, status: str, notice: str
    ) -> HandoffRecord:
        handoff = await asyncio.to_thread(
            self.store.transition,
            handoff_id,
            ("assigned",),
            conditions=(),
            status=status,
            ended_at=self.clock(),
        )
        if handoff is None:
            raise HandoffConflict("the handoff is not assigned")
        # The notice goes into the tracker while still paused, then Rasa resumes listening.
        await self._push(handoff.conversation_id, [Reply(text=notice, sender_kind="system")])
        conv = await asyncio.to_thread(self.router.store.get_conversation, handoff.conversation_id)
        if conv is not None:
            await self._tracker("resume", conv.sender_id)
        await self._emit(HandoffEvent("queue", handoff, data={"by": actor.name}))
        return handoff

    async def _update_positions(self, ente_id: str | None, silent: int | None = None) -> None:
        """Tell the citizens still queued for ``ente_id`` their new position.

        ``silent``: a conversation whose position is recorded but not sent.
        """
        items = await asyncio.to_thread(self.store.list_active, [ente_id or ""], ("queued",))
        for position, item in enumerate(items, start=1):
            if item.handoff.meta.get("told_position") == position:
                continue
            await asyncio.to_thread(self.store.set_meta, item.handoff.id, told_position=position)
            if item.conversation.id == silent:
                continue
            text = texts.QUEUE_POSITION.format(position=position)
            await self._push(item.conversation.id, [Reply(text=text, sender_kind="system")])

    async def _log(self, conv: ConversationRecord, replies: list[Reply]) -> list[Reply]:
        """Log replies that the channel sends back with the current request."""
        logged = await self.router.push(conv.id, replies, deliver=False)
        await self._track_notices(conv.sender_id, logged)
        return logged

    async def _push(self, conversation_id: int, replies: list[Reply]) -> list[Reply]:
        """Log and deliver replies outside any citizen request."""
        try:
            logged = await self.router.push(conversation_id, replies)
        except KeyError:
            log.warning("conversation %s vanished", conversation_id)
            return []
        conv = await asyncio.to_thread(self.router.store.get_conversation, conversation_id)
        if conv is not None:
            await self._track_notices(conv.sender_id, logged)
        return logged

    async def _track_notices(self, sender: str, replies: Sequence[Reply]) -> None:
        """Append the gateway's own notices to Rasa's tracker (operator messages: ``send``)."""
        notices = [r.text for r in replies if r.sender_kind == "system" and r.text]
        if notices and self.tracker is not None:
            await self.tracker.gateway_notices(sender, notices)

    async def _tracker(self, method: str, *args: str) -> None:
        if self.tracker is None:
            return
        await getattr(self.tracker, method)(*args)

    async def _emit(self, event: HandoffEvent) -> None:
        for listener in list(self.listeners):
            try:
                await listener(event)
            except Exception:  # noqa: BLE001 - a broken console must not break the flow
                log.exception("handoff listener failed")
