"""Citizen messages accepted while the app database is down: kept on local disk, in order.

When PostgreSQL (or the SQLite file) cannot be reached, the gateway cannot log a message,
so the durable inbox (which lives in that database) cannot keep it either. The router then
writes it to this gateway's spool, a JSON-lines file under ``var/`` (``fsync`` after each
write, so a gateway killed after answering "registrato" still has it), answers at once with
the emergency numbers when the message shows a risk and with ``gateway.queued``, and the
inbox worker replays the spool, oldest first, as soon as the database answers again: each
message is then logged and routed as if it had just arrived (Rasa included) and its replies
go to the citizen's channel after the late note (``gateway.late_answer``). While a
conversation has spooled messages its new ones join the queue behind them, so the order
holds. A message whose database write failed after it was logged is not spooled: it is in
the log as ``received`` and the inbox takes it over (``adopt_orphans``), answered once.

Limit: a gateway stopped between a replayed message's replies and the spool's rewrite
replays that message again when it starts (a duplicate answer, never a lost one).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.gateway.outbox import Outbox
from bot.gateway.replies import Reply
from bot.gateway.safety import SafetyNet
from bot.store.db import STORE_DOWN
from bot.store.records import ConversationRecord
from bot.texts import Texts
from nlu.risk.detector import RiskAssessment

log = logging.getLogger(__name__)
ROME = ZoneInfo("Europe/Rome")


@dataclass(frozen=True)
class SpooledMessage:
    """One citizen message kept on disk (what ``Router.handle_incoming`` received)."""

    channel: str
    sender: str
    text: str
    metadata: dict[str, Any]
    event: str
    received_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


class Spool:
    """The spool file of one gateway instance (one writer: this process).

    Args:
        path: the JSON-lines file (created on the first message; missing = empty).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: list[SpooledMessage] = self._read()
        self._lock = asyncio.Lock()
        if self._entries:
            log.warning("%d spooled message(s) from a previous run", len(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def holds(self, sender: str) -> bool:
        """Tell whether ``sender`` has messages waiting here (new ones go behind them)."""
        return any(entry.sender == sender for entry in self._entries)

    def first(self) -> SpooledMessage | None:
        """The oldest message, or None."""
        return self._entries[0] if self._entries else None

    async def keep(self, message: SpooledMessage) -> None:
        """Append ``message`` durably."""
        async with self._lock:
            await asyncio.to_thread(self._append, message)
            self._entries.append(message)

    async def done(self, message: SpooledMessage) -> None:
        """Remove a replayed message (the file is rewritten atomically)."""
        async with self._lock:
            remaining = [entry for entry in self._entries if entry.id != message.id]
            await asyncio.to_thread(self._rewrite, remaining)
            self._entries = remaining

    async def drain(self, replay: Callable[[SpooledMessage], Awaitable[None]]) -> int:
        """Replay the messages oldest first until the spool is empty or the database fails.

        Returns:
            How many were replayed. A :data:`STORE_DOWN` error stops the round (the message
            stays first, for the next round). Any other error is logged and the message leaves
            the spool: it would have failed the same way on arrival, and one bad message must
            not hold every later one back.
        """
        replayed = 0
        while (message := self.first()) is not None:
            try:
                await replay(message)
                replayed += 1
            except STORE_DOWN:
                break
            except Exception:  # noqa: BLE001 - see above
                log.exception("spooled message %s failed on replay", message.id)
            await self.done(message)
        if replayed:
            log.info("%d spooled message(s) replayed", replayed)
        return replayed

    # -- file ------------------------------------------------------------------------------

    def _read(self) -> list[SpooledMessage]:
        if not self.path.exists():
            return []
        entries = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entries.append(SpooledMessage(**json.loads(line)))
            except (ValueError, TypeError):  # a line cut by a crash mid-write
                log.warning("unreadable line in the spool %s skipped", self.path.name)
        return entries

    def _append(self, message: SpooledMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(message), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(self.path, 0o600)  # citizen text: readable by the service user only

    def _rewrite(self, entries: list[SpooledMessage]) -> None:
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for entry in entries:
                fh.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)


class SpoolDesk:
    """What the router does with the spool: keep, answer without the log, deliver late.

    Args:
        spool: this gateway's spool.
        outbox: logs and delivers the late answers (once the database is back).
        texts: citizen texts (``gateway.queued``, ``gateway.late_answer``).
        safety: the emergency numbers for a message that shows a risk (None: none).
    """

    def __init__(
        self, spool: Spool, outbox: Outbox, texts: Texts, safety: SafetyNet | None = None
    ) -> None:
        self.spool = spool
        self.outbox = outbox
        self.texts = texts
        self.safety = safety

    def holds(self, sender: str) -> bool:
        """See :meth:`Spool.holds`."""
        return self.spool.holds(sender)

    async def keep(self, message: SpooledMessage) -> list[Reply]:
        """Spool ``message``; the replies for the channel now (not logged: no database)."""
        await self.spool.keep(message)
        log.warning("app database unavailable: a %s message kept in the spool", message.channel)
        return await self.unlogged_notice(message.text, message.event)

    async def unlogged_notice(self, text: str, event: str) -> list[Reply]:
        """Emergency numbers first when ``text`` shows a risk, then ``gateway.queued``."""
        queued = self.texts.text("gateway.queued")
        risk = self.safety.assess(text.strip(), event) if self.safety else RiskAssessment()
        if self.safety is not None and risk.at_risk:
            return await self.safety.replies(risk, queued)
        return [Reply(text=queued, sender_kind="system")]

    async def deliver_late(
        self, conv: ConversationRecord, message: SpooledMessage, replies: list[Reply]
    ) -> None:
        """Deliver a replayed message's replies after the late note (logged)."""
        at = datetime.fromisoformat(message.received_at).astimezone(ROME).strftime("%H:%M")
        note = await self.outbox.notice(conv, self.texts.text("gateway.late_answer", time=at))
        await self.outbox.deliver(conv, [note, *replies])
