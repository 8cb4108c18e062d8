"""Channel-agnostic conversation router: log, then forward to Rasa (bot mode), then reply.

Every channel calls :meth:`Router.handle_incoming` for each citizen message and renders the
replies it returns. Order of work for one message (SPEC §1, §8 "nothing lost"):

1. the conversation is found or created in the app DB (so it survives restarts);
2. the inbound message is logged (status ``received``) BEFORE anything else happens;
3. input guards: empty, too long, unsupported media → a gateway notice, nothing forwarded;
4. human mode → status ``to_operator`` and listeners are notified (operator console, issue 6);
5. bot mode → forwarded to Rasa; on failure status ``failed`` and a polite notice;
6. replies are logged (status ``generated``); channels confirm delivery afterwards.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import weakref
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol

from bot.gateway import texts
from bot.gateway.delivery import Deliverer, GatewayEvent, Listener
from bot.gateway.geo import ComuneLocator
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.gateway.replies import Reply
from bot.gateway.safety import SafetyNet
from bot.store.deletion import DataEraser, DeletionReport
from bot.store.records import ConversationRecord, MessageRecord
from bot.store.repo import ConversationStore
from nlu.risk.detector import RiskAssessment

log = logging.getLogger(__name__)

#: Longest citizen message forwarded to Rasa.
MAX_INPUT_CHARS = 2000
_INTENT_PREFIX = re.compile(r"^/+")
_BUTTON_PAYLOAD = re.compile(r"^/[A-Za-z_]+(\{.{0,500}\})?$", re.DOTALL)


class ModeHandler(Protocol):
    """Hook of the human handoff (``bot.handoff.service.HandoffService``, issue 6)."""

    async def after_bot_replies(
        self, conv: ConversationRecord, replies: Sequence[Reply]
    ) -> list[Reply]:
        """Return extra (already logged) replies after Rasa answered, e.g. a queue notice."""
        ...

    async def on_citizen_message(
        self, conv: ConversationRecord, inbound: MessageRecord
    ) -> list[Reply] | None:
        """Handle a message of a conversation not in bot mode; None = forward it to Rasa."""
        ...

    async def on_conversation_deleted(
        self, conversation_id: int, handoffs: Sequence[tuple[int, str | None]]
    ) -> None:
        """Tell the consoles that a conversation (and its open handoffs) was erased."""
        ...

    async def on_risk(self, conv: ConversationRecord, kind: str) -> bool:
        """A risk message during a handoff: make it urgent; False when Rasa will answer."""
        ...


def is_button_payload(value: str) -> bool:
    """Tell whether ``value`` looks like a Rasa button payload (``/intent`` or ``/intent{...}``).

    Channels accept payloads coming from clients (widget frames, Telegram callback data,
    which a modified client can forge) only when they pass this check.
    """
    return bool(_BUTTON_PAYLOAD.match(value))


class Router:
    """Routes citizen messages between channels, the message log and Rasa.

    Args:
        store: app database repository.
        rasa: client of Rasa's REST channel.
        locator: nearest-comune lookup for shared locations (None: always ask the comune).
        log_text: whether message text may appear in DEBUG logs (False in production).
        eraser: erases a conversation when Rasa's replies carry the ``data_deletion``
            payload (None: the payload is only rendered; docs/privacy.md).
        safety: the gateway's safety net (emergency numbers during a handoff, when Rasa is
            down, and as a guard on Rasa's replies; ``bot.gateway.safety``).
    """

    def __init__(
        self,
        store: ConversationStore,
        rasa: RasaClient,
        *,
        locator: ComuneLocator | None = None,
        log_text: bool = True,
        eraser: DataEraser | None = None,
        safety: SafetyNet | None = None,
    ) -> None:
        self.store = store
        self.safety = safety
        self.eraser = eraser
        self.rasa = rasa
        self.locator = locator
        self.log_text = log_text
        self.deliverers: dict[str, Deliverer] = {}
        self.listeners: list[Listener] = []
        #: Human-mode handler (issue 6); None = human-mode messages only wait for an operator.
        self.handoff: ModeHandler | None = None
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def add_deliverer(self, deliverer: Deliverer) -> None:
        """Register the outbound deliverer of a channel (one per channel)."""
        self.deliverers[deliverer.channel] = deliverer

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
        metadata = dict(metadata or {})
        lock = self._locks.setdefault(sender, asyncio.Lock())
        async with lock:
            conv = await asyncio.to_thread(
                self.store.get_or_create_conversation,
                channel,
                sender,
                ente_gestore_id=metadata.pop("ente_gestore_id", None),
                meta=metadata.pop("conversation_meta", None),
            )
            return await self._route(conv, text, metadata, event)

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
        metadata = dict(metadata or {})
        match = self.locator.nearest(latitude, longitude) if self.locator else None
        metadata["location"] = {"lat": round(latitude, 2), "lon": round(longitude, 2)}
        metadata["comune"] = match.name if match else None
        if match is None:
            notice = texts.LOCATION_OUTSIDE if self.locator else texts.LOCATION_UNKNOWN
            return await self.handle_incoming(
                channel, sender, "", {**metadata, "notice": notice}, event="location"
            )
        payload = "/inform" + json.dumps({"comune": match.name}, ensure_ascii=False)
        return await self.handle_incoming(
            channel,
            sender,
            payload,
            {**metadata, "notice": texts.LOCATION_FOUND.format(comune=match.name)},
            event="location",
        )

    async def push(
        self, conversation_id: int, replies: Sequence[Reply], *, deliver: bool = True
    ) -> list[Reply]:
        """Log replies that do not answer a citizen request and deliver them on their channel.

        Used for operator messages (issue 6): set ``sender_kind="operator"`` and
        ``sender_name`` on each reply.

        Returns:
            The logged replies; their status is ``delivered`` or ``failed``.
        """
        conv = await asyncio.to_thread(self.store.get_conversation, conversation_id)
        if conv is None:
            raise KeyError(conversation_id)
        logged = [await self._log_out(conv, reply) for reply in replies]
        if deliver:
            deliverer = self.deliverers.get(conv.channel)
            ok = False
            if deliverer is not None:
                try:
                    ok = await deliverer.deliver(conv, logged)
                except Exception:  # noqa: BLE001 - recorded as a failed delivery
                    log.exception("delivery on %s failed", conv.channel)
            await self.confirm_delivery(logged, ok=ok)
        return logged

    async def confirm_delivery(
        self, replies: Sequence[Reply], *, ok: bool, error: str | None = None
    ) -> None:
        """Record whether the channel delivered replies (``delivered`` / ``failed``)."""
        ids = [r.message_id for r in replies if r.message_id]
        status = "delivered" if ok else "failed"
        await asyncio.to_thread(self.store.set_status, ids, status, error)

    async def history(self, sender: str, limit: int = 200) -> list[MessageRecord]:
        """Return the logged messages of ``sender``'s conversation (empty when unknown)."""
        conv = await asyncio.to_thread(self.store.find_conversation, sender)
        if conv is None:
            return []
        return await asyncio.to_thread(self.store.history, conv.id, limit)

    # -- internals -----------------------------------------------------------------------

    async def _route(
        self, conv: ConversationRecord, text: str, metadata: dict[str, Any], event: str
    ) -> list[Reply]:
        notice = metadata.pop("notice", None)
        if event == "unsupported":
            await self._log_in(conv, "", event, metadata, "not_forwarded")
            return [await self._notice(conv, texts.TEXT_ONLY)]
        stripped = text.strip()
        if event == "location" and not stripped:
            await self._log_in(conv, "", event, metadata, "not_forwarded")
            return [await self._notice(conv, notice or texts.LOCATION_UNKNOWN)]
        if not stripped:
            await self._log_in(conv, text, event, metadata, "rejected")
            return [await self._notice(conv, texts.EMPTY)]
        if len(stripped) > MAX_INPUT_CHARS:
            await self._log_in(conv, text, event, metadata, "rejected")
            msg = texts.TOO_LONG.format(length=len(stripped), limit=MAX_INPUT_CHARS)
            return [await self._notice(conv, msg)]

        inbound = await self._log_in(conv, stripped, event, metadata, "received")
        risk = self.safety.assess(stripped, event) if self.safety else None
        if conv.mode != "bot" and self.handoff is not None:
            urgent: list[Reply] = []
            if risk is not None and risk.at_risk and risk.kind:
                if await self.handoff.on_risk(conv, risk.kind):
                    urgent = await self._safety(conv, risk, texts.SAFETY_HANDOFF)
            handled = await self.handoff.on_citizen_message(conv, inbound)
            if handled is not None:
                return [*urgent, *handled]
        elif conv.mode == "human":
            await asyncio.to_thread(self.store.set_status, [inbound.id], "to_operator")
            return []
        replies = [await self._notice(conv, notice)] if notice else []
        if event in ("text", "edit"):
            stripped = _INTENT_PREFIX.sub("", stripped).strip() or stripped
        try:
            answer = await self.rasa.send(
                conv.sender_id, stripped, {"channel": conv.channel, **metadata}
            )
        except RasaUnavailable as exc:
            log.warning("Rasa unavailable for message %s: %s", inbound.id, exc)
            await asyncio.to_thread(self.store.set_status, [inbound.id], "failed", str(exc))
            if risk is not None and risk.at_risk:
                return [*replies, *await self._safety(conv, risk, texts.UNAVAILABLE)]
            return [*replies, await self._notice(conv, texts.UNAVAILABLE)]
        await asyncio.to_thread(self.store.set_status, [inbound.id], "forwarded")
        bot_replies = [Reply.from_rasa(item) for item in answer]
        if self.safety is not None and risk is not None:
            bot_replies = await self.safety.guard(risk, bot_replies)
        if self.eraser is not None and any(
            (r.custom or {}).get("type") == "data_deletion" for r in bot_replies
        ):
            await self._erase(conv)
            # The confirmation is delivered but not logged: nothing of the conversation,
            # not even the confirmation, outlives the request (docs/privacy.md).
            return [*(replace(r, message_id=0) for r in replies), *bot_replies]
        conv = await self._learn_from_replies(conv, bot_replies)
        for reply in bot_replies:
            replies.append(await self._log_out(conv, reply))
        if self.handoff is not None:
            replies.extend(await self.handoff.after_bot_replies(conv, bot_replies))
        return replies

    async def _erase(
        self, conv: ConversationRecord, *, requested_by: str = "citizen"
    ) -> DeletionReport | None:
        """Erase one conversation and tell the handoff (consoles, queue positions)."""
        if self.eraser is None:
            return None
        report = await asyncio.to_thread(
            self.eraser.erase, conv.sender_id, requested_by=requested_by, channel=conv.channel
        )
        if self.handoff is not None:
            try:
                await self.handoff.on_conversation_deleted(conv.id, report.active_handoffs)
            except Exception:  # noqa: BLE001 - the data is gone; a console refresh may fail
                log.exception("handoff notification after a deletion failed")
        return report

    async def _learn_from_replies(
        self, conv: ConversationRecord, replies: Sequence[Reply]
    ) -> ConversationRecord:
        """Copy comune / ente gestore from structured replies into the conversation."""
        comune: str | None = None
        ente: str | None = None
        for reply in replies:
            custom = reply.custom or {}
            if isinstance(custom.get("comune"), str) and custom["comune"]:
                comune = custom["comune"]
            eg = custom.get("ente_gestore")
            if isinstance(eg, dict) and isinstance(eg.get("id"), str):
                ente = eg["id"]
            if isinstance(custom.get("ente_gestore_id"), str) and custom["ente_gestore_id"]:
                ente = custom["ente_gestore_id"]
        if (comune and comune != conv.comune) or (ente and ente != conv.ente_gestore_id):
            updated = await asyncio.to_thread(
                self.store.update_conversation, conv.id, comune=comune, ente_gestore_id=ente
            )
            return updated or conv
        return conv

    async def _log_in(
        self,
        conv: ConversationRecord,
        text: str,
        event: str,
        metadata: dict[str, Any],
        status: str,
    ) -> MessageRecord:
        if self.log_text:
            log.debug("in %s [%s] %r", conv.sender_id, event, text[:200])
        record = await asyncio.to_thread(
            self.store.log_message,
            conv,
            direction="in",
            sender_kind="citizen",
            text=text,
            status=status,
            event=event,
            payload=metadata,
        )
        await self._emit(GatewayEvent("message", conv, record))
        return record

    async def _log_out(self, conv: ConversationRecord, reply: Reply) -> Reply:
        record = await asyncio.to_thread(
            self.store.log_message,
            conv,
            direction="out",
            sender_kind=reply.sender_kind,
            sender_name=reply.sender_name,
            text=reply.text,
            status="generated",
            payload=reply.log_payload(),
        )
        await self._emit(GatewayEvent("message", conv, record))
        return replace(reply, message_id=record.id, created_at=record.created_at.isoformat())

    async def _safety(
        self, conv: ConversationRecord, risk: RiskAssessment, notice: str
    ) -> list[Reply]:
        """Log the gateway's emergency replies (payload first, then ``notice``)."""
        assert self.safety is not None
        return [await self._log_out(conv, r) for r in await self.safety.replies(risk, notice)]

    async def _notice(self, conv: ConversationRecord, text: str) -> Reply:
        return await self._log_out(conv, Reply(text=text, sender_kind="system"))

    async def _emit(self, event: GatewayEvent) -> None:
        for listener in list(self.listeners):
            try:
                await listener(event)
            except Exception:  # noqa: BLE001 - a broken listener must not lose messages
                log.exception("gateway listener failed")
