"""Catalog rows -> records in the seed format of ``catalog_data/`` (and back to JSON).

The records are what the admin edits, what the history stores and what the seed export
writes: loading them with ``catalog.loader`` gives back the same rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from catalog.constants import AREA_KEYS, ASL, REGION
from catalog.models import EnteGestore, Opportunity, Organization, Service

_KEY_OF_SCOPE = {scope: key for key, scope in AREA_KEYS.items()}
DATE_KEYS = ("last_verified", "valid_from", "valid_to")


def area_of(rows: list[Any]) -> dict[str, Any]:
    """``service_area``/``opportunity_area`` rows -> the ``area`` mapping of the seed files."""
    rows = sorted(rows, key=lambda a: a.id or 0)
    if not rows:
        return {}
    key = _KEY_OF_SCOPE[rows[0].scope]
    values = [a.value for a in rows]
    if key == "national":
        return {"national": True}
    if key == "region":
        return {"region": REGION}
    if key == "asl":
        return {"asl": ASL}
    if key == "distretti":
        return {"distretti": [int(v) for v in values]}
    return {key: values}


def _drop_empty(record: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k in keep or v not in (None, "", [], {})}


def service_record(s: Service) -> dict[str, Any]:
    """A service in the seed format (``services/*.yaml``)."""
    contacts: dict[str, str] = {}
    if s.phones:
        contacts["phone"] = s.phones[0].number
    for c in sorted(s.contacts, key=lambda c: c.kind):
        contacts[c.kind] = c.value
    helpline = None
    if s.helpline is not None:
        line = s.helpline
        helpline = _drop_empty(
            {
                "number": line.number,
                "label": line.label,
                "emergency_rank": line.emergency_rank,
                "self_harm_rank": line.self_harm_rank,
                "for_minors": line.for_minors,
                "hours": line.hours,
            },
            keep=("for_minors",),
        )
    record = {
        "id": s.id,
        "name": s.name,
        "organization": s.organization_id,
        "category": s.category,
        "extra_categories": [c.category for c in s.categories if not c.is_primary],
        "target_groups": [t.target_group for t in sorted(s.target_groups, key=_id)],
        "summary": s.summary,
        "description": s.description,
        "eligibility": s.eligibility,
        "min_age": s.min_age,
        "max_age": s.max_age,
        "how_to_apply": s.how_to_apply,
        "documents": [d.document for d in s.documents],
        "cost": s.cost,
        "url": s.url,
        "contacts": contacts,
        "keywords": list(s.keywords or []),
        "area": area_of(list(s.areas)),
        "helpline": helpline,
        "status": s.status,
        "last_verified": s.last_verified,
        "verified": s.verified,
        "confidence": s.confidence,
        "source": s.source,
    }
    return _drop_empty(record, keep=("target_groups", "keywords", "area", "last_verified"))


def _id(row: Any) -> int:
    return int(row.id or 0)


def opportunity_record(o: Opportunity) -> dict[str, Any]:
    """An opportunity in the seed format (``opportunities.yaml``)."""
    record = {
        "id": o.id,
        "title": o.title,
        "kind": o.kind,
        "category": o.category,
        "organization": o.organization_id,
        "summary": o.summary,
        "url": o.url,
        "valid_from": o.valid_from,
        "valid_to": o.valid_to,
        "area": area_of(list(o.areas)),
        "status": o.status,
        "last_verified": o.last_verified,
        "verified": o.verified,
        "confidence": o.confidence,
        "source": o.source,
    }
    return _drop_empty(record, keep=("valid_to", "last_verified", "area"))


def ente_record(e: EnteGestore, org: Organization) -> dict[str, Any]:
    """An ente gestore with its contacts and offices (``enti_gestori.yaml``)."""
    record = {
        "id": e.id,
        "name": e.name,
        "short_name": e.short_name,
        "legal_form": e.legal_form,
        "distretto": e.distretto,
        "seat_comune": e.seat_comune,
        "contacts": [
            _drop_empty(
                {
                    "kind": c.kind,
                    "label": c.label,
                    "value": c.value,
                    "confidence": c.confidence,
                    "last_verified": c.last_verified,
                    "source": c.source,
                },
                keep=("last_verified",),
            )
            for c in e.contacts
        ],
        "last_verified": e.last_verified,
        "verified": e.verified,
        "confidence": e.confidence,
        "source": e.source,
        "notes": e.notes,
        "offices": [
            _drop_empty(
                {
                    "name": loc.name,
                    "comune": loc.comune,
                    "address": loc.address,
                    "notes": loc.notes,
                    "source": loc.source,
                    "confidence": loc.confidence,
                    "schedules": [
                        _drop_empty(
                            {
                                "byday": h.byday,
                                "opens_at": h.opens_at,
                                "closes_at": h.closes_at,
                                "description": h.description,
                                "source": h.source,
                            }
                        )
                        for h in sorted(loc.schedules, key=_id)
                    ],
                }
            )
            for loc in sorted(org.locations, key=_id)
        ],
    }
    return _drop_empty(record, keep=("last_verified",))


def organization_record(o: Organization) -> dict[str, Any]:
    """An organization that is not an ente gestore (``organizations.yaml``)."""
    record = {
        "id": o.id,
        "name": o.name,
        "kind": o.kind,
        "website": o.website,
        "description": o.description,
        "verified": o.verified,
        "confidence": o.confidence,
        "source": o.source,
    }
    return _drop_empty(record)


def to_json(value: Any) -> Any:
    """A record with its dates as ISO strings (JSON columns, API answers)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Keys whose value differs between two JSON records (all of ``after`` for a creation)."""
    before = before or {}
    keys = list(after) + [k for k in before if k not in after]
    return [k for k in keys if before.get(k) != after.get(k)]
