"""The catalog's side of the comune resolver: the pure resolver over the comuni of the database.

:class:`catalog.comuni.ComuneResolver` is built from the comuni and out-of-area comuni the
database holds (so the answers always name rows that exist) plus the name lists and guard
words of the seed folder, and cached until those rows change. An official name — what the
actions pass once the comune is known — is found with one indexed query and no resolver.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from catalog import convert
from catalog.comuni import ComuneRecord, ComuneResolver, Resolution, ResolverData
from catalog.comuni.data import GUARD_WORDS_FILE, read_guard_words, read_name_lists
from catalog.info import ComuneMatch
from catalog.models import Comune
from catalog.repository import places
from wecare.text import normalize


def resolve(session: Session, query: str, data_dir: Path) -> tuple[Comune | None, ComuneMatch]:
    """Resolve ``query`` (a name, short form or CAP) to a comune row and the public match.

    Args:
        session: an open catalog session.
        query: the text, already stripped.
        data_dir: seed folder with the resolver's name lists and guard words.
    """
    if not query:
        return None, ComuneMatch(query=query)
    comune = places.comune_by_key(session, normalize(query))
    if comune is None:
        found = resolver(session, data_dir).resolve(query)
        comune = places.comune_by_name(session, found.name) if found.name else None
        if comune is None:
            return None, _no_comune(found)
    return comune, ComuneMatch(convert.comune_info(comune), query=query)


def resolver(session: Session, data_dir: Path) -> ComuneResolver:
    """The resolver over this database's comuni (rebuilt only when they change)."""
    records = tuple(ComuneRecord(*row) for row in places.comune_names(session))
    return _build(records, tuple(places.fuori_area_names(session)), data_dir)


@lru_cache(maxsize=8)
def _build(
    records: tuple[ComuneRecord, ...], fuori: tuple[str, ...], data_dir: Path
) -> ComuneResolver:
    data = ResolverData(
        records=records,
        fuori_area=fuori,
        lists=read_name_lists(data_dir),
        guard_words=read_guard_words(data_dir / GUARD_WORDS_FILE),
    )
    return ComuneResolver(data)


def _no_comune(found: Resolution) -> ComuneMatch:
    return ComuneMatch(
        suggestions=list(found.suggestions),
        out_of_area=found.out_of_area,
        ambiguous_cap=list(found.ambiguous_cap),
        query=found.query,
    )
