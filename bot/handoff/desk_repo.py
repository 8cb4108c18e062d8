"""Repository of the operators' desk: internal notes and contacts left out of hours (sync)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.models import ConsoleNote, ContactRequest
from bot.handoff.records import ContactRecord, NoteRecord, ente_filter
from bot.handoff.repo import rowcount
from bot.store.models import Base
from bot.store.records import _aware


class DeskRepository:
    """Internal notes and contact requests (async code uses ``bot.handoff.store.DeskStore``).

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
            return ContactRecord.from_model(row)

    def contacts(
        self, enti: Sequence[str] | None, *, pending_only: bool = True
    ) -> list[ContactRecord]:
        """Return contact requests of the given enti, oldest first."""
        with self.session() as session:
            query = select(ContactRequest).where(ente_filter(ContactRequest.ente_gestore_id, enti))
            if pending_only:
                query = query.where(ContactRequest.handled_at.is_(None))
            rows = session.scalars(query.order_by(ContactRequest.id)).all()
            return [ContactRecord.from_model(r) for r in rows]

    def get_contact(self, contact_id: int) -> ContactRecord | None:
        """Return one contact request."""
        with self.session() as session:
            row = session.get(ContactRequest, contact_id)
            return ContactRecord.from_model(row) if row else None

    def mark_contact_handled(self, contact_id: int, by: str, now: datetime) -> bool:
        """Mark a contact request as handled (once)."""
        with self.session() as session:
            result = session.execute(
                update(ContactRequest)
                .where(ContactRequest.id == contact_id, ContactRequest.handled_at.is_(None))
                .values(handled_at=now, handled_by=by)
            )
            return rowcount(result) == 1
