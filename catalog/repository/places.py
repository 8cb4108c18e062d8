"""Comuni, enti gestori and opportunities."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, Row, func, or_, select, text
from sqlalchemy.orm import Session

from catalog.models import Comune, ComuneFuoriArea, Opportunity, OpportunityArea
from catalog.models import Organization as Org
from catalog.repository.areas import covering_pairs, covers, scope_rank


def comune_by_key(session: Session, key: str) -> Comune | None:
    """Comune whose normalised name is ``key``."""
    return session.scalar(select(Comune).where(Comune.name_key == key).limit(1))


def comune_by_name(session: Session, name: str) -> Comune | None:
    """Comune with this exact official name."""
    return session.scalar(select(Comune).where(Comune.name == name))


def comune_names(session: Session) -> list[tuple[str, str, str]]:
    """``(name, cap, istat_code)`` of every comune, by ISTAT code (the resolver's input)."""
    query = select(Comune.name, Comune.cap, Comune.istat_code).order_by(Comune.istat_code)
    return [(name, cap or "", istat) for name, cap, istat in session.execute(query).tuples()]


def fuori_area_names(session: Session) -> list[str]:
    """Names of the out-of-area comuni, alphabetically."""
    return list(session.scalars(select(ComuneFuoriArea.name).order_by(ComuneFuoriArea.name)))


_ENTE = text(
    "SELECT id, name, short_name, legal_form, distretto, seat_comune, website, email, phone, "
    "verified, confidence, source, notes FROM ente_gestore WHERE id = :ente_id"
).columns(verified=Boolean)
_OFFICES = text(
    "SELECT name, comune, address, notes, confidence, source FROM location "
    "WHERE organization_id = :ente_id ORDER BY id"
)
_CONTACTS = text(
    "SELECT kind, value, label, confidence, last_verified, source FROM ente_contact "
    "WHERE ente_gestore_id = :ente_id ORDER BY position, id"
).columns(last_verified=Date)


def ente_gestore(
    session: Session, ente_id: str
) -> tuple[Row[Any], list[Row[Any]], list[Row[Any]]] | None:
    """An ente gestore row, its offices (its organization's locations) and its contacts.

    Plain SQL: this runs on every search with a comune. None when the ente is unknown.
    """
    ente = session.execute(_ENTE, {"ente_id": ente_id}).first()
    if ente is None:
        return None
    offices = list(session.execute(_OFFICES, {"ente_id": ente_id}).all())
    return ente, offices, list(session.execute(_CONTACTS, {"ente_id": ente_id}).all())


def comuni_of_ente(session: Session, ente_id: str) -> list[str]:
    """Names of the comuni served by an ente gestore (main or alternative)."""
    query = select(Comune.name).where(
        or_(Comune.ente_gestore_id == ente_id, Comune.ente_gestore_alt_id == ente_id)
    )
    return list(session.scalars(query.order_by(Comune.name)))


def current_opportunities(
    session: Session, today: date, comune: Comune | None, category: str | None, limit: int
) -> list[tuple[Opportunity, int, str]]:
    """Opportunities valid on ``today`` (never expired ones), local first, soonest end first.

    Returns:
        ``(opportunity, scope rank, provider name)`` tuples.
    """
    area = (
        select(
            OpportunityArea.opportunity_id,
            func.min(scope_rank(OpportunityArea.scope)).label("rank"),
        )
        .where(covers(OpportunityArea.scope, OpportunityArea.value, covering_pairs(comune)))
        .group_by(OpportunityArea.opportunity_id)
        .subquery("area")
    )
    if comune is None:  # no comune: every current item, whatever its area
        area = (
            select(
                OpportunityArea.opportunity_id,
                func.min(scope_rank(OpportunityArea.scope, widest_first=True)).label("rank"),
            )
            .group_by(OpportunityArea.opportunity_id)
            .subquery("area")
        )
    query = (
        select(Opportunity, area.c.rank, Org.name)
        .join(area, area.c.opportunity_id == Opportunity.id)
        .join(Org, Org.id == Opportunity.organization_id)
        .where(Opportunity.status == "active")
        .where(Opportunity.valid_from <= today)
        .where(or_(Opportunity.valid_to.is_(None), Opportunity.valid_to >= today))
        .order_by(area.c.rank, Opportunity.valid_to.is_(None), Opportunity.valid_to, Opportunity.id)
        .limit(limit)
    )
    if category is not None:
        query = query.where(Opportunity.category == category)
    return [(o, r, n) for o, r, n in session.execute(query).tuples()]
