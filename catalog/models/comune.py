"""Comuni of ASL TO4 and the out-of-area comuni a citizen may name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base

if TYPE_CHECKING:
    from catalog.models.ente_gestore import EnteGestore


class Comune(Base):
    """A comune of the ASL TO4 area with its ente gestore and distretto della coesione."""

    __tablename__ = "comune"

    istat_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    cap: Mapped[str | None] = mapped_column(String(32), index=True)
    ente_gestore_id: Mapped[str | None] = mapped_column(
        ForeignKey("ente_gestore.id"), index=True
    )
    ente_gestore_alt_id: Mapped[str | None] = mapped_column(ForeignKey("ente_gestore.id"))
    distretto: Mapped[int | None] = mapped_column(Integer)
    population: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    ente_gestore: Mapped[EnteGestore | None] = relationship(
        back_populates="comuni", foreign_keys=[ente_gestore_id]
    )


class ComuneFuoriArea(Base):
    """A comune outside ASL TO4 (so the assistant can say it is not covered)."""

    __tablename__ = "comune_fuori_area"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    provincia: Mapped[str] = mapped_column(String(2))
    asl: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(Text)
