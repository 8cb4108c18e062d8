"""Erasure of one conversation: app database rows and Rasa's tracker events (docs/privacy.md).

:class:`DataEraser` deletes, in one transaction of the app database, every row that refers
to the conversation (message log, handoffs, internal notes, contacts left outside the
operator hours — any table with a foreign key to ``conversation.id``) and the conversation
itself, then the ``events`` rows of the same ``sender_id`` in Rasa's SQL tracker store
(:class:`TrackerStoreEraser`; Rasa 3.6 has no delete API). It writes an audit record
(:class:`bot.store.models.DataDeletion`) and an ``wecare.audit`` log line, neither of which
holds personal content: a keyed hash of the sender id, the time and the counts.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import column, delete, func, inspect, select, table
from sqlalchemy.exc import SQLAlchemyError

from bot.store.models import Base, Conversation, DataDeletion, NluInboxItem
from bot.store.repo import ConversationRepository
from bot.store.tracker_db import TrackerStoreDB

log = logging.getLogger(__name__)
audit_log = logging.getLogger("wecare.audit")

#: HMAC key used when ``SECRET_KEY`` is not set (development only).
DEFAULT_HASH_KEY = "wecare-development"

#: ``DeletionReport.tracker`` values.
TRACKER_DELETED = "deleted"
TRACKER_NOT_CONFIGURED = "not_configured"
TRACKER_FAILED = "failed"


def conversation_hash(sender_id: str, key: str = "") -> str:
    """Return the keyed hash of a sender id kept in the audit (HMAC-SHA256, hex).

    Args:
        sender_id: ``tg-<chat_id>`` or ``web-<session>``.
        key: ``SECRET_KEY`` of the deployment (a development default when empty).
    """
    secret = (key or DEFAULT_HASH_KEY).encode("utf-8")
    return hmac.new(secret, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class DeletionReport:
    """What one erasure removed (no personal content).

    Attributes:
        conversation_hash: keyed hash of the sender id.
        found: whether the app database had the conversation.
        counts: rows removed per table (``tracker_events`` for Rasa's events).
        tracker: ``deleted``, ``not_configured`` or ``failed``.
        active_handoffs: ``(handoff id, ente gestore id)`` of the handoffs that were open.
    """

    conversation_hash: str
    found: bool
    counts: dict[str, int] = field(default_factory=dict)
    tracker: str = TRACKER_NOT_CONFIGURED
    active_handoffs: tuple[tuple[int, str | None], ...] = ()


class TrackerStoreEraser(TrackerStoreDB):
    """Deletes a sender's events from Rasa's SQL tracker store (table ``events``).

    Args:
        url: SQLAlchemy URL of the tracker store (``RASA_TRACKER_STORE_URL``); empty when
            Rasa keeps trackers elsewhere (in memory): then nothing can be deleted here.
    """

    def delete_events(self, sender_id: str) -> int:
        """Delete every event of ``sender_id``; return how many rows were removed.

        Raises:
            SQLAlchemyError: the tracker store could not be reached or changed.
        """
        engine = self._get_engine()
        if not inspect(engine).has_table("events"):  # Rasa never stored anything yet
            return 0
        events = table("events", column("sender_id"))
        with engine.begin() as conn:
            result = conn.execute(delete(events).where(events.c.sender_id == sender_id))
            return max(int(result.rowcount or 0), 0)


def _conversation_tables() -> list[tuple[Any, Any]]:
    """``(table, column)`` of every app table with a foreign key to ``conversation.id``."""
    import bot.handoff.models  # noqa: F401 - registers handoff/console tables on Base

    found = []
    for tbl in reversed(Base.metadata.sorted_tables):
        for fk in tbl.foreign_keys:
            if fk.column.table.name == Conversation.__tablename__ and fk.column.name == "id":
                found.append((tbl, fk.parent))
    return found


class DataEraser:
    """Erases a conversation everywhere the WeCare stack keeps it.

    Synchronous (the CLI calls it directly); the gateway goes through :class:`Erasure`.

    Args:
        store: app database repository.
        tracker: Rasa tracker store eraser.
        hash_key: ``SECRET_KEY`` (key of the audit hash).
    """

    def __init__(
        self, store: ConversationRepository, tracker: TrackerStoreEraser, hash_key: str = ""
    ) -> None:
        self.store = store
        self.tracker = tracker
        self.hash_key = hash_key

    def erase(
        self, sender_id: str, *, requested_by: str = "citizen", channel: str = ""
    ) -> DeletionReport:
        """Delete the conversation of ``sender_id`` and record the audit (synchronous).

        Args:
            sender_id: ``tg-<chat_id>`` or ``web-<session>``.
            requested_by: ``citizen`` (dialogue) or ``admin`` (CLI).
            channel: channel name for the audit when the conversation is unknown.

        Returns:
            The counts; Rasa's events are deleted even when the app DB had nothing.
        """
        digest = conversation_hash(sender_id, self.hash_key)
        counts: dict[str, int] = {}
        active: list[tuple[int, str | None]] = []
        found = False
        with self.store.session() as session:
            conv = session.scalar(select(Conversation).where(Conversation.sender_id == sender_id))
            if conv is not None:
                found = True
                channel = conv.channel
                active = self._active_handoffs(session, conv.id)
                for tbl, col in _conversation_tables():
                    n = session.scalar(select(func.count()).select_from(tbl).where(col == conv.id))
                    if n:
                        session.execute(delete(tbl).where(col == conv.id))
                    counts[tbl.name] = int(n or 0)
                session.delete(conv)
                counts["conversation"] = 1
            # NLU inbox items of a conversation the app DB did not know (read from Rasa).
            orphans = session.scalar(
                select(func.count())
                .select_from(NluInboxItem)
                .where(NluInboxItem.sender_id == sender_id)
            )
            if orphans:
                session.execute(delete(NluInboxItem).where(NluInboxItem.sender_id == sender_id))
                counts["nlu_inbox_item"] = counts.get("nlu_inbox_item", 0) + int(orphans)
        tracker_status = TRACKER_NOT_CONFIGURED
        if self.tracker.configured:
            try:
                counts["tracker_events"] = self.tracker.delete_events(sender_id)
                tracker_status = TRACKER_DELETED
            except SQLAlchemyError as exc:
                tracker_status = TRACKER_FAILED
                log.error(
                    "deletion %s: Rasa tracker store not changed: %s",
                    digest[:12],
                    type(exc).__name__,
                )
        else:
            log.warning(
                "deletion %s: no RASA_TRACKER_STORE_URL configured, Rasa-side data "
                "(tracker events) could not be deleted",
                digest[:12],
            )
        with self.store.session() as session:
            session.add(
                DataDeletion(
                    conversation_hash=digest,
                    channel=channel or sender_id.split("-", 1)[0],
                    requested_by=requested_by,
                    counts=counts,
                    tracker=tracker_status,
                )
            )
        audit_log.info(
            "data_deletion conversation=%s channel=%s by=%s tracker=%s counts=%s",
            digest,
            channel,
            requested_by,
            tracker_status,
            ",".join(f"{k}:{v}" for k, v in sorted(counts.items())),
        )
        return DeletionReport(digest, found, counts, tracker_status, tuple(active))

    @staticmethod
    def _active_handoffs(session: Any, conversation_id: int) -> list[tuple[int, str | None]]:
        from bot.handoff.models import ACTIVE_STATUSES, Handoff

        rows = session.execute(
            select(Handoff.id, Handoff.ente_gestore_id).where(
                Handoff.conversation_id == conversation_id, Handoff.status.in_(ACTIVE_STATUSES)
            )
        ).all()
        return [(int(r[0]), r[1]) for r in rows]


class Erasure:
    """Async facade of :class:`DataEraser` for the gateway (the erasure runs in a thread).

    Args:
        eraser: the synchronous eraser.
    """

    def __init__(self, eraser: DataEraser) -> None:
        self._eraser = eraser

    async def erase(
        self, sender_id: str, *, requested_by: str = "citizen", channel: str = ""
    ) -> DeletionReport:
        """Erase the conversation of ``sender_id`` (see :meth:`DataEraser.erase`)."""
        return await asyncio.to_thread(
            self._eraser.erase, sender_id, requested_by=requested_by, channel=channel
        )

    def dispose(self) -> None:
        """Close the tracker store's pooled connections."""
        self._eraser.tracker.dispose()
