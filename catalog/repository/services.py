"""Service queries: ranked, filtered, paginated search and lookups by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from catalog.constants import AREA_SCOPES
from catalog.models import (
    Comune,
    Helpline,
    Service,
    ServiceArea,
    ServiceCategory,
    ServiceTargetGroup,
)
from catalog.repository.areas import covering_pairs, covers, scope_rank
from catalog.repository.fts import text_matches

_LOAD = (
    joinedload(Service.organization),
    joinedload(Service.helpline),
    selectinload(Service.categories),
    selectinload(Service.target_groups),
    selectinload(Service.documents),
    selectinload(Service.contacts),
    selectinload(Service.phones),
)


@dataclass(frozen=True)
class SearchFilters:
    """What to search for; ``None`` means "any"."""

    category: str | None = None
    terms: Sequence[str] = ()
    comune: Comune | None = None
    target_group: str | None = None
    age: int | None = None


@dataclass(frozen=True)
class Hit:
    """One search result: the service and the narrowest area scope that matched."""

    service: Service
    scope_rank: int


def search(
    session: Session, filters: SearchFilters, offset: int, limit: int
) -> tuple[list[Hit], int]:
    """Ranked search: narrowest area first, primary category first, best text match first.

    With a comune only services covering it are returned (comune/ente gestore, distretto,
    ASL, region, nation); without one, every active service, widest area first.

    Returns:
        The hits of the requested window and the total number of matches.
    """
    widest_first = filters.comune is None
    area = (
        select(
            ServiceArea.service_id,
            func.min(scope_rank(ServiceArea.scope, widest_first)).label("rank"),
        )
        .group_by(ServiceArea.service_id)
        .subquery("area")
    )
    if filters.comune is not None:
        area = (
            select(
                ServiceArea.service_id,
                func.min(scope_rank(ServiceArea.scope)).label("rank"),
            )
            .where(covers(ServiceArea.scope, ServiceArea.value, covering_pairs(filters.comune)))
            .group_by(ServiceArea.service_id)
            .subquery("area")
        )
    query = select(Service.id, area.c.rank).join(area, area.c.service_id == Service.id)
    query = query.where(Service.status == "active")
    order: list = [area.c.rank]
    if filters.category is not None:
        query = query.join(
            ServiceCategory,
            and_(
                ServiceCategory.service_id == Service.id,
                ServiceCategory.category == filters.category,
            ),
        )
        order.append(ServiceCategory.is_primary.desc())
    if filters.terms:
        fts = text_matches(session, list(filters.terms))
        query = query.join(fts, fts.c.service_id == Service.id)
        # With a comune the area decides first; without one, relevance does.
        order = [area.c.rank, fts.c.score] if not widest_first else [fts.c.score, area.c.rank]
        if filters.category is not None:
            order.insert(1, ServiceCategory.is_primary.desc())
    if filters.target_group is not None:
        query = query.where(
            exists().where(
                ServiceTargetGroup.service_id == Service.id,
                ServiceTargetGroup.target_group == filters.target_group,
            )
        )
    if filters.age is not None:
        query = query.where(
            or_(Service.min_age.is_(None), Service.min_age <= filters.age),
            or_(Service.max_age.is_(None), Service.max_age >= filters.age),
        )
    confidence = case({"high": 0, "medium": 1}, value=Service.confidence, else_=2)
    order += [Service.verified.desc(), confidence, Service.name, Service.id]
    # One query for the page and the total (window count over the filtered rows).
    paged = query.add_columns(func.count().over().label("total"))
    rows = session.execute(paged.order_by(*order).offset(offset).limit(limit)).all()
    if not rows:
        total = session.scalar(select(func.count()).select_from(query.subquery())) if offset else 0
        return [], total or 0
    total = rows[0].total
    services = {s.id: s for s in session.scalars(select(Service).where(
        Service.id.in_([r.id for r in rows])).options(*_LOAD))}  # fmt: skip
    top = max(rank for rank, _ in AREA_SCOPES.values())
    ranks = [top - r.rank if widest_first else r.rank for r in rows]
    return [Hit(services[r.id], rank) for r, rank in zip(rows, ranks, strict=True)], total


def get(session: Session, service_id: str) -> Service | None:
    """The service with ``service_id`` and its parts, or None."""
    return session.scalar(select(Service).where(Service.id == service_id).options(*_LOAD))


def narrowest_scope(session: Session, service_id: str) -> str | None:
    """The narrowest area scope of a service (e.g. ``ente_gestore``)."""
    scope = session.scalar(
        select(ServiceArea.scope)
        .where(ServiceArea.service_id == service_id)
        .order_by(scope_rank(ServiceArea.scope))
        .limit(1)
    )
    return scope


def helplines(session: Session, category: str | None = None) -> list[Service]:
    """Active services with a helpline, emergency ones first (by rank), then by number."""
    query = (
        select(Service)
        .join(Helpline, Helpline.service_id == Service.id)
        .where(Service.status == "active")
        .options(*_LOAD)
        .order_by(Helpline.emergency_rank.is_(None), Helpline.emergency_rank, Helpline.number)
    )
    if category is not None:
        query = query.where(
            exists().where(
                ServiceCategory.service_id == Service.id, ServiceCategory.category == category
            )
        )
    return list(session.scalars(query))
