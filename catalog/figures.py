"""Reference figures of the catalog for the needs analytics (``bot.analytics``).

The comuni with their ente gestore, distretto della coesione sociale and population (the
denominators of the rates per 1,000 inhabitants) and the active services with the enti
whose territory they belong to (the "never shown" catalog gaps), read from the catalog
database so that edits count at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from catalog.db import session_scope
from catalog.models import Comune, Service, ServiceArea


@dataclass(frozen=True)
class ComuneFigure:
    """One comune of ASL TO4: territory and resident population (None when unknown)."""

    name: str
    ente_gestore_id: str | None
    distretto: int | None
    population: int | None


@dataclass(frozen=True)
class ServiceBrief:
    """An active service: name, primary category, provider and the enti it is local to.

    ``enti`` holds the ente gestore ids of its provider (when an ente gestore) and of its
    ``ente_gestore`` areas; empty for services of wider areas (distretto, region, nation).
    """

    id: str
    name: str
    category: str
    organization_id: str
    enti: frozenset[str]


def comuni_figures(engine: Engine) -> list[ComuneFigure]:
    """Every comune of the catalog, by name."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                Comune.name, Comune.ente_gestore_id, Comune.distretto, Comune.population
            ).order_by(Comune.name)
        ).all()
    return [ComuneFigure(*row) for row in rows]


def active_services(engine: Engine, ente_ids: frozenset[str]) -> list[ServiceBrief]:
    """Active services, by id (``ente_ids``: known ente gestore ids, to tell providers)."""
    with session_scope(engine) as session:
        services = session.execute(
            select(Service.id, Service.name, Service.category, Service.organization_id)
            .where(Service.status == "active")
            .order_by(Service.id)
        ).all()
        areas = session.execute(
            select(ServiceArea.service_id, ServiceArea.value).where(
                ServiceArea.scope == "ente_gestore"
            )
        ).all()
    local: dict[str, set[str]] = {}
    for service_id, ente in areas:
        local.setdefault(service_id, set()).add(ente)
    return [
        ServiceBrief(
            sid,
            name,
            category,
            org,
            frozenset(local.get(sid, set()) | ({org} if org in ente_ids else set())),
        )
        for sid, name, category, org in services
    ]
