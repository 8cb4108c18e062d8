"""Services and their parts: categories, target groups, area, documents, contacts, helpline."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base

if TYPE_CHECKING:
    from catalog.models.location import ServiceAtLocation
    from catalog.models.organization import Organization



def _service_fk() -> Mapped[str]:
    return mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)


class Service(Base):
    """A service offered by an organization (HSDS ``service``)."""

    __tablename__ = "service"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(32), index=True)
    summary: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    eligibility: Mapped[str | None] = mapped_column(Text)
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    how_to_apply: Mapped[str] = mapped_column(Text)
    cost: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    keywords: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")
    last_verified: Mapped[date | None] = mapped_column(Date)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(200), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    organization: Mapped[Organization] = relationship(back_populates="services")
    categories: Mapped[list[ServiceCategory]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    target_groups: Mapped[list[ServiceTargetGroup]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    areas: Mapped[list[ServiceArea]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    documents: Mapped[list[RequiredDocument]] = relationship(
        order_by="RequiredDocument.position", cascade="all, delete-orphan", passive_deletes=True
    )
    contacts: Mapped[list[Contact]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    phones: Mapped[list[Phone]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    helpline: Mapped[Helpline | None] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    search: Mapped[ServiceSearch | None] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    facets: Mapped[list[ServiceFacet]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    locations: Mapped[list[ServiceAtLocation]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class ServiceCategory(Base):
    """A category of a service (the primary one and the extra ones)."""

    __tablename__ = "service_category"
    __table_args__ = (Index("ix_service_category_lookup", "category", "service_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = _service_fk()
    category: Mapped[str] = mapped_column(String(32))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class ServiceTargetGroup(Base):
    """A target group a service is meant for."""

    __tablename__ = "service_target_group"
    __table_args__ = (Index("ix_service_target_group_lookup", "target_group", "service_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = _service_fk()
    target_group: Mapped[str] = mapped_column(String(16))


class ServiceArea(Base):
    """Where a service is available (HSDS ``service_area``).

    ``scope`` is ``national`` (value ``true``), ``region`` (``piemonte``), ``asl`` (``to4``),
    ``distretto`` (``21``..``24``), ``ente_gestore`` (ente id) or ``comune`` (official name).
    """

    __tablename__ = "service_area"
    __table_args__ = (Index("ix_service_area_lookup", "scope", "value", "service_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = _service_fk()
    scope: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))


class RequiredDocument(Base):
    """A document needed to apply (HSDS ``required_document``)."""

    __tablename__ = "required_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = _service_fk()
    position: Mapped[int] = mapped_column(Integer, default=0)
    document: Mapped[str] = mapped_column(Text)


class Contact(Base):
    """A verified non-phone contact of a service: ``website`` or ``email``."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = _service_fk()
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(500))


class Phone(Base):
    """A verified phone number of a service (HSDS ``phone``)."""

    __tablename__ = "phone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = _service_fk()
    number: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)


class Helpline(Base):
    """A phone line a citizen can call directly; ``emergency_rank`` orders the emergency reply."""

    __tablename__ = "helpline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), unique=True
    )
    number: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(300))
    emergency_rank: Mapped[int | None] = mapped_column(Integer)
    #: Order in the self-harm answer (112 first, then the listening lines); None = not there.
    self_harm_rank: Mapped[int | None] = mapped_column(Integer)
    for_minors: Mapped[bool] = mapped_column(Boolean, default=False)
    hours: Mapped[str | None] = mapped_column(String(100))


class ServiceSearch(Base):
    """Folded text of a service for full-text search (FTS5 / ``tsvector`` index over it)."""

    __tablename__ = "service_search"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Category and area tokens (catalog.textquery.facets_document), indexed as an FTS column.
    facets: Mapped[str] = mapped_column(Text, default="", server_default="")


class ServiceFacet(Base):
    """Search index row: one per (category, area) of an active service (derived data).

    Built by the loader from the service, its categories, area and target groups, so that a
    search by category and comune is a single index range scan (no joins) even with 100 000
    services. ``extra`` is 0 for the primary category, 1 for an extra one; ``scope_rank``
    orders local (0) before national (5); ``quality`` orders verified
    and high-confidence services first; ``tg_mask`` has bit ``i`` set for target group ``i`` of
    ``catalog.constants.TARGET_GROUPS``.
    """

    __tablename__ = "service_facet"
    # Covering indexes in result order: a page is read straight from the index (no sort).
    __table_args__ = (
        Index(
            "ix_service_facet_lookup",
            "category", "scope", "value", "extra", "quality", "sort_name", "service_id",
            "tg_mask", "min_age", "max_age", "search_id",
        ),  # fmt: skip
        Index(
            "ix_service_facet_primary",
            "extra", "scope", "value", "quality", "sort_name", "service_id", "tg_mask",
            "min_age", "max_age", "search_id",
        ),  # fmt: skip
        # From a full-text hit to its facet rows, covering (migration 0010).
        Index(
            "ix_service_facet_search",
            "search_id", "category", "scope", "value", "extra", "quality", "sort_name",
            "service_id", "tg_mask", "min_age", "max_age",
        ),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = _service_fk()
    category: Mapped[str] = mapped_column(String(32))
    extra: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))
    scope_rank: Mapped[int] = mapped_column(Integer)
    tg_mask: Mapped[int] = mapped_column(Integer)
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    quality: Mapped[int] = mapped_column(Integer)
    sort_name: Mapped[str] = mapped_column(String(300))
    # Row id of the service's full-text document: text searches join the FTS hits on it.
    search_id: Mapped[int] = mapped_column(ForeignKey("service_search.id", ondelete="CASCADE"))

    search: Mapped[ServiceSearch] = relationship()
