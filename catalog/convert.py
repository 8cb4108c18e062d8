"""ORM objects -> the plain dataclasses of :mod:`catalog.info`."""

from __future__ import annotations

from typing import Any

from catalog.constants import AREA_SCOPES
from catalog.info import (
    ComuneInfo,
    ContactPoint,
    EnteGestoreInfo,
    Helpline,
    OfficeInfo,
    OpportunityInfo,
    ServiceInfo,
)
from catalog.models import Comune, Opportunity
from catalog.repository.cards import ServiceCard

_LABEL_BY_RANK = {rank: label for rank, label in AREA_SCOPES.values()}


def scope_label(rank: int) -> str:
    """Public scope (``local|distretto|regional|national``) of an area rank."""
    return _LABEL_BY_RANK.get(rank, "national")


def helpline(card: ServiceCard) -> Helpline | None:
    """The helpline of a service, if any."""
    line = card.helpline
    if line is None:
        return None
    return Helpline(
        number=line["number"],
        label=line["label"],
        emergency_rank=line["emergency_rank"],
        self_harm_rank=line["self_harm_rank"],
        for_minors=bool(line["for_minors"]),
        hours=line["hours"],
        confidence=card.confidence,
        verified=bool(card.verified),
        service_id=card.id,
        category=card.category,
    )


def service_info(card: ServiceCard, rank: int) -> ServiceInfo:
    """ServiceInfo of a service card; ``rank`` is its area rank."""
    return ServiceInfo(
        id=card.id,
        name=card.name,
        summary=card.summary,
        category=card.category,
        provider_id=card.organization_id,
        provider_name=card.provider_name,
        how_to_apply=card.how_to_apply,
        scope=scope_label(rank),
        confidence=card.confidence,
        verified=bool(card.verified),
        url=card.url,
        description=card.description,
        eligibility=card.eligibility,
        cost=card.cost,
        min_age=card.min_age,
        max_age=card.max_age,
        extra_categories=list(card.extra_categories),
        target_groups=list(card.target_groups),
        documents=list(card.documents),
        contacts=dict(card.contacts),
        provider_contacts=dict(card.provider_contacts),
        keywords=[str(k) for k in card.keywords or []],
        helpline=helpline(card),
        last_verified=card.last_verified,
        source=card.source,
    )


def comune_info(comune: Comune) -> ComuneInfo:
    """ComuneInfo of a comune row."""
    return ComuneInfo(
        name=comune.name,
        istat_code=comune.istat_code,
        cap=comune.cap,
        ente_gestore_id=comune.ente_gestore_id,
        ente_gestore_alt_id=comune.ente_gestore_alt_id,
        distretto=comune.distretto,
        population=comune.population,
        confidence=comune.confidence,
        source=comune.source,
        notes=comune.notes,
    )


def ente_info(
    ente: Any, offices: list[Any], comuni: list[str], contacts: list[Any] | None = None
) -> EnteGestoreInfo:
    """EnteGestoreInfo from an ente row, its office rows and its contact rows.

    ``contacts`` of the result holds the first confirmed (not low-confidence) value of each
    kind; ``contact_points`` keeps every contact with its source, date and confidence.
    """
    points = [
        ContactPoint(
            kind=c.kind,
            value=c.value,
            label=c.label,
            confidence=c.confidence,
            last_verified=c.last_verified,
            source=c.source,
        )
        for c in contacts or []
    ]
    known: dict[str, str] = {}
    for point in points:
        if point.confidence != "low":
            known.setdefault(point.kind, point.value)
    for key, value in (("website", ente.website), ("email", ente.email), ("phone", ente.phone)):
        if value:
            known.setdefault(key, value)
    office_infos = [
        OfficeInfo(
            name=loc.name,
            comune=loc.comune,
            address=loc.address,
            notes=loc.notes,
            confidence=loc.confidence,
            source=loc.source,
        )
        for loc in offices
    ]
    return EnteGestoreInfo(
        id=ente.id,
        name=ente.name,
        short_name=ente.short_name,
        distretto=ente.distretto,
        verified=bool(ente.verified),
        confidence=ente.confidence,
        source=ente.source,
        legal_form=ente.legal_form,
        seat_comune=ente.seat_comune,
        notes=ente.notes,
        contacts=known,
        contact_points=points,
        offices=office_infos,
        comuni=comuni,
    )


def scope_rank_of(scope: str) -> int:
    """Area rank of a stored scope (``ente_gestore`` -> 1)."""
    return AREA_SCOPES.get(scope, (5, "national"))[0]


def opportunity_info(
    opportunity: Opportunity, rank: int, provider_name: str, comune: Comune | None
) -> OpportunityInfo:
    """OpportunityInfo of a current opportunity."""
    top = max(r for r, _ in AREA_SCOPES.values())
    return OpportunityInfo(
        id=opportunity.id,
        title=opportunity.title,
        kind=opportunity.kind,
        category=opportunity.category,
        provider_id=opportunity.organization_id,
        provider_name=provider_name,
        summary=opportunity.summary,
        url=opportunity.url,
        valid_from=opportunity.valid_from,
        valid_to=opportunity.valid_to,
        scope=scope_label(rank if comune is not None else top - rank),
        verified=opportunity.verified,
        confidence=opportunity.confidence,
        source=opportunity.source,
    )
