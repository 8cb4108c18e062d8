"""SQLAlchemy 2 typed models of the app database (one ``Base`` for the whole app DB).

Vocabulary (stored as plain strings so that PostgreSQL and SQLite behave the same):

* ``Conversation.mode``: ``bot`` (messages go to Rasa) or ``human`` (an operator has it).
* ``Message.direction``: ``in`` (from the citizen) or ``out`` (to the citizen).
* ``Message.sender_kind``: ``citizen``, ``bot``, ``operator`` or ``system`` (gateway notices).
* ``Message.event``: ``text``, ``edit``, ``button``, ``command``, ``location``, ``unsupported``.
* ``Message.status``: inbound ``received`` → ``forwarded`` | ``failed`` | ``rejected`` |
  ``not_forwarded`` | ``to_operator`` | ``queued`` (Rasa did not answer: kept in the durable
  inbox, then ``forwarded`` once answered); outbound ``generated`` → ``delivered`` | ``failed``.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Return the current time in UTC (timezone-aware)."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of the app database (gateway, and later the operator console)."""


class Conversation(Base):
    """One citizen on one channel (``sender_id`` is ``tg-<chat_id>`` or ``web-<session>``)."""

    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    sender_id: Mapped[str] = mapped_column(String(100), unique=True)
    mode: Mapped[str] = mapped_column(String(10), default="bot")
    ente_gestore_id: Mapped[str | None] = mapped_column(String(40), default=None, index=True)
    comune: Mapped[str | None] = mapped_column(String(100), default=None)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Message(Base):
    """One message in or out, logged before it is forwarded or delivered."""

    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_conversation_id_id", "conversation_id", "id"),
        Index("ix_message_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    sender_kind: Mapped[str] = mapped_column(String(10))
    sender_name: Mapped[str | None] = mapped_column(String(100), default=None)
    event: Mapped[str] = mapped_column(String(20), default="text")
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    channel: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), index=True)
    error: Mapped[str | None] = mapped_column(String(300), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CallbackPayload(Base):
    """A button payload too long for Telegram's 64-byte ``callback_data``, kept by short id."""

    __tablename__ = "callback_payload"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DataDeletion(Base):
    """Audit record of one erased conversation: no personal content, only a keyed hash.

    ``conversation_hash`` is HMAC-SHA256 of the ``sender_id`` (key ``SECRET_KEY``), so an
    administrator who is given a sender id can check that it was erased, but the table alone
    does not reveal who talked to the bot. ``counts`` holds the number of rows removed per
    table (and ``tracker_events``); ``tracker`` is ``deleted``, ``not_configured`` or
    ``failed``.
    """

    __tablename__ = "data_deletion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_hash: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(20))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tracker: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnalyticsTurn(Base):
    """What the bot understood and showed for one citizen message: no text, ever (v5).

    Written by the gateway when it relays Rasa's reply (``bot.analytics.recorder``), read
    only as aggregates (``bot.analytics.report``). ``intent``/``confidence``/``fallback`` come
    from Rasa's tracker store (the last ``user`` event), the rest from the reply payloads:
    ``category`` (need category of a ``services`` payload or of the need intent),
    ``service_ids`` (services shown), ``services_total`` (None: no search in this turn; 0: a
    search that found nothing), ``risk_kind`` (``violence``/``self_harm`` emergency payload),
    ``handoff_reason``. Erased with its conversation (foreign key, see ``bot.store.deletion``).
    """

    __tablename__ = "analytics_turn"
    __table_args__ = (Index("ix_analytics_turn_created_ente", "created_at", "ente_gestore_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    comune: Mapped[str | None] = mapped_column(String(100), default=None)
    ente_gestore_id: Mapped[str | None] = mapped_column(String(40), default=None)
    intent: Mapped[str | None] = mapped_column(String(60), default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    misunderstood_intent: Mapped[str | None] = mapped_column(String(60), default=None)
    category: Mapped[str | None] = mapped_column(String(32), default=None)
    service_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    services_total: Mapped[int | None] = mapped_column(Integer, default=None)
    risk_kind: Mapped[str | None] = mapped_column(String(20), default=None)
    handoff_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnalyticsDaily(Base):
    """Roll-up counter (v7): one figure of a Europe/Rome day, ente, comune and channel.

    Only conversations whose whole log falls on that day with one channel, ente and comune
    are counted (``bot.analytics.rollup``); '' stands for no ente / comune / channel. ``n``
    counts conversations, except the sums ``messages``, ``turns``, ``fallback_turns`` and
    ``wait`` (handoffs with the wait in minutes ``key``). No text, no conversation id.
    """

    __tablename__ = "analytics_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    ente_gestore_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    comune: Mapped[str] = mapped_column(String(100), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    figure: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class AnalyticsRolled(Base):
    """How the roll-up took a conversation (v7), erased with it.

    ``day``: counted in the counters of that day; None: read from the log by the report
    (several days, channels or areas, an open handoff).
    """

    __tablename__ = "analytics_rolled"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date | None] = mapped_column(Date, default=None, index=True)


class AnalyticsRolledDay(Base):
    """A rolled-up day (v7) and how many conversations its counters hold."""

    __tablename__ = "analytics_rolled_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    conversations: Mapped[int] = mapped_column(Integer)
    rolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InboxItem(Base):
    """A citizen message Rasa did not answer yet: the durable inbox (``bot.gateway.inbox``).

    One row per message (``message_id`` unique), processed in ``id`` order per conversation
    and deleted once its answer is logged; ``answer`` keeps Rasa's answer meanwhile (it is
    never asked twice). ``claimed_by`` /
    ``claimed_until`` are the lease of the gateway instance working on the conversation.
    """

    __tablename__ = "inbox_item"
    __table_args__ = (Index("ix_inbox_item_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("message.id", ondelete="CASCADE"), unique=True
    )
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: Rasa's answer, stored as soon as Rasa gives it: a re-claimed row is not sent again
    answer: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NluInboxItem(Base):
    """One citizen message the NLU did not understand or was unsure of (the admins' inbox).

    ``text`` is already masked (``bot.nlu_inbox.masking``): the original stays only in the
    message log and Rasa's tracker (``event_id``), where the erasure finds it. ``reasons``:
    ``nlu_fallback``, ``low_confidence``, ``rejected_suggestion`` ("No, altro" to "Intendevi…?"),
    ``handoff_fallback``, ``operator_flag``. ``status``: ``new`` → ``annotated`` → ``added``
    (written to ``nlu/data/inbox/<intent>.yml``), or ``ignored``. ``group_key`` joins
    near-duplicates.
    """

    __tablename__ = "nlu_inbox_item"
    __table_args__ = (Index("ix_nlu_inbox_item_status_received", "status", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), default=None, index=True
    )
    sender_id: Mapped[str] = mapped_column(String(255), index=True)
    event_id: Mapped[int | None] = mapped_column(Integer, unique=True, default=None)
    message_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    text: Mapped[str] = mapped_column(Text)
    group_key: Mapped[str] = mapped_column(String(300), index=True)
    predicted_intent: Mapped[str | None] = mapped_column(String(80), default=None, index=True)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    ranking: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    channel: Mapped[str] = mapped_column(String(20), default="")
    comune: Mapped[str | None] = mapped_column(String(100), default=None)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="new")
    intent: Mapped[str | None] = mapped_column(String(80), default=None)
    entities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    annotated_by: Mapped[str | None] = mapped_column(String(100), default=None)
    training_file: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class NluInboxCursor(Base):
    """How far the inbox has read a source (``tracker``: the last ``events.id`` seen)."""

    __tablename__ = "nlu_inbox_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class AdminAudit(Base):
    """Audit of an admin action that needs one (reveal an inbox text, deploy, override...).

    ``detail`` never holds message text: ids, versions, counts.
    """

    __tablename__ = "admin_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NluModel(Base):
    """One model of the registry (``bot.nlu_models``): a training run and its result.

    ``status``: ``training`` → ``trained`` | ``failed``. ``data_checksum`` covers the config
    and every training input (no retraining when nothing changed); ``progress`` holds
    ``{epoch, epochs, elapsed}`` while it trains; ``error`` the end of Rasa's output on failure.
    """

    __tablename__ = "nlu_model"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="training", index=True)
    kind: Mapped[str] = mapped_column(String(8), default="full")
    config: Mapped[str] = mapped_column(String(300))
    data_checksum: Mapped[str] = mapped_column(String(64), index=True)
    started_by: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int | None] = mapped_column(Integer, default=None)
    model_path: Mapped[str | None] = mapped_column(String(300), default=None)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class NluTrainingLock(Base):
    """Single row: the model being trained (one training at a time, across processes)."""

    __tablename__ = "nlu_training_lock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int | None] = mapped_column(Integer, default=None)
