"""Time-bounded opportunities: calls, courses, events, traineeships, temporary measures."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base


class Opportunity(Base):
    """An item valid from ``valid_from`` to ``valid_to``; never shown once expired or inactive."""

    __tablename__ = "opportunity"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    title: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32), index=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    last_verified: Mapped[date | None] = mapped_column(Date)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    areas: Mapped[list[OpportunityArea]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class OpportunityArea(Base):
    """Where an opportunity applies (same scopes as ``service_area``)."""

    __tablename__ = "opportunity_area"
    __table_args__ = (Index("ix_opportunity_area_lookup", "scope", "value", "opportunity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))
