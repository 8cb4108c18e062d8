"""Export the catalog as HSDS-like JSON or a flat CSV of services.

The JSON follows the Open Referral HSDS 3.0 naming (``organizations``, ``services`` with
``service_areas``, ``required_documents``, ``phones``, ``contacts``; ``locations``) plus the
catalog's own ``enti_gestori``, ``comuni`` and ``opportunities``.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from sqlalchemy import Engine

from catalog.db import session_scope
from catalog.models import Service
from catalog.repository import export as rows

FORMATS = ("hsds-json", "csv")
CSV_COLUMNS = [
    "id", "name", "organization_id", "organization_name", "category", "extra_categories",
    "target_groups", "area", "summary", "eligibility", "min_age", "max_age", "how_to_apply",
    "documents", "cost", "url", "phone", "website", "email", "status", "last_verified",
    "verified", "confidence", "source",
]  # fmt: skip


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _service(s: Service) -> dict[str, Any]:
    return {
        "id": s.id,
        "organization_id": s.organization_id,
        "name": s.name,
        "description": s.description or s.summary,
        "summary": s.summary,
        "url": s.url,
        "status": s.status,
        "eligibility_description": s.eligibility,
        "minimum_age": s.min_age,
        "maximum_age": s.max_age,
        "application_process": s.how_to_apply,
        "fees_description": s.cost,
        "last_modified": _iso(s.last_verified),
        "categories": [{"category": c.category, "primary": c.is_primary} for c in s.categories],
        "target_groups": [t.target_group for t in s.target_groups],
        "keywords": list(s.keywords or []),
        "service_areas": [{"scope": a.scope, "value": a.value} for a in s.areas],
        "required_documents": [{"document": d.document} for d in s.documents],
        "phones": [{"number": p.number, "description": p.description} for p in s.phones],
        "contacts": [{"kind": c.kind, "value": c.value} for c in s.contacts],
        "helpline": None
        if s.helpline is None
        else {
            "number": s.helpline.number,
            "label": s.helpline.label,
            "emergency_rank": s.helpline.emergency_rank,
            "self_harm_rank": s.helpline.self_harm_rank,
            "for_minors": s.helpline.for_minors,
            "hours": s.helpline.hours,
        },
        "verified": s.verified,
        "confidence": s.confidence,
        "source": s.source,
    }


def hsds_json(engine: Engine) -> dict[str, Any]:
    """The whole catalog as one JSON-ready dict."""
    with session_scope(engine) as session:
        organizations = rows.organizations(session)
        return {
            "format": "wecare-hsds/1 (Open Referral HSDS 3.0 naming)",
            "organizations": [
                {
                    "id": o.id,
                    "name": o.name,
                    "kind": o.kind,
                    "website": o.website,
                    "description": o.description,
                    "verified": o.verified,
                    "confidence": o.confidence,
                    "source": o.source,
                }
                for o in organizations
            ],
            "locations": [
                {
                    "id": loc.id,
                    "organization_id": o.id,
                    "name": loc.name,
                    "comune": loc.comune,
                    "address": loc.address,
                    "description": loc.notes,
                    "confidence": loc.confidence,
                    "source": loc.source,
                }
                for o in organizations
                for loc in o.locations
            ],
            "enti_gestori": [
                {
                    "id": e.id,
                    "name": e.name,
                    "short_name": e.short_name,
                    "legal_form": e.legal_form,
                    "distretto": e.distretto,
                    "seat_comune": e.seat_comune,
                    "website": e.website,
                    "last_verified": _iso(e.last_verified),
                    "verified": e.verified,
                    "confidence": e.confidence,
                    "source": e.source,
                    "contacts": [
                        {
                            "kind": c.kind,
                            "value": c.value,
                            "label": c.label,
                            "confidence": c.confidence,
                            "last_verified": c.last_verified.isoformat()
                            if c.last_verified
                            else None,
                            "source": c.source,
                        }
                        for c in e.contacts
                    ],
                }
                for e in rows.enti_gestori(session)
            ],
            "comuni": [
                {
                    "istat_code": c.istat_code,
                    "name": c.name,
                    "cap": c.cap,
                    "ente_gestore_id": c.ente_gestore_id,
                    "ente_gestore_alt_id": c.ente_gestore_alt_id,
                    "distretto": c.distretto,
                    "population": c.population,
                    "confidence": c.confidence,
                    "source": c.source,
                }
                for c in rows.comuni(session)
            ],
            "services": [_service(s) for s in rows.services(session)],
            "opportunities": [
                {
                    "id": o.id,
                    "title": o.title,
                    "kind": o.kind,
                    "category": o.category,
                    "organization_id": o.organization_id,
                    "summary": o.summary,
                    "url": o.url,
                    "valid_from": _iso(o.valid_from),
                    "valid_to": _iso(o.valid_to),
                    "areas": [{"scope": a.scope, "value": a.value} for a in o.areas],
                    "status": o.status,
                    "last_verified": _iso(o.last_verified),
                    "verified": o.verified,
                    "confidence": o.confidence,
                    "source": o.source,
                }
                for o in rows.opportunities(session)
            ],
        }


def services_csv(engine: Engine) -> str:
    """One CSV row per service (lists joined with ``; ``, area as ``scope:value``)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    with session_scope(engine) as session:
        for s in rows.services(session):
            contacts = {c.kind: c.value for c in s.contacts}
            writer.writerow(
                {
                    "id": s.id,
                    "name": s.name,
                    "organization_id": s.organization_id,
                    "organization_name": s.organization.name,
                    "category": s.category,
                    "extra_categories": "; ".join(
                        c.category for c in s.categories if not c.is_primary
                    ),
                    "target_groups": "; ".join(t.target_group for t in s.target_groups),
                    "area": "; ".join(f"{a.scope}:{a.value}" for a in s.areas),
                    "summary": s.summary,
                    "eligibility": s.eligibility or "",
                    "min_age": "" if s.min_age is None else s.min_age,
                    "max_age": "" if s.max_age is None else s.max_age,
                    "how_to_apply": s.how_to_apply,
                    "documents": "; ".join(d.document for d in s.documents),
                    "cost": s.cost or "",
                    "url": s.url or "",
                    "phone": s.phones[0].number if s.phones else "",
                    "website": contacts.get("website", ""),
                    "email": contacts.get("email", ""),
                    "status": s.status,
                    "last_verified": _iso(s.last_verified) or "",
                    "verified": s.verified,
                    "confidence": s.confidence,
                    "source": s.source,
                }
            )
    return out.getvalue()
