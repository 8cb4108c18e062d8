"""Read-only HSDS 3.0 queries over the catalog: only active services, paginated.

:class:`HsdsCatalog` answers the HSDS API's lists and records (``bot.hsds`` serves them over
HTTP). Filters: ``search`` (accent-insensitive words in name, keywords, summary, description,
eligibility and provider), ``organization_id`` (HSDS UUID or catalog id), ``modified_after``
(services verified on or after that day, or edited then: the audit history of the admin area),
``postcode`` (CAP of an ASL TO4 comune: services whose area covers it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Engine, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from catalog.db import session_scope
from catalog.hsds import mapping
from catalog.models import (
    CatalogChange,
    Comune,
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceSearch,
)
from catalog.repository.areas import covering_pairs, covers
from wecare.text import fold

MAX_PER_PAGE = 100
_PARTS = ("organization", "areas", "documents", "contacts", "phones")


class UnknownPostcode(ValueError):
    """The postcode is not the CAP of an ASL TO4 comune."""


@dataclass(frozen=True)
class Filters:
    """The query parameters of a list (already validated by the HTTP layer)."""

    search: str | None = None
    organization_id: str | None = None
    modified_after: date | None = None
    postcode: str | None = None
    page: int = 1
    per_page: int = 20


def page_envelope(items: list[dict[str, Any]], total: int, f: Filters) -> dict[str, Any]:
    """The HSDS paginated envelope (``Page`` of the 3.0 OpenAPI file) around ``items``."""
    pages = max(1, math.ceil(total / f.per_page))
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": f.page,
        "size": len(items),
        "first_page": f.page == 1,
        "last_page": f.page >= pages,
        "empty": total == 0,
        "contents": items,
    }


class HsdsCatalog:
    """HSDS views of the catalog database.

    Args:
        engine: the catalog engine.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- services ------------------------------------------------------------------------

    def services(self, f: Filters) -> dict[str, Any]:
        """A page of active services (``service_list`` objects)."""
        with session_scope(self.engine) as session:
            query = self._service_query(session, f)
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = self._page(session, query, f)
            changed = _changed(session, [s.id for s in rows])
            items = [mapping.service_summary(s, changed.get(s.id)) for s in rows]
            return page_envelope(items, total, f)

    def service(self, key: str) -> dict[str, Any] | None:
        """The fully nested active service ``key`` (HSDS UUID or catalog id), else None."""
        with session_scope(self.engine) as session:
            sid = self._resolve(session, select(Service.id).where(_active()), "service", key)
            if sid is None:
                return None
            found = session.scalars(_with_parts(select(Service).where(Service.id == sid))).one()
            locations = self._locations(session, [found])[found.id]
            changed = _changed(session, [found.id]).get(found.id)
            return mapping.service_full(found, locations, _caps(session), changed)

    def service_at_locations(self, f: Filters) -> dict[str, Any]:
        """A page of (active service, office of its organization) pairs."""
        with session_scope(self.engine) as session:
            query = self._service_query(session, f).join(
                Location, Location.organization_id == Service.organization_id
            )
            pairs = query.with_only_columns(Service.id, Location.id).order_by(
                Service.id, Location.id
            )
            total = session.scalar(select(func.count()).select_from(pairs.subquery())) or 0
            window = session.execute(
                pairs.offset((f.page - 1) * f.per_page).limit(f.per_page)
            ).all()
            services = {
                s.id: s
                for s in session.scalars(
                    _with_parts(select(Service).where(Service.id.in_({w[0] for w in window})))
                )
            }
            locations = {
                loc.id: loc
                for loc in session.scalars(
                    select(Location)
                    .where(Location.id.in_({w[1] for w in window}))
                    .options(selectinload(Location.schedules))
                )
            }
            items, caps = [], _caps(session)
            changed = _changed(session, list(services))
            for sid, lid in window:
                body = mapping.service_at_location(services[sid], locations[lid], caps)
                body["service"] = mapping.service_summary(services[sid], changed.get(sid))
                items.append(body)
            return page_envelope(items, total, f)

    # -- organizations -------------------------------------------------------------------

    def organizations(self, f: Filters) -> dict[str, Any]:
        """A page of organizations (``organization_list`` objects).

        ``search`` matches every word, accent-insensitively, in the name, id or description
        (organizations are a few dozen rows: filtered in Python).
        """
        with session_scope(self.engine) as session:
            rows = list(session.scalars(select(Organization).order_by(Organization.id)))
            if f.search:
                words = fold(f.search).split()
                rows = [
                    o for o in rows
                    if all(w in fold(f"{o.name} {o.id} {o.description or ''}") for w in words)
                ]  # fmt: skip
            window = rows[(f.page - 1) * f.per_page : f.page * f.per_page]
            return page_envelope([mapping.organization_summary(o) for o in window], len(rows), f)

    def organization(self, key: str) -> dict[str, Any] | None:
        """An organization with its offices and the ids of its active services, else None."""
        with session_scope(self.engine) as session:
            oid = self._resolve(session, select(Organization.id), "organization", key)
            if oid is None:
                return None
            org = session.scalars(
                select(Organization)
                .where(Organization.id == oid)
                .options(selectinload(Organization.locations).selectinload(Location.schedules))
            ).one()
            ids = list(
                session.scalars(
                    select(Service.id)
                    .where(Service.organization_id == oid, _active())
                    .order_by(Service.id)
                )
            )
            return mapping.organization_full(org, ids, _caps(session))

    # -- helpers -------------------------------------------------------------------------

    def _service_query(self, session: Session, f: Filters) -> Select[tuple[Service]]:
        query = select(Service).where(_active())
        if f.organization_id:
            oid = self._resolve(session, select(Organization.id), "organization", f.organization_id)
            query = query.where(Service.organization_id == (oid or ""))
        if f.modified_after:
            since = datetime(*f.modified_after.timetuple()[:3], tzinfo=timezone.utc)
            edited = exists().where(
                CatalogChange.record_type == "service",
                CatalogChange.record_id == Service.id,
                CatalogChange.at >= since,
            )
            query = query.where(or_(Service.last_verified >= f.modified_after, edited))
        if f.postcode:
            comuni = list(session.scalars(select(Comune).where(Comune.cap == f.postcode)))
            if not comuni:
                raise UnknownPostcode(f.postcode)
            pairs = sorted({p for c in comuni for p in covering_pairs(c)})
            query = query.where(
                exists().where(
                    ServiceArea.service_id == Service.id,
                    covers(ServiceArea.scope, ServiceArea.value, pairs),
                )
            )
        if f.search:
            words = fold(f.search).split()
            text = ServiceSearch.title + " " + ServiceSearch.body
            query = query.where(
                exists().where(
                    ServiceSearch.service_id == Service.id,
                    and_(*(text.like(f"%{w}%") for w in words)),
                )
            )
        return query

    def _page(self, session: Session, query: Select[tuple[Service]], f: Filters) -> list[Service]:
        window = query.order_by(Service.id).offset((f.page - 1) * f.per_page).limit(f.per_page)
        return list(session.scalars(_with_parts(window)))

    def _locations(
        self, session: Session, services: Sequence[Service]
    ) -> dict[str, list[Location]]:
        orgs = {s.organization_id for s in services}
        rows = session.scalars(
            select(Location)
            .where(Location.organization_id.in_(orgs))
            .options(selectinload(Location.schedules))
            .order_by(Location.id)
        )
        by_org: dict[str, list[Location]] = {}
        for loc in rows:
            by_org.setdefault(loc.organization_id, []).append(loc)
        return {s.id: by_org.get(s.organization_id, []) for s in services}

    @staticmethod
    def _resolve(session: Session, ids: Select[Any], table: str, key: str) -> str | None:
        """The catalog id of ``key``: a catalog id of ``ids``, or the HSDS UUID of one."""
        candidates = [str(i) for i in session.scalars(ids)]
        if key in candidates:
            return key
        return next((c for c in candidates if mapping.hsds_id(table, c) == key.lower()), None)


def _changed(session: Session, ids: Sequence[str]) -> dict[str, datetime]:
    """The time of the last audited edit of each of the services ``ids`` (if any)."""
    if not ids:
        return {}
    rows = session.execute(
        select(CatalogChange.record_id, func.max(CatalogChange.at))
        .where(CatalogChange.record_type == "service", CatalogChange.record_id.in_(set(ids)))
        .group_by(CatalogChange.record_id)
    )
    return {rid: at for rid, at in rows if at is not None}


def _caps(session: Session) -> dict[str, str]:
    rows = session.execute(select(Comune.name, Comune.cap).where(Comune.cap.is_not(None)))
    return {name: cap for name, cap in rows if cap}


def _active() -> Any:
    return Service.status == "active"


def _with_parts(query: Select[tuple[Service]]) -> Select[tuple[Service]]:
    return query.options(*(selectinload(getattr(Service, name)) for name in _PARTS))
