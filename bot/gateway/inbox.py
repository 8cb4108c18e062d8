"""Nothing lost: messages Rasa did not answer wait in the durable inbox, then get answered.

When Rasa does not answer, the router keeps the message (:meth:`DurableInbox.keep`, table
``inbox_item``) and tells the citizen it is registered and will be answered. Later — on the
conversation's next message, or from the :class:`InboxWorker` that every gateway runs — the
kept messages of a conversation are sent to Rasa in order (:meth:`DurableInbox.drain`), each
answer logged once and delivered on the citizen's channel after a note that it is late
(``gateway.late_answer``). Rasa's answer is stored with the kept message as soon as it is
given, so a gateway stopped mid-way never makes Rasa answer one message twice: the next
gateway logs the stored answer, or only drops the row when the answer was logged already.
A new message of a conversation that still has kept ones joins the
inbox behind them, so Rasa always sees a conversation's messages in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.gateway.outbox import Outbox
from bot.gateway.rasa_client import RasaUnavailable
from bot.gateway.replies import Reply
from bot.store.inbox import InboxEntry, InboxStore
from bot.store.records import ConversationRecord, MessageRecord
from bot.texts import Texts

log = logging.getLogger(__name__)

ROME = ZoneInfo("Europe/Rome")

Turn = Callable[[ConversationRecord, InboxEntry, "str | None"], Awaitable[list[Reply]]]
"""Send one kept message to Rasa and log the answer (the late note first when given).

Raises :class:`~bot.gateway.rasa_client.RasaUnavailable` when Rasa still does not answer.
"""


class DurableInbox:
    """Keeps and later answers the messages Rasa did not answer.

    Args:
        store: the ``inbox_item`` table (async facade).
        outbox: logs the late note and delivers the late answers on the citizen's channel.
        texts: citizen texts (``gateway.late_answer``).
        owner: this gateway instance's name (the lease of a conversation).
        lease_seconds: how long a claim on a conversation lasts without being released.
        lookup: Rasa's answer to a message it already processed (``RasaTracker.answer_to``:
            sender, message id -> answer or None); None: never looked up.
    """

    def __init__(
        self,
        store: InboxStore,
        outbox: Outbox,
        texts: Texts,
        owner: str,
        *,
        lease_seconds: float = 120.0,
        lookup: Callable[[str, int], Awaitable[list[dict[str, Any]] | None]] | None = None,
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.texts = texts
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.lookup = lookup

    async def keep(
        self, inbound: MessageRecord, text: str, metadata: dict[str, Any], event: str
    ) -> None:
        """Keep ``inbound`` (status ``queued``) with what must be forwarded to Rasa."""
        meta = {"metadata": metadata, "event": event}
        await self.store.keep(inbound.id, inbound.conversation_id, text, meta)

    async def pending(self, conversation_id: int) -> int:
        """How many messages of the conversation wait for Rasa."""
        return await self.store.pending(conversation_id)

    async def conversations(self) -> list[int]:
        """Conversations with kept messages (oldest first)."""
        return await self.store.conversations()

    def late_note(self, entry: InboxEntry) -> str:
        """The note before a late answer: when the citizen wrote."""
        at = entry.created_at.astimezone(ROME).strftime("%H:%M")
        return self.texts.text("gateway.late_answer", time=at)

    async def find_answer(self, sender: str, entry: InboxEntry) -> list[dict[str, Any]] | None:
        """Rasa's answer to ``entry`` when Rasa processed it already, else None.

        A gateway that gave up waiting (timeout) or stopped may leave a message Rasa did
        process: its tracker then holds the answer. When the tracker cannot be read, Rasa is
        taken as not having answered (it is asked again).
        """
        if self.lookup is None:
            return None
        try:
            return await self.lookup(sender, entry.message_id)
        except Exception as exc:  # noqa: BLE001 - Rasa down/slow: the send decides
            log.warning("tracker of kept message %s not read: %s", entry.message_id, exc)
            return None

    async def answered(self, entry: InboxEntry, answer: list[Any]) -> bool:
        """Keep Rasa's answer to ``entry`` before logging it; False if the entry was erased."""
        return await self.store.answered(entry.id, entry.message_id, answer)

    async def drain(
        self, conv: ConversationRecord, turn: Turn, current: int | None = None
    ) -> list[Reply] | None:
        """Answer the kept messages of ``conv`` in order, until Rasa fails again.

        The answer of message ``current`` (the request being handled) is returned, not
        pushed; every other answer is delivered with the late note.

        Returns:
            The replies to ``current``, or None when it was not answered now.
        """
        entries = await self.store.claim(conv.id, self.owner, self.lease_seconds)
        result: list[Reply] | None = None
        for entry in entries:
            if entry.answer is not None and await self.store.answer_logged(
                conv.id, entry.message_id
            ):  # a gateway stopped after logging the answer: it is not given twice
                await self.store.done(entry.id, entry.message_id)
                continue
            late = None if entry.message_id == current else self.late_note(entry)
            try:
                replies = await turn(conv, entry, late)
            except RasaUnavailable as exc:
                log.warning("Rasa still unavailable for kept message %s", entry.message_id)
                await self.store.release(conv.id, self.owner, str(exc))
                return result
            if not await self.store.done(entry.id, entry.message_id):
                return result  # erased meanwhile (the citizen asked to delete the data)
            if late is None:
                result = replies
            elif replies:
                await self.outbox.deliver(conv, replies)
        return result


class InboxWorker:
    """Background task of a gateway: answers kept messages once Rasa is back.

    Args:
        inbox: the durable inbox.
        rasa_up: tells whether Rasa answers (any instance).
        process: answers the kept messages of one conversation (the router's
            :meth:`~bot.gateway.router.Router.process_kept`, under its conversation lock).
        interval: seconds between two rounds.
        orphan_seconds: age after which a message still waiting for Rasa's answer is taken
            as left by a stopped gateway (above the Rasa timeout, 30 s).
        drain_spool: replays the messages kept on disk while the app database was down
            (``bot.gateway.spool``), first in every round; None: no spool.
    """

    def __init__(
        self,
        inbox: DurableInbox,
        rasa_up: Callable[[], Awaitable[bool]],
        process: Callable[[int], Awaitable[None]],
        interval: float = 5.0,
        orphan_seconds: float = 90.0,
        drain_spool: Callable[[], Awaitable[int]] | None = None,
    ) -> None:
        self.inbox = inbox
        self.drain_spool = drain_spool
        self.rasa_up = rasa_up
        self.process = process
        self.interval = interval
        self.orphan_seconds = orphan_seconds
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """One round: process every conversation with kept messages; return how many.

        Messages a stopped gateway left unanswered (status ``received`` for longer than
        ``orphan_seconds``) are kept first, so they are answered too.
        """
        if self.drain_spool is not None:
            await self.drain_spool()
        adopted = await self.inbox.store.adopt_orphans(self.orphan_seconds)
        if adopted:
            log.warning("%d message(s) left unanswered by a stopped gateway kept", adopted)
        conversations = await self.inbox.conversations()
        if not conversations or not await self.rasa_up():
            return 0
        for conversation_id in conversations:
            try:
                await self.process(conversation_id)
            except Exception:  # noqa: BLE001 - the next round retries; others go on
                log.exception("kept messages of conversation %s failed", conversation_id)
        return len(conversations)

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # noqa: BLE001 - database down: retry in the next round
                log.warning("durable inbox round failed", exc_info=True)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        """Start the background rounds (in the running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        """Stop the background rounds."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
