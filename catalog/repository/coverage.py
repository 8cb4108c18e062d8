"""Rows for the coverage report (``catalog.coverage``): facets, comuni and enti."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Comune, EnteGestore, Service, ServiceFacet


@dataclass(frozen=True)
class FacetRow:
    """One (category, area) of an active service, with its verified flag."""

    service_id: str
    category: str
    scope: str
    value: str
    verified: bool


def facet_rows(session: Session) -> list[FacetRow]:
    """Every search-index row (active services only: inactive ones have no facets)."""
    f = ServiceFacet
    query = (
        select(f.service_id, f.category, f.scope, f.value, Service.verified)
        .join(Service, Service.id == f.service_id)
        .distinct()
    )
    return [FacetRow(*row) for row in session.execute(query).tuples()]


def comune_enti(session: Session) -> dict[str, str]:
    """Comune name -> its main ente gestore (comuni without one are left out)."""
    query = select(Comune.name, Comune.ente_gestore_id).where(Comune.ente_gestore_id.is_not(None))
    return {name: str(ente) for name, ente in session.execute(query).tuples()}


def ente_distretti(session: Session) -> dict[str, int]:
    """Ente gestore id -> distretto della coesione sociale."""
    return dict(session.execute(select(EnteGestore.id, EnteGestore.distretto)).tuples().all())
