"""The change history of the catalog records edited in the admin area or the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base


class CatalogChange(Base):
    """One change of one record: who, when, what (the record before and after).

    ``record_type`` is ``service``, ``opportunity`` or ``ente_gestore``; ``before``/``after``
    are the record in the seed format (``None`` before a creation); ``fields`` lists the keys
    that changed. Rows are never updated nor deleted by the application.
    """

    __tablename__ = "catalog_change"
    __table_args__ = (Index("ix_catalog_change_record", "record_type", "record_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_type: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
