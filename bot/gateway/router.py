"""Channel-agnostic conversation router: log, then forward to Rasa (bot mode), then reply.

Every channel calls :meth:`Router.handle_incoming` for each citizen message and renders the
replies it returns. Order of work for one message (SPEC §1, §8 "nothing lost"):

1. the conversation is found or created in the app DB (so it survives restarts); when that
   database cannot be reached the message goes to this gateway's spool on local disk and is
   routed when it is back (``bot.gateway.spool``; late answers: ``bot.gateway.late``);
2. the inbound message is logged (status ``received``) BEFORE anything else happens;
3. input guards: empty, too long, unsupported media → a gateway notice, nothing forwarded;
4. human mode → the handoff decides (the operator console, ``bot.handoff``);
5. bot mode → forwarded to Rasa; when Rasa does not answer, the message is kept in the
   durable inbox (``bot.gateway.inbox``, status ``queued``) and answered later, in order,
   with a note that the answer is late (without an inbox: status ``failed`` and a notice);
   when Rasa answers NOTHING (it drops the messages of a custom action that failed, e.g. the
   action server is down) the citizen gets a notice instead of silence (status ``failed``),
   after the emergency numbers when the message shows a risk;
6. replies are logged (status ``generated``); channels confirm delivery afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.gateway.followups import erase_conversation, learn_area
from bot.gateway.geo import ComuneLocator, location_message
from bot.gateway.inbox import DurableInbox
from bot.gateway.input import rejection, typed_text
from bot.gateway.late import LateAnswers
from bot.gateway.outbox import Outbox
from bot.gateway.ports import HandoffPort, TurnPort
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.gateway.replies import Reply, payload_of
from bot.gateway.safety import SafetyNet
from bot.gateway.spool import SpoolDesk, SpooledMessage
from bot.handoff.rasa_tracker import MESSAGE_ID_KEY
from bot.store.db import STORE_DOWN
from bot.store.deletion import Erasure
from bot.store.facade import ConversationStore
from bot.store.records import ConversationRecord, MessageRecord
from bot.texts import Texts
from nlu.risk.detector import RiskAssessment

log = logging.getLogger(__name__)


class Router(LateAnswers):
    """Routes citizen messages between channels, the message log and Rasa.

    Args:
        conversations: the app database (async facade).
        rasa: client of Rasa's REST channel.
        outbox: logging and delivery of messages.
        texts: the citizen texts (gateway notices).
        handoff: the human handoff (None: human-mode messages only wait for an operator).
        locator: nearest-comune lookup for shared locations (None: always ask the comune).
        erasure: erases a conversation when Rasa's replies carry the ``data_deletion``
            payload (None: the payload is only rendered; docs/privacy.md).
        safety: the gateway's safety net (emergency numbers during a handoff, when Rasa is
            down, and as a guard on Rasa's replies; ``bot.gateway.safety``).
        analytics: records each answered message for the needs analytics (intent, category,
            services shown; no text). None: nothing is recorded.
        inbox: the durable inbox (None: a message Rasa did not answer is only ``failed``).
        spool: keeps messages on local disk while the app database is down (None: the
            database error reaches the channel; ``bot.gateway.spool``).
    """

    def __init__(
        self,
        conversations: ConversationStore,
        rasa: RasaClient,
        outbox: Outbox,
        texts: Texts,
        *,
        handoff: HandoffPort | None = None,
        locator: ComuneLocator | None = None,
        erasure: Erasure | None = None,
        safety: SafetyNet | None = None,
        analytics: TurnPort | None = None,
        inbox: DurableInbox | None = None,
        spool: SpoolDesk | None = None,
    ) -> None:
        self.conversations = conversations
        self.rasa = rasa
        self.outbox = outbox
        self.texts = texts
        self.handoff = handoff
        self.locator = locator
        self.erasure = erasure
        self.safety = safety
        self.analytics = analytics
        self.inbox = inbox
        self.spool = spool
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    # -- what the channels call ----------------------------------------------------------

    async def handle_incoming(
        self,
        channel: str,
        sender: str,
        text: str,
        metadata: dict[str, Any] | None = None,
        *,
        event: str = "text",
    ) -> list[Reply]:
        """Log and route one citizen message; return the replies for the same channel.

        Args:
            channel: ``telegram`` or ``web``.
            sender: conversation id (``tg-<chat_id>`` / ``web-<session>``).
            text: what the citizen wrote, or a button/command payload (``/greet``).
            metadata: channel details; keys ``ente_gestore_id`` (consortium hint) and
                ``conversation_meta`` (dict merged into the conversation) are used by the
                router, everything else is logged with the message.
            event: ``text``, ``edit``, ``button``, ``command`` or ``unsupported``. Typed
                text (``text``/``edit``) never reaches Rasa as an intent: leading ``/`` are
                removed.

        Returns:
            The replies to render, each with the id of its logged message.
        """
        message = SpooledMessage(channel, sender, text, dict(metadata or {}), event)
        async with self._locks.setdefault(sender, asyncio.Lock()):
            if self.spool is not None and self.spool.holds(sender):  # behind the spooled ones
                return await self.spool.keep(message)
            try:
                return await self._incoming(message)
            except STORE_DOWN:
                if self.spool is None:
                    raise
                return await self.spool.keep(message)

    async def _incoming(self, message: SpooledMessage) -> list[Reply]:
        metadata = dict(message.metadata)
        conv = await self.conversations.get_or_create_conversation(
            message.channel,
            message.sender,
            ente_gestore_id=metadata.pop("ente_gestore_id", None),
            meta=metadata.pop("conversation_meta", None),
        )
        return await self._route(conv, message.text, metadata, message.event)

    async def handle_location(
        self,
        channel: str,
        sender: str,
        latitude: float,
        longitude: float,
        metadata: dict[str, Any] | None = None,
    ) -> list[Reply]:
        """Handle a shared location: tell Rasa the nearest comune, or ask the citizen for it.

        Only the coordinates rounded to 2 decimals (about 1 km) and the comune are logged.
        """
        text, notice, details = location_message(self.locator, self.texts, latitude, longitude)
        metadata = {**(metadata or {}), **details, "notice": notice}
        return await self.handle_incoming(channel, sender, text, metadata, event="location")

    async def confirm_delivery(
        self, replies: Sequence[Reply], *, ok: bool, error: str | None = None
    ) -> None:
        """Record whether the channel delivered replies (``delivered`` / ``failed``)."""
        await self.outbox.confirm_delivery(replies, ok=ok, error=error)

    async def history(self, sender: str, limit: int = 200) -> list[MessageRecord]:
        """Return the logged messages of ``sender``'s conversation (empty when unknown)."""
        conv = await self.conversations.find_conversation(sender)
        return await self.conversations.history(conv.id, limit) if conv else []

    # -- one message -----------------------------------------------------------------------

    async def _route(
        self, conv: ConversationRecord, text: str, metadata: dict[str, Any], event: str
    ) -> list[Reply]:
        notice = metadata.pop("notice", None)
        stripped = text.strip()
        rejected = await self._guard(conv, text, stripped, metadata, event, notice)
        if rejected is not None:
            return rejected
        inbound = await self.outbox.log_in(conv, stripped, event, metadata, "received")
        try:
            return await self._logged(conv, inbound, stripped, metadata, event, notice)
        except STORE_DOWN:
            if self.spool is None:
                raise
            # logged as "received": the inbox adopts and answers it (adopt_orphans)
            return await self.spool.unlogged_notice(stripped, event)

    async def _logged(
        self,
        conv: ConversationRecord,
        inbound: MessageRecord,
        stripped: str,
        metadata: dict[str, Any],
        event: str,
        notice: str | None,
    ) -> list[Reply]:
        risk = self.safety.assess(stripped, event) if self.safety else None
        if conv.mode != "bot":
            handled = await self._human_mode(conv, inbound, risk)
            if handled is not None:
                return handled
        before = [await self.outbox.notice(conv, notice)] if notice else []
        text = typed_text(stripped, event)
        return await self._ask_rasa(conv, inbound, text, metadata, risk, before, event)

    async def _guard(
        self,
        conv: ConversationRecord,
        text: str,
        stripped: str,
        metadata: dict[str, Any],
        event: str,
        notice: str | None,
    ) -> list[Reply] | None:
        """Answer input that is never forwarded (media, empty, too long); None = go on."""
        found = rejection(self.texts, text, stripped, event, notice)
        if found is None:
            return None
        logged_text, status, answer = found
        await self.outbox.log_in(conv, logged_text, event, metadata, status)
        return [await self.outbox.notice(conv, answer)]

    async def _human_mode(
        self, conv: ConversationRecord, inbound: MessageRecord, risk: RiskAssessment | None
    ) -> list[Reply] | None:
        """A conversation a person has: the handoff answers; None = it goes back to Rasa."""
        if self.handoff is None:
            await self.conversations.set_status([inbound.id], "to_operator")
            return []
        urgent: list[Reply] = []
        if risk is not None and risk.at_risk and risk.kind:
            if await self.handoff.on_risk(conv, risk.kind):
                urgent = await self._safety(conv, risk, self.texts.text("gateway.safety_handoff"))
        handled = await self.handoff.on_citizen_message(conv, inbound)
        return None if handled is None else [*urgent, *handled]

    async def _ask_rasa(
        self,
        conv: ConversationRecord,
        inbound: MessageRecord,
        text: str,
        metadata: dict[str, Any],
        risk: RiskAssessment | None,
        before: list[Reply],
        event: str = "text",
    ) -> list[Reply]:
        """Forward to Rasa and log its replies (or keep the message) after ``before``."""
        if self.inbox is not None and await self.inbox.pending(conv.id):
            # earlier messages still wait for Rasa: this one goes behind them, in order
            await self.inbox.keep(inbound, text, metadata, event)
            answered = await self.inbox.drain(conv, self._kept_turn, current=inbound.id)
            if answered is not None:
                return [*before, *answered]
            queued = self.texts.text("gateway.queued")
            return [*before, *await self._not_answered(conv, risk, queued)]
        try:
            return await self._turn(conv, inbound.id, text, metadata, risk, before)
        except RasaUnavailable as exc:
            log.warning("Rasa unavailable for message %s: %s", inbound.id, exc)
            if self.inbox is None:
                await self.conversations.set_status([inbound.id], "failed", str(exc))
                unavailable = self.texts.text("gateway.unavailable")
                return [*before, *await self._not_answered(conv, risk, unavailable)]
            await self.inbox.keep(inbound, text, metadata, event)
            queued = self.texts.text("gateway.queued")
            return [*before, *await self._not_answered(conv, risk, queued)]

    async def _not_answered(
        self, conv: ConversationRecord, risk: RiskAssessment | None, notice: str
    ) -> list[Reply]:
        """The notice when Rasa did not answer: with the emergency numbers at risk."""
        if risk is not None and risk.at_risk:
            return await self._safety(conv, risk, notice)
        return [await self.outbox.notice(conv, notice)]

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
        """Ask Rasa (raises :class:`RasaUnavailable`), then log ``late`` and its replies.

        ``answer`` is Rasa's answer when it was already given (a kept message).
        """
        if answer is None:
            extra = {"channel": conv.channel, **metadata, MESSAGE_ID_KEY: inbound_id}
            answer = await self.rasa.send(conv.sender_id, text, extra)
        if late:
            before = [*before, await self.outbox.notice(conv, late)]
        await self.conversations.set_status([inbound_id], "forwarded")
        bot_replies = [Reply.from_rasa(item) for item in answer]
        if self.safety is not None and risk is not None:
            bot_replies = await self.safety.guard(risk, bot_replies)
        if not bot_replies:  # never silence: Rasa drops a failed custom action's messages
            log.warning("Rasa answered nothing to message %s (action server down?)", inbound_id)
            await self.conversations.set_status([inbound_id], "failed", "empty answer from Rasa")
            return [
                *before,
                await self.outbox.notice(conv, self.texts.text("gateway.empty_answer")),
            ]
        if self.erasure is not None and payload_of(bot_replies, "data_deletion"):
            await erase_conversation(self.erasure, self.handoff, conv)
            # The confirmation is delivered but not logged: nothing of the conversation,
            # not even the confirmation, outlives the request (docs/privacy.md).
            return [*(replace(r, message_id=0) for r in before), *bot_replies]
        conv = await learn_area(self.conversations, conv, bot_replies)
        replies = [*before, *[await self.outbox.log_out(conv, r) for r in bot_replies]]
        if self.analytics is not None:
            await self.analytics.record(conv, bot_replies)
        if self.handoff is not None:
            replies.extend(await self.handoff.after_bot_replies(conv, bot_replies))
        return replies

    async def _safety(
        self, conv: ConversationRecord, risk: RiskAssessment, notice: str
    ) -> list[Reply]:
        """Log the gateway's emergency replies (payload first, then ``notice``)."""
        assert self.safety is not None
        replies = await self.safety.replies(risk, notice)
        return [await self.outbox.log_out(conv, r) for r in replies]
