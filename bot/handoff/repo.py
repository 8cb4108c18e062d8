"""Repository of the handoff tables (sync SQLAlchemy; async callers use ``asyncio.to_thread``).

Every state change is a conditional ``UPDATE ... WHERE status IN (...)``: when two requests
race (two operators claiming, an operator closing while the citizen cancels) exactly one
sees ``rowcount == 1`` and the other gets ``None``/``False``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.models import (
    ACTIVE_STATUSES,
    NORMAL,
    URGENT,
    ConsoleNote,
    ContactRequest,
    Handoff,
)
from bot.store.models import Base, Conversation, utcnow
from bot.store.records import ConversationRecord, _aware

NO_ENTE = ""
"""Marker for "conversations without an ente gestore" in visibility filters (triage)."""


def _rowcount(result: Any) -> int:
    """Rows matched by an UPDATE/DELETE (``CursorResult.rowcount``)."""
    return int(getattr(result, "rowcount", 0) or 0)


def _opt(value: datetime | None) -> datetime | None:
    return _aware(value) if value is not None else None


@dataclass(frozen=True)
class HandoffRecord:
    """A handoff as seen by the service and the console."""

    id: int
    conversation_id: int
    ente_gestore_id: str | None
    status: str
    reason: str
    need: str | None
    operator_id: int | None
    meta: dict[str, Any]
    created_at: datetime
    queued_at: datetime | None
    claimed_at: datetime | None
    ended_at: datetime | None
    priority: int = NORMAL

    @classmethod
    def from_model(cls, row: Handoff) -> HandoffRecord:
        """Copy an ORM row into a record."""
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            ente_gestore_id=row.ente_gestore_id,
            status=row.status,
            reason=row.reason,
            need=row.need,
            operator_id=row.operator_id,
            meta=dict(row.meta or {}),
            created_at=_aware(row.created_at),
            queued_at=_opt(row.queued_at),
            claimed_at=_opt(row.claimed_at),
            ended_at=_opt(row.ended_at),
            priority=int(row.priority or 0),
        )

    @property
    def urgent(self) -> bool:
        """True for a person at risk (violence, self-harm)."""
        return self.priority >= URGENT

    @property
    def active(self) -> bool:
        """True while the handoff keeps the conversation away from the bot."""
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True)
class NoteRecord:
    """An internal note."""

    id: int
    conversation_id: int
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class ContactRecord:
    """A contact left out of hours."""

    id: int
    conversation_id: int
    ente_gestore_id: str | None
    contact: str
    created_at: datetime
    handled_at: datetime | None
    handled_by: str | None


@dataclass(frozen=True)
class QueueItem:
    """A handoff with its conversation (console lists)."""

    handoff: HandoffRecord
    conversation: ConversationRecord
    extra: dict[str, Any] = field(default_factory=dict)


def _ente_filter(column: Any, enti: Sequence[str] | None) -> Any:
    """SQL condition "column is one of ``enti``" (None = no filter; ``NO_ENTE`` = NULL)."""
    if enti is None:
        return True
    named = [e for e in enti if e != NO_ENTE]
    conds = [column.in_(named)] if named else []
    if NO_ENTE in enti:
        conds.append(column.is_(None))
    return or_(*conds) if conds else False


class HandoffStore:
    """Handoffs, internal notes and contact requests.

    Args:
        engine: engine of the app database (tables are created when missing).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session that commits on success and rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    # -- handoffs ------------------------------------------------------------------------

    def begin(
        self,
        conversation_id: int,
        *,
        status: str,
        now: datetime,
        ente_gestore_id: str | None,
        reason: str,
        need: str | None = None,
        operator_id: int | None = None,
        priority: int = NORMAL,
    ) -> HandoffRecord | None:
        """Switch the conversation from bot to human mode and open a handoff, atomically.

        Returns:
            The new handoff, or None when the conversation was not in bot mode (someone
            else opened a handoff first).
        """
        with self.session() as session:
            switched = session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.mode == "bot")
                .values(mode="human", updated_at=now)
            )
            if _rowcount(switched) != 1:
                return None
            row = Handoff(
                conversation_id=conversation_id,
                ente_gestore_id=ente_gestore_id,
                status=status,
                reason=reason[:40],
                need=need,
                priority=priority,
                operator_id=operator_id,
                meta={},
                created_at=now,
                queued_at=now if status == "queued" else None,
                claimed_at=now if status == "assigned" else None,
            )
            session.add(row)
            session.flush()
            return HandoffRecord.from_model(row)

    def get(self, handoff_id: int) -> HandoffRecord | None:
        """Return a handoff by id."""
        with self.session() as session:
            row = session.get(Handoff, handoff_id)
            return HandoffRecord.from_model(row) if row else None

    def active_for(self, conversation_id: int) -> HandoffRecord | None:
        """Return the active handoff of a conversation, if any (the latest one)."""
        with self.session() as session:
            row = session.scalar(
                select(Handoff)
                .where(
                    Handoff.conversation_id == conversation_id,
                    Handoff.status.in_(ACTIVE_STATUSES),
                )
                .order_by(Handoff.id.desc())
                .limit(1)
            )
            return HandoffRecord.from_model(row) if row else None

    def latest_for(self, conversation_id: int) -> HandoffRecord | None:
        """Return the latest handoff of a conversation, active or not."""
        with self.session() as session:
            row = session.scalar(
                select(Handoff)
                .where(Handoff.conversation_id == conversation_id)
                .order_by(Handoff.id.desc())
                .limit(1)
            )
            return HandoffRecord.from_model(row) if row else None

    def transition(
        self,
        handoff_id: int,
        expected: Iterable[str],
        *,
        conditions: Sequence[Any] = (),
        **values: Any,
    ) -> HandoffRecord | None:
        """Update a handoff only if its status is in ``expected`` (and ``conditions`` hold).

        When the new status is final, the conversation goes back to bot mode in the same
        transaction.

        Returns:
            The updated handoff, or None when the condition failed (lost a race).
        """
        with self.session() as session:
            result = session.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id, Handoff.status.in_(list(expected)), *conditions)
                .values(**values)
            )
            if _rowcount(result) != 1:
                return None
            row = session.get(Handoff, handoff_id)
            assert row is not None
            session.refresh(row)
            if row.status not in ACTIVE_STATUSES:
                session.execute(
                    update(Conversation)
                    .where(Conversation.id == row.conversation_id)
                    .values(mode="bot", updated_at=utcnow())
                )
            return HandoffRecord.from_model(row)

    def claim(
        self, handoff_id: int, operator_id: int, enti: Sequence[str] | None, now: datetime
    ) -> HandoffRecord | None:
        """Give a queued handoff to an operator: exactly one of concurrent claims wins.

        Args:
            handoff_id: the handoff.
            operator_id: who claims it.
            enti: enti gestori the operator may serve (None = any).
            now: claim time.
        """
        return self.transition(
            handoff_id,
            ("queued",),
            conditions=(Handoff.operator_id.is_(None), _ente_filter(Handoff.ente_gestore_id, enti)),
            status="assigned",
            operator_id=operator_id,
            claimed_at=now,
        )

    def escalate(self, handoff_id: int, risk: str) -> HandoffRecord | None:
        """Make an active handoff urgent (a risk seen during it); None when not active."""
        with self.session() as session:
            row = session.get(Handoff, handoff_id)
            if row is None or row.status not in ACTIVE_STATUSES:
                return None
            row.priority = URGENT
            row.meta = {**(row.meta or {}), "risk": risk}
            session.flush()
            return HandoffRecord.from_model(row)

    def set_meta(self, handoff_id: int, **values: Any) -> None:
        """Merge ``values`` into the handoff's ``meta``."""
        with self.session() as session:
            row = session.get(Handoff, handoff_id)
            if row is not None:
                row.meta = {**(row.meta or {}), **values}

    def queue_position(self, handoff: HandoffRecord) -> int:
        """1-based position of a queued handoff in its ente gestore's queue (0 if not queued)."""
        if handoff.status != "queued" or handoff.queued_at is None:
            return 0
        with self.session() as session:
            ente_cond = (
                Handoff.ente_gestore_id == handoff.ente_gestore_id
                if handoff.ente_gestore_id
                else Handoff.ente_gestore_id.is_(None)
            )
            same = Handoff.priority == handoff.priority
            ahead = session.scalar(
                select(func.count(Handoff.id)).where(
                    Handoff.status == "queued",
                    ente_cond,
                    or_(
                        Handoff.priority > handoff.priority,
                        and_(same, Handoff.queued_at < handoff.queued_at),
                        and_(same, Handoff.queued_at == handoff.queued_at, Handoff.id < handoff.id),
                    ),
                )
            )
            return int(ahead or 0) + 1

    def list_active(
        self, enti: Sequence[str] | None, statuses: Sequence[str] = ("queued", "assigned")
    ) -> list[QueueItem]:
        """Return active handoffs (urgent first, then oldest) with conversations, by ente."""
        with self.session() as session:
            rows = session.execute(
                select(Handoff, Conversation)
                .join(Conversation, Conversation.id == Handoff.conversation_id)
                .where(
                    Handoff.status.in_(list(statuses)), _ente_filter(Handoff.ente_gestore_id, enti)
                )
                .order_by(
                    Handoff.priority.desc(), Handoff.queued_at, Handoff.created_at, Handoff.id
                )
            ).all()
            return [
                QueueItem(HandoffRecord.from_model(h), ConversationRecord.from_model(c))
                for h, c in rows
            ]

    def recent_bot_conversations(
        self, enti: Sequence[str] | None, limit: int = 30
    ) -> list[ConversationRecord]:
        """Return the latest bot-mode conversations (candidates for an operator takeover)."""
        with self.session() as session:
            rows = session.scalars(
                select(Conversation)
                .where(Conversation.mode == "bot", _ente_filter(Conversation.ente_gestore_id, enti))
                .order_by(Conversation.updated_at.desc())
                .limit(limit)
            ).all()
            return [ConversationRecord.from_model(r) for r in rows]

    def set_conversation_ente(
        self, conversation_id: int, ente_gestore_id: str | None, comune: str | None = None
    ) -> None:
        """Record the ente gestore (and comune) learned during the handoff."""
        values: dict[str, Any] = {"ente_gestore_id": ente_gestore_id}
        if comune:
            values["comune"] = comune
        with self.session() as session:
            session.execute(
                update(Conversation).where(Conversation.id == conversation_id).values(**values)
            )

    # -- notes and contacts --------------------------------------------------------------

    def add_note(
        self, conversation_id: int, operator_id: int | None, author: str, text: str, now: datetime
    ) -> NoteRecord:
        """Store an internal note."""
        with self.session() as session:
            row = ConsoleNote(
                conversation_id=conversation_id,
                operator_id=operator_id,
                author=author,
                text=text,
                created_at=now,
            )
            session.add(row)
            session.flush()
            return NoteRecord(row.id, conversation_id, author, text, _aware(row.created_at))

    def notes(self, conversation_id: int) -> list[NoteRecord]:
        """Return the notes of a conversation, oldest first."""
        with self.session() as session:
            rows = session.scalars(
                select(ConsoleNote)
                .where(ConsoleNote.conversation_id == conversation_id)
                .order_by(ConsoleNote.id)
            ).all()
            return [
                NoteRecord(r.id, r.conversation_id, r.author, r.text, _aware(r.created_at))
                for r in rows
            ]

    def add_contact(
        self, conversation_id: int, ente_gestore_id: str | None, contact: str, now: datetime
    ) -> ContactRecord:
        """Store a contact left by a citizen out of hours."""
        with self.session() as session:
            row = ContactRequest(
                conversation_id=conversation_id,
                ente_gestore_id=ente_gestore_id,
                contact=contact[:500],
                created_at=now,
            )
            session.add(row)
            session.flush()
            return _contact(row)

    def contacts(
        self, enti: Sequence[str] | None, *, pending_only: bool = True
    ) -> list[ContactRecord]:
        """Return contact requests of the given enti, oldest first."""
        with self.session() as session:
            query = select(ContactRequest).where(_ente_filter(ContactRequest.ente_gestore_id, enti))
            if pending_only:
                query = query.where(ContactRequest.handled_at.is_(None))
            rows = session.scalars(query.order_by(ContactRequest.id)).all()
            return [_contact(r) for r in rows]

    def get_contact(self, contact_id: int) -> ContactRecord | None:
        """Return one contact request."""
        with self.session() as session:
            row = session.get(ContactRequest, contact_id)
            return _contact(row) if row else None

    def mark_contact_handled(self, contact_id: int, by: str, now: datetime) -> bool:
        """Mark a contact request as handled (once)."""
        with self.session() as session:
            result = session.execute(
                update(ContactRequest)
                .where(ContactRequest.id == contact_id, ContactRequest.handled_at.is_(None))
                .values(handled_at=now, handled_by=by)
            )
            return _rowcount(result) == 1


def _contact(row: ContactRequest) -> ContactRecord:
    return ContactRecord(
        id=row.id,
        conversation_id=row.conversation_id,
        ente_gestore_id=row.ente_gestore_id,
        contact=row.contact,
        created_at=_aware(row.created_at),
        handled_at=_opt(row.handled_at),
        handled_by=row.handled_by,
    )
