"""Repository of the ``handoff`` table (sync SQLAlchemy; async callers use the facade).

Every state change is a conditional ``UPDATE ... WHERE status IN (...)``: when two requests
race (two operators claiming, an operator closing while the citizen cancels) exactly one
sees ``rowcount == 1`` and the other gets ``None``. Notes and contacts: ``bot.handoff.desk_repo``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.models import ACTIVE_STATUSES, NORMAL, URGENT, Handoff
from bot.handoff.records import HandoffRecord, QueueItem, ente_filter
from bot.store.models import Base, Conversation, utcnow
from bot.store.records import ConversationRecord


def rowcount(result: Any) -> int:
    """Rows matched by an UPDATE/DELETE (``CursorResult.rowcount``)."""
    return int(getattr(result, "rowcount", 0) or 0)


class HandoffRepository:
    """Handoffs (synchronous; async code uses :class:`bot.handoff.store.HandoffStore`).

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
            if rowcount(switched) != 1:
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
            if rowcount(result) != 1:
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
            conditions=(Handoff.operator_id.is_(None), ente_filter(Handoff.ente_gestore_id, enti)),
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
                    Handoff.status.in_(list(statuses)), ente_filter(Handoff.ente_gestore_id, enti)
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
                .where(Conversation.mode == "bot", ente_filter(Conversation.ente_gestore_id, enti))
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
