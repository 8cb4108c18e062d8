"""Plain data returned by :mod:`catalog.service` (no ORM objects leave the service)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Helpline:
    """A number a citizen can call (``emergency_rank`` orders the emergency reply)."""

    number: str
    label: str
    emergency_rank: int | None = None
    for_minors: bool = False
    hours: str | None = None
    service_id: str = ""
    category: str = ""
    self_harm_rank: int | None = None
    confidence: str = "medium"
    verified: bool = False

    @property
    def needs_caveat(self) -> bool:
        """True when the number comes from an unconfirmed source ("verifica" caveat)."""
        return self.confidence == "low"

    def to_payload(self) -> dict[str, Any]:
        """``{"number", "label"}`` as in the SPEC §5 emergency payload.

        Plus ``hours`` and ``to_verify`` (True: the number is unconfirmed and every channel
        shows it with the "da verificare" caveat).
        """
        return {
            "number": self.number,
            "label": self.label,
            "hours": self.hours,
            "to_verify": self.needs_caveat,
        }


@dataclass(frozen=True)
class ServiceInfo:
    """A catalog service as shown to citizens."""

    id: str
    name: str
    summary: str
    category: str
    provider_id: str
    provider_name: str
    how_to_apply: str
    scope: str
    confidence: str
    verified: bool
    url: str | None = None
    description: str | None = None
    eligibility: str | None = None
    cost: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    extra_categories: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    contacts: dict[str, str] = field(default_factory=dict)
    provider_contacts: dict[str, str] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    helpline: Helpline | None = None
    last_verified: date | None = None
    source: str = ""

    def to_payload(self) -> dict[str, Any]:
        """The SPEC §5 service dict plus ``scope`` and ``confidence``.

        ``provider.contacts`` (only when known) holds the confirmed contacts of a provider
        that is an ente gestore: its switchboard, e-mail, PEC, website, head office.
        """
        provider: dict[str, Any] = {"id": self.provider_id, "name": self.provider_name}
        if self.provider_contacts:
            provider["contacts"] = dict(self.provider_contacts)
        return {
            "id": self.id,
            "name": self.name,
            "summary": self.summary,
            "category": self.category,
            "provider": provider,
            "url": self.url,
            "how_to_apply": self.how_to_apply,
            "documents": list(self.documents),
            "contacts": dict(self.contacts),
            "verified": self.verified,
            "scope": self.scope,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class OfficeInfo:
    """An office of an ente gestore (address only when a source gives it)."""

    name: str
    comune: str | None
    address: str | None
    notes: str | None
    confidence: str
    source: str

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "name": self.name,
            "comune": self.comune,
            "address": self.address,
            "notes": self.notes,
            "confidence": self.confidence,
        }


CONTACT_FIELDS = ("website", "email", "phone")


@dataclass(frozen=True)
class ContactPoint:
    """A contact of an ente gestore as read in a source.

    ``kind`` is one of address, phone, fax, email, pec, website; ``last_verified`` is the date
    of the document it was read in.
    """

    kind: str
    value: str
    confidence: str
    source: str
    label: str | None = None
    last_verified: date | None = None

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict (date as ISO string); ``verified`` is False for low confidence."""
        return {
            "kind": self.kind,
            "value": self.value,
            "label": self.label,
            "confidence": self.confidence,
            "verified": self.confidence != "low",
            "last_verified": self.last_verified.isoformat() if self.last_verified else None,
            "source": self.source,
        }


@dataclass(frozen=True)
class EnteGestoreInfo:
    """An ente gestore with its offices and contacts.

    ``contacts`` maps each kind (``address phone fax email pec website``) to its first value
    read in a source with medium/high confidence (safe to show as certain);
    ``contact_points`` lists every contact with source, date and confidence (low-confidence
    ones only "da verificare").

    ``comuni`` (names of the comuni served) is filled by ``get_ente_gestore`` only; it is empty
    in ``SearchPage.ente_gestore`` to keep searches fast.
    """

    id: str
    name: str
    short_name: str
    distretto: int
    verified: bool
    confidence: str
    source: str
    legal_form: str | None = None
    seat_comune: str | None = None
    notes: str | None = None
    contacts: dict[str, str] = field(default_factory=dict)
    contact_points: list[ContactPoint] = field(default_factory=list)
    offices: list[OfficeInfo] = field(default_factory=list)
    comuni: list[str] = field(default_factory=list)

    @property
    def contacts_last_verified(self) -> date | None:
        """Date of the most recent document the contacts were read in (None: undated)."""
        dates = [p.last_verified for p in self.contact_points if p.last_verified]
        return max(dates) if dates else None

    @property
    def unknown_contacts(self) -> list[str]:
        """Contact fields (website, email, phone) not known for this ente."""
        return [f for f in CONTACT_FIELDS if f not in self.contacts]

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict (``{"id","name",…}``) for the SPEC §5 office payload."""
        return {
            "id": self.id,
            "name": self.name,
            "short_name": self.short_name,
            "distretto": self.distretto,
            "seat_comune": self.seat_comune,
            "contacts": dict(self.contacts),
            "contact_points": [p.to_payload() for p in self.contact_points],
            "contacts_last_verified": (
                self.contacts_last_verified.isoformat() if self.contacts_last_verified else None
            ),
            "unknown_contacts": self.unknown_contacts,
            "offices": [o.to_payload() for o in self.offices],
            "verified": self.verified,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class ComuneInfo:
    """A comune of ASL TO4 with its ente gestore and distretto."""

    name: str
    istat_code: str
    cap: str | None
    ente_gestore_id: str | None
    ente_gestore_alt_id: str | None
    distretto: int | None
    population: int | None
    confidence: str
    source: str
    notes: str | None = None


@dataclass(frozen=True)
class ComuneMatch:
    """Result of :meth:`CatalogService.resolve_comune`.

    Attributes:
        comune: the comune, when the text names exactly one comune of ASL TO4.
        suggestions: close official names when nothing matched exactly (typos).
        out_of_area: the text names a comune outside ASL TO4 (e.g. Torino).
        ambiguous_cap: official names sharing the CAP that was given, when more than one.
        query: the text that was resolved.
    """

    comune: ComuneInfo | None = None
    suggestions: list[str] = field(default_factory=list)
    out_of_area: bool = False
    ambiguous_cap: list[str] = field(default_factory=list)
    query: str = ""


@dataclass(frozen=True)
class SearchPage:
    """One page of search results."""

    items: list[ServiceInfo]
    page: int
    page_size: int
    total: int
    comune: ComuneInfo | None = None
    ente_gestore: EnteGestoreInfo | None = None
    category: str | None = None

    @property
    def has_more(self) -> bool:
        """True when later pages exist."""
        return self.page * self.page_size < self.total

    def to_payload(self) -> dict[str, Any]:
        """The SPEC §5 ``services`` payload."""
        ente = self.ente_gestore
        return {
            "type": "services",
            "category": self.category,
            "comune": self.comune.name if self.comune else None,
            "ente_gestore": {"id": ente.id, "name": ente.name} if ente else None,
            "services": [s.to_payload() for s in self.items],
            "page": self.page,
            "total": self.total,
        }


@dataclass(frozen=True)
class OpportunityInfo:
    """A current opportunity (call, course, event, traineeship, measure)."""

    id: str
    title: str
    kind: str
    category: str
    provider_id: str
    provider_name: str
    summary: str
    url: str | None
    valid_from: date
    valid_to: date | None
    scope: str
    verified: bool
    confidence: str
    source: str

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings)."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "category": self.category,
            "provider": {"id": self.provider_id, "name": self.provider_name},
            "summary": self.summary,
            "url": self.url,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "scope": self.scope,
            "verified": self.verified,
            "confidence": self.confidence,
        }
