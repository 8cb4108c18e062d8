"""Enti gestori of the social-welfare functions (L.R. 1/2004)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base

if TYPE_CHECKING:
    from catalog.models.comune import Comune
    from catalog.models.organization import Organization


class EnteGestore(Base):
    """A consortium/union running the social services of a group of comuni.

    Its ``id`` is also the id of its :class:`Organization` row (the provider of its services);
    its offices are that organization's locations.
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
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    organization: Mapped[Organization] = relationship()
    comuni: Mapped[list[Comune]] = relationship(
        back_populates="ente_gestore", foreign_keys="Comune.ente_gestore_id"
    )
