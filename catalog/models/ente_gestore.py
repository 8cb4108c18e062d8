"""Enti gestori of the social-welfare functions (L.R. 1/2004)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base

if TYPE_CHECKING:
    from catalog.models.comune import Comune
    from catalog.models.organization import Organization


class EnteGestore(Base):
    """A consortium/union running the social services of a group of comuni.

    Its ``id`` is also the id of its :class:`Organization` row (the provider of its services);
    its offices are that organization's locations. ``website``, ``email`` and ``phone`` repeat
    the first confirmed (not low-confidence) :class:`EnteContact` of each kind.
    """

    __tablename__ = "ente_gestore"

    id: Mapped[str] = mapped_column(
        String(64), ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(100))
    legal_form: Mapped[str | None] = mapped_column(Text)
    distretto: Mapped[int] = mapped_column(Integer, index=True)
    seat_comune: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(64))
    last_verified: Mapped[date | None] = mapped_column(Date)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    organization: Mapped[Organization] = relationship()
    comuni: Mapped[list[Comune]] = relationship(
        back_populates="ente_gestore", foreign_keys="Comune.ente_gestore_id"
    )
    contacts: Mapped[list[EnteContact]] = relationship(
        order_by="EnteContact.position", cascade="all, delete-orphan", passive_deletes=True
    )


class EnteContact(Base):
    """A contact of an ente gestore read in a source: head office, phone, fax, e-mail, PEC, site.

    ``last_verified`` is the date of the document it was read in (None: undated source);
    ``confidence`` ``low`` marks a value whose role is uncertain (shown "da verificare").
    """

    __tablename__ = "ente_contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ente_gestore_id: Mapped[str] = mapped_column(
        ForeignKey("ente_gestore.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(500))
    label: Mapped[str | None] = mapped_column(String(200))
    confidence: Mapped[str] = mapped_column(String(8))
    last_verified: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
