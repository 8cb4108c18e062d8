"""Area coverage: which ``(scope, value)`` pairs cover a comune, and their rank."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, tuple_
from sqlalchemy.sql import ColumnElement

from catalog.constants import AREA_SCOPES, ASL, REGION
from catalog.models import Comune


def covering_pairs(comune: Comune | None) -> list[tuple[str, str]]:
    """Area rows that make a service/opportunity available in ``comune``.

    Without a comune only the areas valid everywhere in ASL TO4 are returned.
    """
    pairs = [("national", "true"), ("region", REGION), ("asl", ASL)]
    if comune is None:
        return pairs
    pairs.append(("comune", comune.name))
    for ente_id in (comune.ente_gestore_id, comune.ente_gestore_alt_id):
        if ente_id:
            pairs.append(("ente_gestore", ente_id))
    if comune.distretto is not None:
        pairs.append(("distretto", str(comune.distretto)))
    return pairs


def covers(scope_col: Any, value_col: Any, pairs: list[tuple[str, str]]) -> ColumnElement[bool]:
    """SQL condition: the area row is one of ``pairs``."""
    return tuple_(scope_col, value_col).in_(pairs)


def scope_rank(scope_col: Any, widest_first: bool = False) -> ColumnElement[int]:
    """SQL rank of an area scope: 0 = comune … 5 = national (reversed with ``widest_first``)."""
    top = max(rank for rank, _ in AREA_SCOPES.values())
    whens = {s: (top - r if widest_first else r) for s, (r, _) in AREA_SCOPES.items()}
    return case(whens, value=scope_col, else_=top + 1)
