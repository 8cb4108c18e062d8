"""Read services for display with two Core queries (no ORM hydration on the hot path)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, bindparam, text
from sqlalchemy.orm import Session


@dataclass
class ServiceCard:
    """Everything shown about a service (a plain row, not an ORM object)."""

    id: str
    name: str
    summary: str
    category: str
    organization_id: str
    provider_name: str
    how_to_apply: str
    confidence: str
    verified: bool
    url: str | None
    description: str | None
    eligibility: str | None
    cost: str | None
    min_age: int | None
    max_age: int | None
    keywords: list[Any]
    last_verified: date | None
    source: str
    helpline: dict[str, Any] | None = None
    extra_categories: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    contacts: dict[str, str] = field(default_factory=dict)
    #: Confirmed contacts of the provider when it is an ente gestore (switchboard, e-mail...).
    provider_contacts: dict[str, str] = field(default_factory=dict)


_FIELDS = (
    "id", "name", "summary", "category", "organization_id", "provider_name", "how_to_apply",
    "confidence", "verified", "url", "description", "eligibility", "cost", "min_age", "max_age",
    "keywords", "last_verified", "source",
)  # fmt: skip
_HELPLINE = ("number", "label", "emergency_rank", "self_harm_rank", "for_minors", "hours")

# Plain SQL with an expanding IN: built once, only bound per call (this runs on every search).
_CARDS = (
    text(
        "SELECT s.id, s.name, s.summary, s.category, s.organization_id, o.name AS provider_name, "
        "s.how_to_apply, s.confidence, s.verified, s.url, s.description, s.eligibility, s.cost, "
        "s.min_age, s.max_age, s.keywords, s.last_verified, s.source, h.number, h.label, "
        "h.emergency_rank, h.self_harm_rank, h.for_minors, h.hours "
        "FROM service s JOIN organization o ON o.id = s.organization_id "
        "LEFT JOIN helpline h ON h.service_id = s.id WHERE s.id IN :ids"
    )
    .bindparams(bindparam("ids", expanding=True))
    .columns(keywords=JSON, last_verified=Date, verified=Boolean, for_minors=Boolean)
)
_PARTS = text(
    "SELECT 'category' AS kind, service_id, 0 AS pos, category AS value FROM service_category "
    "WHERE service_id IN :ids AND NOT is_primary "
    "UNION ALL SELECT 'target_group', service_id, id, target_group FROM service_target_group "
    "WHERE service_id IN :ids "
    "UNION ALL SELECT 'document', service_id, position, document FROM required_document "
    "WHERE service_id IN :ids "
    "UNION ALL SELECT kind, service_id, id, value FROM contact WHERE service_id IN :ids "
    "UNION ALL SELECT 'phone', service_id, id, number FROM phone WHERE service_id IN :ids "
    "UNION ALL SELECT 'provider_' || ec.kind, s.id, ec.position, ec.value FROM service s "
    "JOIN ente_contact ec ON ec.ente_gestore_id = s.organization_id "
    "WHERE s.id IN :ids AND ec.confidence <> 'low' "
    "ORDER BY 1, 2, 3"
).bindparams(bindparam("ids", expanding=True))


def cards(session: Session, ids: Sequence[str]) -> dict[str, ServiceCard]:
    """Service cards by id (unknown ids are absent)."""
    if not ids:
        return {}
    out: dict[str, ServiceCard] = {}
    for row in session.execute(_CARDS, {"ids": list(ids)}):
        data = row._mapping
        card = ServiceCard(**{key: data[key] for key in _FIELDS})
        if data["number"] is not None:
            card.helpline = {key: data[key] for key in _HELPLINE}
        out[card.id] = card
    if out:
        _add_parts(session, out)
    return out


def _add_parts(session: Session, out: dict[str, ServiceCard]) -> None:
    """Fill categories, target groups, documents and contacts with one UNION query."""
    prefix = "provider_"
    for kind, service_id, _pos, value in session.execute(_PARTS, {"ids": list(out)}).tuples():
        card = out[service_id]
        if kind == "category":
            card.extra_categories.append(value)
        elif kind == "target_group":
            card.target_groups.append(value)
        elif kind == "document":
            card.documents.append(value)
        elif kind.startswith(prefix):
            card.provider_contacts.setdefault(kind[len(prefix) :], value)
        else:
            card.contacts.setdefault(kind, value)
