"""The catalog editor: list, search, create, edit, deactivate records, with their history.

Every write validates the record (:mod:`catalog.admin.checks`), rebuilds its rows with the
loader's builders (search index included, so the assistant finds the change at once: actions
read the database on every request) and appends a :class:`CatalogChange`. Who may edit what
is decided by the caller (console roles); the editor only records the actor's name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from catalog import builders
from catalog.admin import records
from catalog.admin.checks import (
    FieldError,
    Known,
    check_opportunity,
    check_service,
)
from catalog.admin.checks_ente import check_ente_changes
from catalog.admin.values import (
    Change,
    InvalidRecord,
    RecordNotFound,
    Summary,
    aware,
    months_before,
)
from catalog.db import session_scope
from catalog.models import CatalogChange, Comune, EnteGestore, Opportunity, Organization, Service
from catalog.seedfiles import Record
from wecare.text import fold

KINDS = ("service", "opportunity", "ente_gestore")
ADMIN_ORIGIN = "admin"


class CatalogEditor:
    """Synchronous editing of the catalog database (thread-safe: one session per call)."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    # --- reading ------------------------------------------------------------------------

    def search(
        self,
        kind: str = "service",
        text: str = "",
        organizations: set[str] | None = None,
        status: str | None = None,
        limit: int = 200,
    ) -> list[Summary]:
        """Records of ``kind`` whose id, name or provider match ``text`` (accent-insensitive).

        ``organizations`` restricts them to those providers (an editor's enti gestori).
        """
        with session_scope(self.engine) as session:
            rows = self._summaries(session, kind)
        needle = fold(text or "").strip()
        out = [
            r
            for r in rows
            if (not needle or needle in fold(f"{r.id} {r.title} {r.organization}"))
            and (organizations is None or r.organization in organizations)
            and (status is None or r.status == status)
        ]
        return out[: max(1, limit)]

    def _summaries(self, session: Session, kind: str) -> list[Summary]:
        if kind == "service":
            return [
                Summary(
                    "service",
                    s.id,
                    s.name,
                    s.organization_id,
                    s.status,
                    s.verified,
                    s.last_verified,
                )
                for s in session.scalars(select(Service).order_by(Service.name))
            ]
        if kind == "opportunity":
            return [
                Summary(
                    "opportunity",
                    o.id,
                    o.title,
                    o.organization_id,
                    o.status,
                    o.verified,
                    o.last_verified,
                    o.valid_to,
                )
                for o in session.scalars(select(Opportunity).order_by(Opportunity.title))
            ]
        if kind == "ente_gestore":
            return [
                Summary("ente_gestore", e.id, e.name, e.id, "active", e.verified, e.last_verified)
                for e in session.scalars(select(EnteGestore).order_by(EnteGestore.name))
            ]
        raise RecordNotFound(f"tipo di record sconosciuto '{kind}'")

    def get(self, kind: str, record_id: str) -> dict[str, Any]:
        """The record in the seed format, dates as ISO strings (RecordNotFound otherwise)."""
        with session_scope(self.engine) as session:
            return records.to_json(self._record(session, kind, record_id))

    def owner(self, kind: str, record_id: str) -> str:
        """The organization a record belongs to (the ente gestore for its own services)."""
        record = self.get(kind, record_id)
        return str(record["id"] if kind == "ente_gestore" else record["organization"])

    def _record(self, session: Session, kind: str, record_id: str) -> dict[str, Any]:
        if kind == "service":
            query = select(Service).where(Service.id == record_id)
            s = session.scalars(query.options(selectinload("*"))).first()
            if s is not None:
                return records.service_record(s)
        elif kind == "opportunity":
            o = session.get(Opportunity, record_id)
            if o is not None:
                return records.opportunity_record(o)
        elif kind == "ente_gestore":
            e = session.get(EnteGestore, record_id)
            if e is not None:
                return records.ente_record(e, e.organization)
        raise RecordNotFound(f"{kind} '{record_id}' non trovato")

    def history(self, kind: str, record_id: str) -> list[Change]:
        """Changes of one record, newest first."""
        with session_scope(self.engine) as session:
            query = (
                select(CatalogChange)
                .where(CatalogChange.record_type == kind, CatalogChange.record_id == record_id)
                .order_by(CatalogChange.id.desc())
            )
            return [
                Change(c.id, c.action, c.actor, aware(c.at), list(c.fields), c.before, c.after)
                for c in session.scalars(query)
            ]

    def stale(
        self, months: int, today: date | None = None, organizations: set[str] | None = None
    ) -> list[Summary]:
        """Records "da riverificare": never verified or last verified more than ``months`` ago."""
        cutoff = months_before(today or date.today(), months)
        out = []
        for kind in KINDS:
            for r in self.search(kind, organizations=organizations, limit=100_000):
                if r.status == "active" and (r.last_verified is None or r.last_verified < cutoff):
                    out.append(r)
        return out

    def expiring(
        self, days: int = 30, today: date | None = None, organizations: set[str] | None = None
    ) -> list[Summary]:
        """Active opportunities whose validity ends within ``days`` (today included)."""
        today = today or date.today()
        end = today + timedelta(days=days)
        rows = self.search(
            "opportunity", organizations=organizations, status="active", limit=100_000
        )
        return sorted(
            (r for r in rows if r.valid_to and today <= r.valid_to <= end),
            key=lambda r: (r.valid_to, r.id),
        )

    # --- writing ------------------------------------------------------------------------

    def create(self, kind: str, data: dict[str, Any], actor: str) -> dict[str, Any]:
        """Add a service or an opportunity; InvalidRecord when it is wrong or the id is taken."""
        if kind not in ("service", "opportunity"):
            raise InvalidRecord(
                [FieldError("kind", "si possono creare solo servizi e opportunità")]
            )
        with session_scope(self.engine) as session:
            model = Service if kind == "service" else Opportunity
            if data.get("id") and session.get(model, str(data["id"])) is not None:
                raise InvalidRecord(
                    [FieldError("id", f"l'identificativo '{data['id']}' esiste già")]
                )
            return self._write(session, kind, None, data, actor, "create")

    def update(
        self, kind: str, record_id: str, changes: dict[str, Any], actor: str
    ) -> dict[str, Any]:
        """Apply ``changes`` (some fields of the record) and record who did it."""
        if "id" in changes and changes["id"] != record_id:
            raise InvalidRecord([FieldError("id", "l'identificativo non si può cambiare")])
        with session_scope(self.engine) as session:
            current = records.to_json(self._record(session, kind, record_id))
            action = "update"
            if changes.get("status") not in (None, current.get("status")):
                action = "deactivate" if changes["status"] == "inactive" else "reactivate"
            return self._write(
                session,
                kind,
                current,
                {**current, **changes} if kind != "ente_gestore" else changes,
                actor,
                action,
            )

    def deactivate(self, kind: str, record_id: str, actor: str) -> dict[str, Any]:
        """Hide a service or opportunity from citizens (kept, with its history)."""
        return self.update(kind, record_id, {"status": "inactive"}, actor)

    def _write(
        self,
        session: Session,
        kind: str,
        before: dict[str, Any] | None,
        data: dict[str, Any],
        actor: str,
        action: str,
    ) -> dict[str, Any]:
        known = self._known(session)
        if kind == "service":
            record, errors = check_service(data, known)
        elif kind == "opportunity":
            record, errors = check_opportunity(data, known)
        else:
            record, errors = check_ente_changes(data, before or {}, known)
        if errors:
            raise InvalidRecord(errors)
        seed = Record(record)
        seed.file = ADMIN_ORIGIN
        after = records.to_json(self._replace(session, kind, seed))
        if before is not None and after == before:
            return after
        session.add(
            CatalogChange(
                record_type=kind,
                record_id=str(record["id"]),
                action=action,
                actor=actor[:200],
                at=self._clock(),
                fields=records.diff(before, after),
                before=before,
                after=after,
            )
        )
        return after

    def _replace(self, session: Session, kind: str, seed: Record) -> dict[str, Any]:
        if kind == "ente_gestore":
            return self._replace_ente(session, seed)
        model: type[Service] | type[Opportunity] = Service if kind == "service" else Opportunity
        old: Any = session.get(model, seed["id"])
        new: Any
        if kind == "service":
            provider = session.get(Organization, seed["organization"])
            new = builders.service(seed, provider.name if provider else "")
            new.origin = old.origin if old is not None else ADMIN_ORIGIN
        else:
            new = builders.opportunity(seed)
        if old is not None:
            session.delete(old)
            session.flush()
        session.add(new)
        session.flush()
        return records.service_record(new) if kind == "service" else records.opportunity_record(new)

    @staticmethod
    def _replace_ente(session: Session, seed: Record) -> dict[str, Any]:
        ente = session.get(EnteGestore, seed["id"])
        assert ente is not None
        org = ente.organization
        new_ente, new_org = builders.ente_gestore(seed), builders.ente_organization(seed)
        for name in (
            "legal_form",
            "seat_comune",
            "website",
            "email",
            "phone",
            "last_verified",
            "verified",
            "confidence",
            "source",
            "notes",
            "content_hash",
        ):
            setattr(ente, name, getattr(new_ente, name))
        for name in ("website", "description", "verified", "confidence", "source", "content_hash"):
            setattr(org, name, getattr(new_org, name))
        contacts, locations = list(new_ente.contacts), list(new_org.locations)
        new_ente.contacts, new_org.locations = [], []
        ente.contacts, org.locations = contacts, locations
        session.flush()
        return records.ente_record(ente, org)

    @staticmethod
    def _known(session: Session) -> Known:
        return Known(
            organizations=frozenset(session.scalars(select(Organization.id))),
            comuni=frozenset(session.scalars(select(Comune.name))),
            enti=frozenset(session.scalars(select(EnteGestore.id))),
        )

    def organizations(self) -> dict[str, str]:
        """Every organization id -> name (the choices of a provider)."""
        with session_scope(self.engine) as session:
            query = select(Organization.id, Organization.name).order_by(Organization.name)
            return {str(ident): str(name) for ident, name in session.execute(query)}

    def comuni(self) -> list[str]:
        """Names of the comuni of ASL TO4."""
        with session_scope(self.engine) as session:
            return list(session.scalars(select(Comune.name).order_by(Comune.name)))


__all__ = ["CatalogEditor", "Change", "InvalidRecord", "RecordNotFound", "Summary"]


def edited_record_count(engine: Engine) -> int:
    """How many records have a change in the history (0 before migration 0008)."""
    from sqlalchemy import func, inspect

    if not inspect(engine).has_table("catalog_change"):
        return 0
    with session_scope(engine) as session:
        query = select(func.count()).select_from(
            select(CatalogChange.record_type, CatalogChange.record_id).distinct().subquery()
        )
        return int(session.scalar(query) or 0)
