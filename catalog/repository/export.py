"""Bulk reads for export (every row, parts loaded eagerly)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from catalog.models import Comune, EnteGestore, Opportunity, Organization, Service


def organizations(session: Session) -> list[Organization]:
    """Every organization with its locations and their schedules."""
    query = select(Organization).order_by(Organization.id)
    return list(session.scalars(query.options(selectinload(Organization.locations))))


def enti_gestori(session: Session) -> list[EnteGestore]:
    """Every ente gestore."""
    return list(session.scalars(select(EnteGestore).order_by(EnteGestore.id)))


def comuni(session: Session) -> list[Comune]:
    """Every comune of ASL TO4."""
    return list(session.scalars(select(Comune).order_by(Comune.name)))


def services(session: Session) -> list[Service]:
    """Every service (active or not) with all its parts."""
    query = select(Service).order_by(Service.id)
    options = [
        selectinload(getattr(Service, name))
        for name in (
            "organization",
            "categories",
            "target_groups",
            "areas",
            "documents",
            "contacts",
            "phones",
            "helpline",
        )
    ]
    return list(session.scalars(query.options(*options)))


def opportunities(session: Session) -> list[Opportunity]:
    """Every opportunity, expired ones included (an export is not shown to citizens)."""
    query = select(Opportunity).order_by(Opportunity.id)
    return list(session.scalars(query.options(selectinload(Opportunity.areas))))
