"""ORM objects -> the plain dataclasses of :mod:`catalog.info`."""

from __future__ import annotations

from catalog.constants import AREA_SCOPES
from catalog.info import (
    ComuneInfo,
    EnteGestoreInfo,
    Helpline,
    OfficeInfo,
    OpportunityInfo,
    ServiceInfo,
)
from catalog.models import Comune, EnteGestore, Opportunity, Service

_LABEL_BY_RANK = {rank: label for rank, label in AREA_SCOPES.values()}


def scope_label(rank: int) -> str:
    """Public scope (``local|distretto|regional|national``) of an area rank."""
    return _LABEL_BY_RANK.get(rank, "national")


def helpline(service: Service) -> Helpline | None:
    """The helpline of a service, if any."""
    line = service.helpline
    if line is None:
        return None
    return Helpline(
        number=line.number,
        label=line.label,
        emergency_rank=line.emergency_rank,
        for_minors=line.for_minors,
        hours=line.hours,
        service_id=service.id,
        category=service.category,
    )


def service_info(service: Service, rank: int) -> ServiceInfo:
    """ServiceInfo of a service loaded with its parts; ``rank`` is its area rank."""
    contacts = {c.kind: c.value for c in service.contacts}
    if service.phones:
        contacts["phone"] = service.phones[0].number
    return ServiceInfo(
        id=service.id,
        name=service.name,
        summary=service.summary,
        category=service.category,
        provider_id=service.organization_id,
        provider_name=service.organization.name,
        how_to_apply=service.how_to_apply,
        scope=scope_label(rank),
        confidence=service.confidence,
        verified=service.verified,
        url=service.url,
        description=service.description,
        eligibility=service.eligibility,
        cost=service.cost,
        min_age=service.min_age,
        max_age=service.max_age,
        extra_categories=[c.category for c in service.categories if not c.is_primary],
        target_groups=[t.target_group for t in service.target_groups],
        documents=[d.document for d in service.documents],
        contacts=contacts,
        keywords=[str(k) for k in service.keywords or []],
        helpline=helpline(service),
        last_verified=service.last_verified,
        source=service.source,
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


def ente_info(ente: EnteGestore, comuni: list[str]) -> EnteGestoreInfo:
    """EnteGestoreInfo with offices (organization locations) and known contacts only."""
    contacts = {
        key: value
        for key, value in (("website", ente.website), ("email", ente.email), ("phone", ente.phone))
        if value
    }
    offices = [
        OfficeInfo(
            name=loc.name,
            comune=loc.comune,
            address=loc.address,
            notes=loc.notes,
            confidence=loc.confidence,
            source=loc.source,
        )
        for loc in ente.organization.locations
    ]
    return EnteGestoreInfo(
        id=ente.id,
        name=ente.name,
        short_name=ente.short_name,
        distretto=ente.distretto,
        verified=ente.verified,
        confidence=ente.confidence,
        source=ente.source,
        legal_form=ente.legal_form,
        seat_comune=ente.seat_comune,
        notes=ente.notes,
        contacts=contacts,
        offices=offices,
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
