"""The durable inbox: citizen messages kept while Rasa does not answer (issue 11, §3).

:class:`InboxRepository` is synchronous SQLAlchemy; async code uses :class:`InboxStore`.
A gateway instance works on one conversation at a time under a lease (``claimed_by``,
``claimed_until``): claiming is one ``UPDATE`` of every row of the conversation whose lease is
free or expired, so two gateways never process the same conversation at once. Rows are
processed in ``id`` order. Rasa's answer is stored in the row as soon as it is given
(:meth:`InboxRepository.answered`, which also marks the message ``forwarded``), so a row
re-claimed after a gateway stopped is never sent to Rasa twice; the row is deleted once the
answer is logged (:meth:`InboxRepository.done`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.sql import Executable

from bot.store.facade import ThreadFacade
from bot.store.models import InboxItem, Message, utcnow


@dataclass(frozen=True)
class InboxEntry:
    """One kept message: what to forward to Rasa, and for which logged message."""

    id: int
    message_id: int
    conversation_id: int
    text: str
    meta: dict[str, Any]
    attempts: int
    created_at: datetime
    #: Rasa's answer when it was given before the gateway stopped (never asked again)
    answer: list[Any] | None = None


def _entry(row: InboxItem) -> InboxEntry:
    return InboxEntry(
        id=row.id,
        message_id=row.message_id,
        conversation_id=row.conversation_id,
        text=row.text,
        meta=dict(row.meta or {}),
        attempts=row.attempts,
        created_at=row.created_at,
        answer=None if row.answer is None else list(row.answer),
    )


class InboxRepository:
    """Rows of ``inbox_item`` (synchronous).

    Args:
        engine: engine of the app database.
    """

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def keep(self, message_id: int, conversation_id: int, text: str, meta: dict[str, Any]) -> int:
        """Keep a message for later and mark it ``queued``; return the inbox row id."""
        with self._sessions() as session, session.begin():
            row = InboxItem(
                message_id=message_id, conversation_id=conversation_id, text=text, meta=meta
            )
            session.add(row)
            session.execute(update(Message).where(Message.id == message_id).values(status="queued"))
            session.flush()
            return row.id

    def adopt_orphans(self, older_than: float, within: float = 86400.0) -> int:
        """Keep citizen messages a stopped gateway left unanswered; return how many.

        A message stays ``received`` only while its gateway waits for Rasa (at most the Rasa
        timeout): after ``older_than`` seconds with no inbox row, its gateway stopped before
        Rasa's answer was logged. It is kept now (status ``queued``), to be answered late like
        any kept message. Only messages of the last ``within`` seconds are looked at.
        """
        now = utcnow()
        kept = select(InboxItem.message_id).where(InboxItem.message_id == Message.id)
        query = (
            select(Message)
            .where(
                Message.direction == "in",
                Message.status == "received",
                Message.created_at < now - timedelta(seconds=older_than),
                Message.created_at > now - timedelta(seconds=within),
                ~kept.exists(),
            )
            .order_by(Message.id)
            .limit(200)
        )
        adopted = 0
        with self._sessions() as session:
            orphans = session.scalars(query).all()
        for row in orphans:  # the logged text; the router strips a typed leading "/"
            meta = {"metadata": dict(row.payload or {}), "event": row.event}
            try:
                self.keep(row.id, row.conversation_id, row.text, meta)
            except IntegrityError:  # another gateway adopted it at the same time
                continue
            adopted += 1
        return adopted

    def pending(self, conversation_id: int) -> int:
        """Number of kept messages of a conversation."""
        with self._sessions() as session:
            query = select(func.count()).where(InboxItem.conversation_id == conversation_id)
            return int(session.scalar(query) or 0)

    def conversations(self, limit: int = 50) -> list[int]:
        """Conversations with kept messages, the oldest kept message first."""
        with self._sessions() as session:
            rows = session.execute(
                select(InboxItem.conversation_id, func.min(InboxItem.id).label("first"))
                .group_by(InboxItem.conversation_id)
                .order_by("first")
                .limit(limit)
            ).all()
            return [int(r[0]) for r in rows]

    def claim(self, conversation_id: int, owner: str, lease_seconds: float) -> list[InboxEntry]:
        """Lease every kept message of a conversation to ``owner``; oldest first.

        Returns an empty list when another owner holds a live lease on any of them.
        """
        now = utcnow()
        until = now + timedelta(seconds=lease_seconds)
        with self._sessions() as session, session.begin():
            busy = session.scalar(
                select(func.count()).where(
                    InboxItem.conversation_id == conversation_id,
                    InboxItem.claimed_by.is_not(None),
                    InboxItem.claimed_by != owner,
                    InboxItem.claimed_until > now,
                )
            )
            if busy:
                return []
            session.execute(
                update(InboxItem)
                .where(
                    InboxItem.conversation_id == conversation_id,
                    or_(
                        InboxItem.claimed_by.is_(None),
                        InboxItem.claimed_by == owner,
                        InboxItem.claimed_until <= now,
                    ),
                )
                .values(claimed_by=owner, claimed_until=until)
            )
            rows = session.scalars(
                select(InboxItem)
                .where(InboxItem.conversation_id == conversation_id, InboxItem.claimed_by == owner)
                .order_by(InboxItem.id)
                .with_for_update()
            ).all()
            return [_entry(r) for r in rows]

    def release(self, conversation_id: int, owner: str, error: str | None = None) -> None:
        """Give the lease back (Rasa still down): count the attempt, keep the rows."""
        with self._sessions() as session, session.begin():
            session.execute(
                update(InboxItem)
                .where(InboxItem.conversation_id == conversation_id, InboxItem.claimed_by == owner)
                .values(
                    claimed_by=None,
                    claimed_until=None,
                    attempts=InboxItem.attempts + 1,
                    last_error=(error or None) and error[:300],
                )
            )

    def answered(self, entry_id: int, message_id: int, answer: list[Any]) -> bool:
        """Store Rasa's answer and mark the message ``forwarded``; False if the row is gone."""
        change = update(InboxItem).where(InboxItem.id == entry_id).values(answer=answer)
        return self._then_forwarded(change, message_id)

    def answer_logged(self, conversation_id: int, message_id: int) -> bool:
        """Whether bot replies were logged after ``message_id`` (its answer, in inbox order)."""
        with self._sessions() as session:
            found = session.scalar(
                select(Message.id)
                .where(
                    Message.conversation_id == conversation_id,
                    Message.id > message_id,
                    Message.direction == "out",
                    Message.sender_kind == "bot",
                )
                .limit(1)
            )
            return found is not None

    def done(self, entry_id: int, message_id: int) -> bool:
        """Drop a processed row and mark its message ``forwarded``; False if already gone."""
        return self._then_forwarded(delete(InboxItem).where(InboxItem.id == entry_id), message_id)

    def _then_forwarded(self, change: Executable, message_id: int) -> bool:
        """Run ``change`` on a row, then mark the message ``forwarded`` (one transaction)."""
        with self._sessions() as session, session.begin():
            if not getattr(session.execute(change), "rowcount", 0):
                return False  # the row is gone (erased, or done by another gateway)
            session.execute(
                update(Message)
                .where(Message.id == message_id)
                .values(status="forwarded", error=None)
            )
            return True


class InboxStore(ThreadFacade):
    """Async facade of :class:`InboxRepository` (one worker-thread hop per call)."""

    def __init__(self, repo: InboxRepository) -> None:
        self._repo = repo

    async def keep(
        self, message_id: int, conversation_id: int, text: str, meta: dict[str, Any]
    ) -> int:
        """See :meth:`InboxRepository.keep`."""
        return await self._call(self._repo.keep, message_id, conversation_id, text, meta)

    async def adopt_orphans(self, older_than: float, within: float = 86400.0) -> int:
        """See :meth:`InboxRepository.adopt_orphans`."""
        return await self._call(self._repo.adopt_orphans, older_than, within)

    async def pending(self, conversation_id: int) -> int:
        """See :meth:`InboxRepository.pending`."""
        return await self._call(self._repo.pending, conversation_id)

    async def conversations(self, limit: int = 50) -> list[int]:
        """See :meth:`InboxRepository.conversations`."""
        return await self._call(self._repo.conversations, limit)

    async def claim(
        self, conversation_id: int, owner: str, lease_seconds: float
    ) -> list[InboxEntry]:
        """See :meth:`InboxRepository.claim`."""
        return await self._call(self._repo.claim, conversation_id, owner, lease_seconds)

    async def release(self, conversation_id: int, owner: str, error: str | None = None) -> None:
        """See :meth:`InboxRepository.release`."""
        await self._call(self._repo.release, conversation_id, owner, error)

    async def answered(self, entry_id: int, message_id: int, answer: list[Any]) -> bool:
        """See :meth:`InboxRepository.answered`."""
        return await self._call(self._repo.answered, entry_id, message_id, answer)

    async def answer_logged(self, conversation_id: int, message_id: int) -> bool:
        """See :meth:`InboxRepository.answer_logged`."""
        return await self._call(self._repo.answer_logged, conversation_id, message_id)

    async def done(self, entry_id: int, message_id: int) -> bool:
        """See :meth:`InboxRepository.done`."""
        return await self._call(self._repo.done, entry_id, message_id)
