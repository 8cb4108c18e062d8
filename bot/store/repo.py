"""Repository of the conversations and the message log: sessions on the app database.

Methods are synchronous (SQLAlchemy sessions). Async code uses the facade
:class:`bot.store.facade.ConversationStore`, which runs them in a worker thread, so the event
loop never waits on the database; CLIs and the erasure use the repository directly.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import CallbackPayload, Conversation, Message, utcnow
from bot.store.records import ConversationRecord, MessageRecord

#: Longest text kept in the log for one message (abuse guard; the full length is recorded).
MAX_LOGGED_CHARS = 20_000


class ConversationRepository:
    """Conversations, message log and Telegram callback ids (synchronous).

    Args:
        engine: engine of the app database (see :func:`bot.store.db.create_store_engine`).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session that commits on success and rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def ping(self) -> bool:
        """Tell whether the database answers a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - health check: any failure means "down"
            return False

    # -- conversations -------------------------------------------------------------------

    def get_or_create_conversation(
        self,
        channel: str,
        sender_id: str,
        *,
        ente_gestore_id: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> ConversationRecord:
        """Return the conversation of ``sender_id``, creating it on first contact.

        Args:
            channel: ``telegram`` or ``web``.
            sender_id: ``tg-<chat_id>`` or ``web-<session>``.
            ente_gestore_id: ente gestore hinted by the channel (e.g. the widget's consortium),
                stored only when the conversation has none yet.
            meta: channel details merged into ``Conversation.meta``.
        """
        for _attempt in range(2):
            try:
                with self.session() as session:
                    row = session.scalar(
                        select(Conversation).where(Conversation.sender_id == sender_id)
                    )
                    if row is None:
                        row = Conversation(
                            channel=channel,
                            sender_id=sender_id,
                            mode="bot",
                            ente_gestore_id=ente_gestore_id,
                            meta=dict(meta or {}),
                        )
                        session.add(row)
                    else:
                        if ente_gestore_id and not row.ente_gestore_id:
                            row.ente_gestore_id = ente_gestore_id
                        if meta and any(row.meta.get(k) != v for k, v in meta.items()):
                            row.meta = {**row.meta, **meta}
                    session.flush()
                    return ConversationRecord.from_model(row)
            except IntegrityError:  # created concurrently: read it on the next attempt
                continue
        raise RuntimeError(f"cannot create conversation {sender_id!r}")

    def get_conversation(self, conversation_id: int) -> ConversationRecord | None:
        """Return a conversation by id, or None."""
        with self.session() as session:
            row = session.get(Conversation, conversation_id)
            return ConversationRecord.from_model(row) if row else None

    def find_conversation(self, sender_id: str) -> ConversationRecord | None:
        """Return the conversation of ``sender_id``, or None."""
        with self.session() as session:
            row = session.scalar(select(Conversation).where(Conversation.sender_id == sender_id))
            return ConversationRecord.from_model(row) if row else None

    def update_conversation(
        self,
        conversation_id: int,
        *,
        mode: str | None = None,
        comune: str | None = None,
        ente_gestore_id: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> ConversationRecord | None:
        """Set the given fields of a conversation (None = unchanged); return it updated."""
        with self.session() as session:
            row = session.get(Conversation, conversation_id)
            if row is None:
                return None
            if mode is not None:
                row.mode = mode
            if comune is not None:
                row.comune = comune
            if ente_gestore_id is not None:
                row.ente_gestore_id = ente_gestore_id
            if meta:
                row.meta = {**row.meta, **meta}
            row.updated_at = utcnow()
            session.flush()
            return ConversationRecord.from_model(row)

    # -- message log ---------------------------------------------------------------------

    def log_message(
        self,
        conversation: ConversationRecord,
        *,
        direction: str,
        sender_kind: str,
        text: str,
        status: str,
        event: str = "text",
        payload: dict[str, Any] | None = None,
        sender_name: str | None = None,
    ) -> MessageRecord:
        """Append one message to the log (channel and mode are taken from the conversation).

        Texts longer than ``MAX_LOGGED_CHARS`` are cut; ``payload["length"]`` keeps the
        original length.
        """
        payload = dict(payload or {})
        if len(text) > MAX_LOGGED_CHARS:
            payload["length"] = len(text)
            text = text[:MAX_LOGGED_CHARS]
        with self.session() as session:
            row = Message(
                conversation_id=conversation.id,
                direction=direction,
                sender_kind=sender_kind,
                sender_name=sender_name,
                event=event,
                text=text,
                payload=payload,
                channel=conversation.channel,
                mode=conversation.mode,
                status=status,
            )
            session.add(row)
            session.execute(
                update(Conversation)
                .where(Conversation.id == conversation.id)
                .values(updated_at=utcnow())
            )
            session.flush()
            return MessageRecord.from_model(row)

    def set_status(self, message_ids: Iterable[int], status: str, error: str | None = None) -> None:
        """Set the status (and error text) of logged messages."""
        ids = list(message_ids)
        if not ids:
            return
        with self.session() as session:
            session.execute(
                update(Message)
                .where(Message.id.in_(ids))
                .values(status=status, error=(error or None) and error[:300])
            )

    def history(self, conversation_id: int, limit: int = 200) -> list[MessageRecord]:
        """Return the last ``limit`` messages of a conversation, oldest first."""
        with self.session() as session:
            rows = session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id.desc())
                .limit(limit)
            ).all()
            return [MessageRecord.from_model(row) for row in reversed(rows)]

    def messages_with_status(self, status: str, limit: int = 100) -> list[MessageRecord]:
        """Return logged messages with the given status, oldest first."""
        with self.session() as session:
            rows = session.scalars(
                select(Message).where(Message.status == status).order_by(Message.id).limit(limit)
            ).all()
            return [MessageRecord.from_model(row) for row in rows]

    # -- Telegram callback ids -----------------------------------------------------------

    def short_callback_id(self, payload: str, title: str = "") -> str:
        """Store a long button payload and return its short, stable id (16 characters)."""
        digest = hashlib.sha256(payload.encode("utf-8")).digest()
        key = base64.urlsafe_b64encode(digest[:12]).decode("ascii")
        try:
            with self.session() as session:
                if session.get(CallbackPayload, key) is None:
                    session.add(CallbackPayload(id=key, payload=payload, title=title[:200]))
        except IntegrityError:  # stored concurrently by another request: same content
            pass
        return key

    def resolve_callback_id(self, key: str) -> tuple[str, str] | None:
        """Return ``(payload, title)`` stored under ``key``, or None."""
        with self.session() as session:
            row = session.get(CallbackPayload, key)
            return (row.payload, row.title) if row else None
