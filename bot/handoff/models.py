"""Tables of the handoff and the operator console (same ``Base`` as the gateway's app DB).

Vocabulary of ``Handoff.status`` (plain strings, as in ``bot.store.models``):

* active: ``offline`` (outside the operator hours: hours and emergency numbers sent, contact
  offered), ``awaiting_contact`` (the citizen chose to leave a contact), ``queued`` (waiting
  for an operator; ``ente_gestore_id`` NULL = the triage queue), ``assigned`` (an operator
  has it). The comune is asked by Rasa before the handoff (``actions/handoff.py``); databases
  from before that keep no ``awaiting_comune`` row (old step 3, ``bot.store.migrations.legacy``);
* final: ``returned`` (handed back to the bot), ``closed`` (closed by an operator),
  ``cancelled`` (the citizen went back to the bot), ``contact_left`` (contact stored).

While a conversation has an active handoff its ``Conversation.mode`` is ``human``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, utcnow

ACTIVE_STATUSES = ("offline", "awaiting_contact", "queued", "assigned")
FINAL_STATUSES = ("returned", "closed", "cancelled", "contact_left")
ROLES = ("operator", "supervisor", "admin", "editor")
#: Roles of the help desk (queue, conversations); an editor only edits the catalog of its enti.
DESK_ROLES = ("operator", "supervisor", "admin")
#: Roles that enter the admin area (``/console/admin``); each section narrows it further.
ADMIN_AREA_ROLES = ("admin", "editor")
#: ``Handoff.priority`` values.
NORMAL, URGENT = 0, 1
#: Handoff reasons of a person at risk (bot payload, or a risk seen by the gateway).
URGENT_REASONS = ("self_harm", "violence")


class Operator(Base):
    """A help-desk account of the console (``role`` one of :data:`ROLES`)."""

    __tablename__ = "operator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="operator")
    enti: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OperatorSession(Base):
    """A console login; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "operator_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Handoff(Base):
    """One request of a citizen to talk to a person, from the bot's offer to its end."""

    __tablename__ = "handoff"
    __table_args__ = (Index("ix_handoff_status_ente", "status", "ente_gestore_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    ente_gestore_id: Mapped[str | None] = mapped_column(String(40), default=None)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(40), default="request")
    need: Mapped[str | None] = mapped_column(String(40), default=None)
    #: URGENT for a person at risk (violence, self-harm): first in the queue, marked in red.
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("operator.id", ondelete="SET NULL"), default=None
    )
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ConsoleNote(Base):
    """An internal note on a conversation: operators only, never sent to the citizen."""

    __tablename__ = "console_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("operator.id", ondelete="SET NULL"), default=None
    )
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ContactRequest(Base):
    """A contact left by a citizen outside the operator hours (shown in the console)."""

    __tablename__ = "contact_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    ente_gestore_id: Mapped[str | None] = mapped_column(String(40), default=None, index=True)
    contact: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    handled_by: Mapped[str | None] = mapped_column(String(100), default=None)
