"""Build ORM objects from validated seed records (pure: no session, no SQL)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from catalog.constants import AREA_KEYS, AREA_SCOPES, CONFIDENCE, TARGET_GROUPS
from catalog.models import (
    Comune,
    ComuneFuoriArea,
    Contact,
    EnteContact,
    EnteGestore,
    Helpline,
    Location,
    Opportunity,
    OpportunityArea,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceCategory,
    ServiceFacet,
    ServiceSearch,
    ServiceTargetGroup,
)
from catalog.seedfiles import Record
from catalog.textquery import facets_document
from wecare.text import fold, normalize


def content_hash(record: dict[str, Any]) -> str:
    """Stable hash of a record (detects changed rows on reload)."""
    payload = json.dumps(record, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _empty_to_none(value: Any) -> Any:
    return None if value in ("", None) else value


def area_rows(area: dict[str, Any]) -> list[tuple[str, str]]:
    """``{distretti: [21, 22]}`` -> ``[("distretto", "21"), ("distretto", "22")]``."""
    ((key, value),) = area.items()
    scope = AREA_KEYS[key]
    values = value if isinstance(value, list) else [value]
    return [(scope, "true" if v is True else str(v)) for v in values]


def organization(record: Record) -> Organization:
    """Organization from ``organizations.yaml``."""
    return Organization(
        id=record["id"],
        name=record["name"],
        kind=record["kind"],
        website=_empty_to_none(record.get("website")),
        description=_empty_to_none(record.get("description")),
        verified=record["verified"],
        confidence=record["confidence"],
        source=str(record["source"]).strip(),
        content_hash=content_hash(record),
    )


def ente_organization(record: Record) -> Organization:
    """The organization row of an ente gestore, with its offices as locations."""
    return Organization(
        id=record["id"],
        name=record["name"],
        kind="ente_gestore",
        website=_confirmed(ente_contacts(record), "website"),
        description=_empty_to_none(record.get("notes")),
        verified=record["verified"],
        confidence=record["confidence"],
        source=str(record["source"]).strip(),
        content_hash=content_hash(record),
        locations=[
            Location(
                name=o["name"],
                comune=o["comune"],
                address=_empty_to_none(o.get("address")),
                notes=_empty_to_none(o.get("notes")),
                source=str(o["source"]).strip(),
                confidence=o["confidence"],
                schedules=[
                    Schedule(
                        byday=_empty_to_none(h.get("byday")),
                        opens_at=_empty_to_none(h.get("opens_at")),
                        closes_at=_empty_to_none(h.get("closes_at")),
                        description=_empty_to_none(h.get("description")),
                        source=str(h["source"]).strip(),
                    )
                    for h in o.get("schedules") or []
                ],
            )
            for o in record.get("offices") or []
        ],
    )


def ente_contacts(record: Record) -> list[EnteContact]:
    """The contacts of an ente gestore, in file order."""
    return [
        EnteContact(
            position=i,
            kind=c["kind"],
            value=str(c["value"]).strip(),
            label=_empty_to_none(c.get("label")),
            confidence=c["confidence"],
            last_verified=c.get("last_verified"),
            source=str(c["source"]).strip(),
        )
        for i, c in enumerate(record.get("contacts") or [])
    ]


def _confirmed(contacts: list[EnteContact], kind: str) -> str | None:
    """First contact of ``kind`` that is not low-confidence (shown as certain), or None."""
    return next((c.value for c in contacts if c.kind == kind and c.confidence != "low"), None)


def ente_gestore(record: Record) -> EnteGestore:
    """Ente gestore from ``enti_gestori.yaml``."""
    contacts = ente_contacts(record)
    return EnteGestore(
        id=record["id"],
        name=record["name"],
        short_name=record["short_name"],
        legal_form=_empty_to_none(record.get("legal_form")),
        distretto=record["distretto"],
        seat_comune=_empty_to_none(record.get("seat_comune")),
        website=_confirmed(contacts, "website"),
        email=_confirmed(contacts, "email"),
        phone=_confirmed(contacts, "phone"),
        last_verified=record.get("last_verified"),
        verified=record["verified"],
        confidence=record["confidence"],
        source=str(record["source"]).strip(),
        notes=_empty_to_none(record.get("notes")),
        content_hash=content_hash(record),
        contacts=contacts,
    )


def comune(row: Record) -> Comune:
    """Comune from a ``comuni.csv`` row."""
    return Comune(
        istat_code=row["istat_code"],
        name=row["name"],
        name_key=normalize(row["name"]),
        cap=_empty_to_none(row["cap"]),
        ente_gestore_id=_empty_to_none(row["ente_gestore_id"]),
        ente_gestore_alt_id=_empty_to_none(row["ente_gestore_alt_id"]),
        distretto=int(row["distretto"]) if row["distretto"] else None,
        population=int(row["population"]) if row["population"] else None,
        confidence=row["confidence"],
        source=row["source"],
        notes=_empty_to_none(row["notes"]),
        content_hash=content_hash(row),
    )


def comune_fuori_area(row: Record) -> ComuneFuoriArea:
    """Out-of-area comune from a ``comuni_fuori_area.csv`` row."""
    return ComuneFuoriArea(
        name=row["name"],
        name_key=normalize(row["name"]),
        provincia=row["provincia"],
        asl=row["asl"],
        source=row["source"],
    )


def search_document(record: dict[str, Any], provider_name: str) -> ServiceSearch:
    """Folded (accent-free, lowercase) text indexed for full-text search, with facet tokens."""
    title = " ".join([record["name"], *map(str, record.get("keywords") or [])])
    body = " ".join(str(record.get(key) or "") for key in ("summary", "description", "eligibility"))
    categories = [record["category"], *(record.get("extra_categories") or [])]
    return ServiceSearch(
        title=fold(title),
        body=fold(f"{body} {provider_name}"),
        facets=facets_document(categories, area_rows(record["area"])),
    )


def service(record: Record, provider_name: str) -> Service:
    """Service (with all its parts) from a service record or an instantiated template."""
    contacts = record.get("contacts") or {}
    helpline = record.get("helpline")
    extra = record.get("extra_categories") or []
    return Service(
        id=record["id"],
        organization_id=record["organization"],
        name=record["name"],
        category=record["category"],
        summary=str(record["summary"]).strip(),
        description=_empty_to_none(record.get("description")),
        eligibility=_empty_to_none(record.get("eligibility")),
        min_age=record.get("min_age"),
        max_age=record.get("max_age"),
        how_to_apply=str(record["how_to_apply"]).strip(),
        cost=_empty_to_none(record.get("cost")),
        url=_empty_to_none(record.get("url")),
        keywords=list(record.get("keywords") or []),
        status=record["status"],
        last_verified=record.get("last_verified"),
        verified=record["verified"],
        confidence=record["confidence"],
        source=str(record["source"]).strip(),
        origin=record.where,
        content_hash=content_hash({**record, "_provider": provider_name}),
        categories=[ServiceCategory(category=record["category"], is_primary=True)]
        + [ServiceCategory(category=c, is_primary=False) for c in extra],
        target_groups=[ServiceTargetGroup(target_group=t) for t in record["target_groups"]],
        areas=[ServiceArea(scope=s, value=v) for s, v in area_rows(record["area"])],
        documents=[
            RequiredDocument(position=i, document=d)
            for i, d in enumerate(record.get("documents") or [])
        ],
        contacts=[Contact(kind=k, value=v) for k, v in contacts.items() if k != "phone" and v],
        phones=[Phone(number=contacts["phone"])] if contacts.get("phone") else [],
        helpline=Helpline(
            number=helpline["number"],
            label=helpline["label"],
            emergency_rank=helpline.get("emergency_rank"),
            self_harm_rank=helpline.get("self_harm_rank"),
            for_minors=bool(helpline.get("for_minors")),
            hours=helpline.get("hours"),
        )
        if helpline
        else None,
        search=(search := search_document(record, provider_name)),
        facets=service_facets(record, search),
    )


def service_facets(record: dict[str, Any], search: ServiceSearch) -> list[ServiceFacet]:
    """Search-index rows of a service: one per (category, area); none when inactive."""
    if record["status"] != "active":
        return []
    groups = set(record["target_groups"])
    tg_mask = sum(1 << i for i, group in enumerate(TARGET_GROUPS) if group in groups)
    quality = (0 if record["verified"] else 3) + CONFIDENCE.index(record["confidence"])
    categories = [(record["category"], True)]
    categories += [(c, False) for c in record.get("extra_categories") or []]
    return [
        ServiceFacet(
            category=category,
            extra=0 if primary else 1,
            scope=scope,
            value=value,
            scope_rank=AREA_SCOPES[scope][0],
            tg_mask=tg_mask,
            min_age=record.get("min_age"),
            max_age=record.get("max_age"),
            quality=quality,
            sort_name=record["name"],
            search=search,
        )
        for category, primary in categories
        for scope, value in area_rows(record["area"])
    ]


def opportunity(record: Record) -> Opportunity:
    """Opportunity from ``opportunities.yaml``."""
    return Opportunity(
        id=record["id"],
        title=record["title"],
        kind=record["kind"],
        category=record["category"],
        organization_id=record["organization"],
        summary=str(record["summary"]).strip(),
        url=_empty_to_none(record.get("url")),
        valid_from=record["valid_from"],
        valid_to=record.get("valid_to"),
        status=record.get("status") or "active",
        last_verified=record.get("last_verified"),
        verified=record["verified"],
        confidence=record["confidence"],
        source=str(record["source"]).strip(),
        content_hash=content_hash(record),
        areas=[OpportunityArea(scope=s, value=v) for s, v in area_rows(record["area"])],
    )
