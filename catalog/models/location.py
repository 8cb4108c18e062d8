"""Locations (offices) and their opening hours."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base

if TYPE_CHECKING:
    from catalog.models.organization import Organization


class Location(Base):
    """A physical office of an organization (HSDS ``location``); address only when sourced."""

    __tablename__ = "location"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    comune: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    confidence: Mapped[str] = mapped_column(String(8))

    organization: Mapped[Organization] = relationship(back_populates="locations")
    schedules: Mapped[list[Schedule]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class ServiceAtLocation(Base):
    """A service delivered at a location (HSDS ``service_at_location``)."""

    __tablename__ = "service_at_location"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[int] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )


class Schedule(Base):
    """Opening hours of a location (HSDS ``schedule``); empty until a source gives them."""

    __tablename__ = "schedule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    byday: Mapped[str | None] = mapped_column(String(32))
    opens_at: Mapped[str | None] = mapped_column(String(5))
    closes_at: Mapped[str | None] = mapped_column(String(5))
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
