"""Catalog rows as Open Referral HSDS 3.0 objects (field names of the 3.0 schema files).

HSDS identifiers are UUIDs; the catalog's are slugs (``adi-assegno-inclusione``) or integers.
Every HSDS id is a name-based UUID (version 5) of ``<table>:<catalog id>`` in one fixed
namespace, so it never changes between exports and servers and the API can find the row
again (``/hsds/services/{uuid}``). The catalog id is also accepted in the path.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any

from catalog.models import Location, Organization, Service, ServiceArea

#: Namespace of every HSDS id of this catalog (fixed: changing it changes every id).
NAMESPACE = uuid.UUID("6f1d2a52-9a0e-5c1b-8a57-0e3c9b7d4a10")
HSDS_VERSION = "3.0"
PROFILE = "https://github.com/openreferral/specification/tree/3.0"
SCOPE_NAMES = {
    "national": "Italia",
    "region": "Regione Piemonte",
    "asl": "ASL TO4",
}


def hsds_id(table: str, key: object) -> str:
    """The HSDS UUID of catalog row ``key`` of ``table`` (``service``, ``organization``...)."""
    return str(uuid.uuid5(NAMESPACE, f"{table}:{key}"))


def _datetime(value: date | None) -> str | None:
    return f"{value.isoformat()}T00:00:00Z" if value else None


def last_modified(service: Service, changed: datetime | None) -> str | None:
    """The later of the last verification (a date) and the last audited edit (``changed``)."""
    if changed is None:
        return _datetime(service.last_verified)
    if changed.tzinfo is None:  # SQLite gives the stored UTC time back without its zone
        changed = changed.replace(tzinfo=timezone.utc)
    verified = service.last_verified
    if (
        verified
        and datetime(verified.year, verified.month, verified.day, tzinfo=timezone.utc) > changed
    ):
        return _datetime(verified)
    return changed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _area(service: Service, area: ServiceArea) -> dict[str, Any]:
    if area.scope == "comune":
        name = f"Comune di {area.value}"
    elif area.scope == "distretto":
        name = f"Distretto della coesione sociale {area.value}"
    elif area.scope == "ente_gestore":
        name = f"Territorio dell'ente gestore {area.value}"
    else:
        name = SCOPE_NAMES.get(area.scope, area.value)
    return {
        "id": hsds_id("service_area", area.id),
        "service_id": hsds_id("service", service.id),
        "name": name,
        "description": f"{area.scope}:{area.value}",
    }


def service_summary(service: Service, changed: datetime | None = None) -> dict[str, Any]:
    """The one-to-one fields of a service (``service_list``) with its organization."""
    email = next((c.value for c in service.contacts if c.kind == "email"), None)
    return {
        "id": hsds_id("service", service.id),
        "organization_id": hsds_id("organization", service.organization_id),
        "name": service.name,
        "alternate_name": service.id,
        "description": service.description or service.summary,
        "url": service.url,
        "email": email,
        "status": service.status,
        "application_process": service.how_to_apply,
        "fees_description": service.cost,
        "eligibility_description": service.eligibility,
        "minimum_age": service.min_age,
        "maximum_age": service.max_age,
        "assured_date": service.last_verified.isoformat() if service.last_verified else None,
        "last_modified": last_modified(service, changed),
        "organization": organization_summary(service.organization),
    }


def service_full(
    service: Service,
    locations: list[Location],
    caps: dict[str, str],
    changed: datetime | None = None,
) -> dict[str, Any]:
    """The fully nested service: phones, areas, documents, contacts, service at locations."""
    sid = hsds_id("service", service.id)
    body = service_summary(service, changed)
    body.update(
        {
            "phones": [
                {"id": hsds_id("phone", p.id), "service_id": sid, "number": p.number}
                | ({"description": p.description} if p.description else {})
                for p in service.phones
            ],
            "service_areas": [_area(service, a) for a in service.areas],
            "required_documents": [
                {
                    "id": hsds_id("required_document", d.id),
                    "service_id": sid,
                    "document": d.document,
                }
                for d in service.documents
            ],
            "contacts": [
                {"id": hsds_id("contact", c.id), "service_id": sid, "email": c.value}
                for c in service.contacts
                if c.kind == "email"
            ],
            "languages": [
                {
                    "id": hsds_id("language", f"{service.id}:it"),
                    "service_id": sid,
                    "name": "Italiano",
                    "code": "it",
                }
            ],  # fmt: skip
            "service_at_locations": [service_at_location(service, loc, caps) for loc in locations],
        }
    )
    return body


def organization_summary(org: Organization) -> dict[str, Any]:
    """The one-to-one fields of an organization (``organization_list``)."""
    return {
        "id": hsds_id("organization", org.id),
        "name": org.name,
        "alternate_name": org.id,
        "description": org.description or org.name,
        "website": org.website,
    }


def organization_full(
    org: Organization, service_ids: list[str], caps: dict[str, str]
) -> dict[str, Any]:
    """An organization with its locations and the ids of its active services."""
    body = organization_summary(org)
    body["locations"] = [location(loc, caps) for loc in org.locations]
    body["services"] = [{"id": hsds_id("service", sid)} for sid in service_ids]
    return body


def location(loc: Location, caps: dict[str, str]) -> dict[str, Any]:
    """An office (``location_type`` physical) with its address when the catalog knows it.

    ``caps``: comune name -> CAP. An address without a known street or CAP is left out
    (HSDS requires both; nothing is invented).
    """
    postal_code = caps.get(loc.comune or "")
    body: dict[str, Any] = {
        "id": hsds_id("location", loc.id),
        "location_type": "physical",
        "organization_id": hsds_id("organization", loc.organization_id),
        "name": loc.name,
        "description": loc.notes,
        "schedules": [
            {
                "id": hsds_id("schedule", s.id),
                "location_id": hsds_id("location", loc.id),
                "byday": s.byday,
                "opens_at": s.opens_at,
                "closes_at": s.closes_at,
                "description": s.description,
            }
            for s in loc.schedules
        ],
    }
    if loc.address and loc.comune and postal_code:
        body["addresses"] = [
            {
                "id": hsds_id("address", loc.id),
                "location_id": hsds_id("location", loc.id),
                "address_1": loc.address,
                "city": loc.comune,
                "state_province": "Piemonte",
                "postal_code": postal_code,
                "country": "IT",
                "address_type": "physical",
            }
        ]
    return body


def service_at_location(service: Service, loc: Location, caps: dict[str, str]) -> dict[str, Any]:
    """A service delivered at one office of its organization."""
    return {
        "id": hsds_id("service_at_location", f"{service.id}@{loc.id}"),
        "service_id": hsds_id("service", service.id),
        "location_id": hsds_id("location", loc.id),
        "location": location(loc, caps),
    }
