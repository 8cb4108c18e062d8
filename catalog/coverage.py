"""Coverage of the catalog: per ente gestore and category, how many services reach its citizens.

A service reaches the citizens of an ente gestore at one of three levels, as the search ranks
them (``catalog.constants.AREA_SCOPES``):

- ``local``: its area is the ente itself, or a comune the ente serves (``comuni.csv``);
- ``distretto``: its area is the ente's distretto della coesione sociale, or ASL TO4;
- ``regional``: Piemonte or the whole of Italy.

A service counts in a category when that is its primary or one of its extra categories (as in
the search). Only active services count. ``verified`` counts those read in an official source.
``wecare catalog coverage`` prints the table; ``gaps`` lists the pairs with no service at all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine

from catalog.constants import CATEGORIES, ENTE_IDS
from catalog.db import session_scope
from catalog.repository.coverage import FacetRow, comune_enti, ente_distretti, facet_rows

LEVELS = ("local", "distretto", "regional")
_LEVEL_OF_SCOPE = {
    "comune": "local",
    "ente_gestore": "local",
    "distretto": "distretto",
    "asl": "distretto",
    "region": "regional",
    "national": "regional",
}


@dataclass(frozen=True)
class CoverageCell:
    """Services of one category that reach the citizens of one ente gestore."""

    ente_gestore_id: str
    category: str
    local: int = 0
    local_verified: int = 0
    distretto: int = 0
    distretto_verified: int = 0
    regional: int = 0
    regional_verified: int = 0

    @property
    def total(self) -> int:
        """Services at any level."""
        return self.local + self.distretto + self.regional

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (with ``total``)."""
        return {**asdict(self), "total": self.total}


def compute(
    rows: list[FacetRow], comune_ente: dict[str, str], distretti: dict[str, int]
) -> list[CoverageCell]:
    """Count services per (ente, category, level) from the facet rows (pure).

    Args:
        rows: one per (service, category, area) of an active service.
        comune_ente: comune name -> its (main) ente gestore id.
        distretti: ente gestore id -> its distretto.

    Returns:
        One cell per ente gestore of ``ENTE_IDS`` and category, in that order.
    """
    seen: dict[tuple[str, str, str], dict[str, bool]] = defaultdict(dict)
    for row in rows:
        level = _LEVEL_OF_SCOPE.get(row.scope)
        if level is None:
            continue
        for ente in _enti_reached(row, comune_ente, distretti):
            seen[(ente, row.category, level)][row.service_id] = row.verified
    cells = []
    for ente in ENTE_IDS:
        for category in CATEGORIES:
            counts: dict[str, int] = {}
            for level in LEVELS:
                services = seen.get((ente, category, level), {})
                counts[level] = len(services)
                counts[f"{level}_verified"] = sum(services.values())
            cells.append(CoverageCell(ente, category, **counts))
    return cells


def _enti_reached(
    row: FacetRow, comune_ente: dict[str, str], distretti: dict[str, int]
) -> list[str]:
    """The enti gestori whose citizens an area reaches."""
    if row.scope == "ente_gestore":
        return [row.value]
    if row.scope == "comune":
        ente = comune_ente.get(row.value)
        return [ente] if ente else []
    if row.scope == "distretto":
        return [e for e, d in distretti.items() if str(d) == row.value]
    return list(distretti)  # asl, region, national: every ente


def coverage(engine: Engine) -> list[CoverageCell]:
    """The coverage table of the catalog database."""
    with session_scope(engine) as session:
        return compute(facet_rows(session), comune_enti(session), ente_distretti(session))


def gaps(cells: list[CoverageCell]) -> list[tuple[str, str]]:
    """(ente, category) pairs with no service at all."""
    return [(c.ente_gestore_id, c.category) for c in cells if c.total == 0]


def _cell_text(cell: CoverageCell) -> str:
    return (
        f"{cell.local} ({cell.local_verified}) · {cell.distretto} ({cell.distretto_verified}) · "
        f"{cell.regional} ({cell.regional_verified})"
    )


def markdown(cells: list[CoverageCell]) -> str:
    """A Markdown table: one row per category, one column per ente gestore."""
    by_key = {(c.ente_gestore_id, c.category): c for c in cells}
    enti = [e for e in ENTE_IDS if any(c.ente_gestore_id == e for c in cells)]
    lines = [
        "| category | " + " | ".join(f"`{e}`" for e in enti) + " |",
        "|---|" + "---|" * len(enti),
    ]
    for category in CATEGORIES:
        row = [_cell_text(by_key[(e, category)]) for e in enti]
        lines.append(f"| `{category}` | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def text_table(cells: list[CoverageCell]) -> str:
    """A plain-text table: one line per ente gestore and category."""
    head = ("ente gestore", "category", *LEVELS, "verified (l/d/r)")
    widths = (14, 17, 6, 10, 9, 16)
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    for c in cells:
        verified = f"{c.local_verified}/{c.distretto_verified}/{c.regional_verified}"
        values = (c.ente_gestore_id, c.category, c.local, c.distretto, c.regional, verified)
        lines.append("  ".join(str(v).ljust(w) for v, w in zip(values, widths, strict=True)))
    return "\n".join(lines) + "\n"
