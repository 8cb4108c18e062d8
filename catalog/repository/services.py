"""Service queries: ranked, filtered, paginated search and lookups by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select, tuple_
from sqlalchemy.orm import Session

from catalog.constants import TARGET_GROUPS
from catalog.models import (
    Comune,
    Helpline,
    Service,
    ServiceArea,
    ServiceCategory,
    ServiceFacet,
)
from catalog.repository import fastpath
from catalog.repository.areas import covering_pairs, scope_rank
from catalog.repository.cards import ServiceCard, cards
from catalog.repository.fts import text_matches


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
    """One search result: the service and the narrowest area scope rank it has here."""

    service: ServiceCard
    scope_rank: int


def search(
    session: Session, filters: SearchFilters, offset: int, limit: int
) -> tuple[list[Hit], int]:
    """Ranked search over the ``service_facet`` index.

    With a comune only services covering it are returned, narrowest area first (comune, ente
    gestore, distretto, ASL, region, nation), then primary category before extra, then
    services whose name/keywords match the text, verified/high confidence, best text match,
    name. Without a comune every active service is a
    candidate, widest area first (or best text match first when there is text).

    Returns:
        The hits of the requested window and the total number of matches.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    if not filters.terms:
        rows, total = fastpath.by_area(session, filters, offset, limit)
    elif filters.comune is not None and sqlite:
        rows, total = fastpath.by_area_and_text(session, filters, offset, limit)
    elif filters.comune is not None:
        rows, total = fastpath.by_area_and_text_postgres(session, filters, offset, limit)
    else:
        rows, total = _ranked(session, filters, offset, limit)
    if not rows:
        return [], total
    found = cards(session, [sid for sid, _ in rows])
    return [Hit(found[sid], rank) for sid, rank in rows], total


def _conditions(filters: SearchFilters) -> list[Any]:
    f = ServiceFacet
    conditions = [f.category == filters.category] if filters.category else [f.extra == 0]
    if filters.target_group is not None:
        bit = 1 << TARGET_GROUPS.index(filters.target_group)
        conditions.append(f.tg_mask.op("&")(bit) != 0)
    if filters.age is not None:
        conditions += [
            or_(f.min_age.is_(None), f.min_age <= filters.age),
            or_(f.max_age.is_(None), f.max_age >= filters.age),
        ]
    return conditions


def _ranked(
    session: Session, filters: SearchFilters, offset: int, limit: int
) -> tuple[list[tuple[str, int]], int]:
    """General path (text and/or no comune): group the candidate facets, sort, count."""
    f = ServiceFacet
    narrowest = func.min(f.scope_rank).label("rank")
    extra = func.min(f.extra)
    query = select(f.service_id, narrowest).where(*_conditions(filters)).group_by(f.service_id)
    if filters.comune is not None:
        query = query.where(tuple_(f.scope, f.value).in_(covering_pairs(filters.comune)))
        order: list[Any] = [narrowest, extra]
    else:
        order = [func.max(f.scope_rank).desc(), extra]
    if filters.terms:
        fts = text_matches(session, list(filters.terms))
        query = query.join(fts, fts.c.service_id == f.service_id)
        score = func.min(fts.c.score)
        if filters.comune is not None:
            # as the SQLite fast path: name/keyword matches, then verified, then relevance
            title = func.max(fts.c.in_title).desc()
            order += [title, func.min(f.quality), score]
        else:
            order = [score, *order]
    order += [func.min(f.quality), func.min(f.sort_name), f.service_id]
    paged = query.add_columns(func.count().over().label("total"))
    result = session.execute(paged.order_by(*order).offset(offset).limit(limit)).all()
    if not result:
        total = session.scalar(select(func.count()).select_from(query.subquery())) if offset else 0
        return [], total or 0
    return [(r.service_id, r.rank) for r in result], result[0].total


def get(session: Session, service_id: str) -> ServiceCard | None:
    """The service with ``service_id`` and its parts, or None."""
    return cards(session, [service_id]).get(service_id)


def narrowest_scope(session: Session, service_id: str) -> str | None:
    """The narrowest area scope of a service (e.g. ``ente_gestore``)."""
    return session.scalar(
        select(ServiceArea.scope)
        .where(ServiceArea.service_id == service_id)
        .order_by(scope_rank(ServiceArea.scope))
        .limit(1)
    )


def helplines(session: Session, category: str | None = None) -> list[ServiceCard]:
    """Active services with a helpline, emergency ones first (by rank), then by number."""
    query = (
        select(Service.id)
        .join(Helpline, Helpline.service_id == Service.id)
        .where(Service.status == "active")
        .order_by(Helpline.emergency_rank.is_(None), Helpline.emergency_rank, Helpline.number)
    )
    if category is not None:
        query = query.where(
            exists().where(
                ServiceCategory.service_id == Service.id, ServiceCategory.category == category
            )
        )
    ids = list(session.scalars(query))
    found = cards(session, ids)
    return [found[i] for i in ids]


__all__ = ["Hit", "SearchFilters", "get", "helplines", "narrowest_scope", "search"]
