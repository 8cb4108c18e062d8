"""Typed SQLAlchemy 2 models of the catalog (one module per entity group)."""

from catalog.models.audit import CatalogChange
from catalog.models.base import Base
from catalog.models.comune import Comune, ComuneFuoriArea
from catalog.models.ente_gestore import EnteContact, EnteGestore
from catalog.models.location import Location, Schedule, ServiceAtLocation
from catalog.models.opportunity import Opportunity, OpportunityArea
from catalog.models.organization import Organization
from catalog.models.service import (
    Contact,
    Helpline,
    Phone,
    RequiredDocument,
    Service,
    ServiceArea,
    ServiceCategory,
    ServiceFacet,
    ServiceSearch,
    ServiceTargetGroup,
)

__all__ = [
    "Base",
    "CatalogChange",
    "Comune",
    "ComuneFuoriArea",
    "Contact",
    "EnteContact",
    "EnteGestore",
    "Helpline",
    "Location",
    "Opportunity",
    "OpportunityArea",
    "Organization",
    "Phone",
    "RequiredDocument",
    "Schedule",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "ServiceCategory",
    "ServiceFacet",
    "ServiceSearch",
    "ServiceTargetGroup",
]
