"""Fixed vocabularies of the catalog (docs/contracts.md)."""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "economic_support",
    "housing",
    "employment",
    "family_minors",
    "elderly_care",
    "disability",
    "violence",
    "health",
    "social_inclusion",
)
TARGET_GROUPS: tuple[str, ...] = (
    "minori",
    "famiglie",
    "anziani",
    "disabili",
    "donne",
    "giovani",
    "stranieri",
    "adulti",
)
ENTE_IDS: tuple[str, ...] = (
    "cis_cirie",
    "ciss38",
    "inrete",
    "cissac",
    "unione_net",
    "ciss_chivasso",
    "cisa_gassino",
)
DISTRETTI: tuple[int, ...] = (21, 22, 23, 24)
CONFIDENCE: tuple[str, ...] = ("high", "medium", "low")
ORG_KINDS: tuple[str, ...] = (
    "ente_gestore",
    "asl",
    "inps",
    "regione",
    "job_centre",
    "third_sector",
    "other",
)
#: Kinds of an ente gestore's contacts (``enti_gestori.yaml`` ``contacts[].kind``).
ENTE_CONTACT_KINDS: tuple[str, ...] = ("address", "phone", "fax", "email", "pec", "website")
OPPORTUNITY_KINDS: tuple[str, ...] = ("bando", "corso", "evento", "tirocinio", "misura")
STATUSES: tuple[str, ...] = ("active", "inactive")

# Area scopes as stored in service_area/opportunity_area.scope, narrowest first. The rank is
# the search order (local first); the label is the public ``scope`` of a result.
AREA_SCOPES: dict[str, tuple[int, str]] = {
    "comune": (0, "local"),
    "ente_gestore": (1, "local"),
    "distretto": (2, "distretto"),
    "asl": (3, "distretto"),
    "region": (4, "regional"),
    "national": (5, "national"),
}
# Keys of the ``area`` mapping in the seed files -> stored scope.
AREA_KEYS: dict[str, str] = {
    "national": "national",
    "region": "region",
    "asl": "asl",
    "distretti": "distretto",
    "enti_gestori": "ente_gestore",
    "comuni": "comune",
}
REGION = "piemonte"
ASL = "to4"
