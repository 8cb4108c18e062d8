"""The comune recogniser as the NLU sees it: the catalog's pure resolver (``catalog.comuni``).

There is one comune resolver (names, accents, typos, short forms, CAPs, places outside the
area), in :mod:`catalog.comuni`, free of Rasa and SQLAlchemy; this module only names the pieces
the NLU uses (``nlu.components.comune_extractor``, ``nlu.spacy_it.guard_words``, the tests) and
reads the default data through :mod:`catalog.comuni.data`.
"""

from __future__ import annotations

from pathlib import Path

from catalog.comuni import ComuneRecord, ComuneResolver, NameIndex, edit_distance, max_typos
from catalog.comuni import Mention as ComuneMatch
from catalog.comuni.data import (
    COMUNI_FILE,
    DATA_DIR,
    GUARD_WORDS_FILE,
    read_comuni,
    read_guard_words,
    read_name_lists,
    read_resolver_data,
)

Gazetteer = NameIndex
CATALOG_CSV = DATA_DIR / COMUNI_FILE
SHARED_CSV = DATA_DIR.parent.parent / "shared" / "data" / "comuni_asl_to4.csv"
GUARD_WORDS_PATH = DATA_DIR / GUARD_WORDS_FILE

__all__ = [
    "CATALOG_CSV",
    "GUARD_WORDS_PATH",
    "SHARED_CSV",
    "ComuneMatch",
    "ComuneRecord",
    "Gazetteer",
    "comuni_csv",
    "default_gazetteer",
    "edit_distance",
    "load_guard_words",
    "load_records",
    "max_typos",
    "short_forms",
]


def comuni_csv(path: Path | None = None) -> Path:
    """The comuni CSV to index: ``path``, else ``catalog_data/comuni.csv``, else the shared one."""
    if path is not None:
        return path
    return CATALOG_CSV if CATALOG_CSV.exists() else SHARED_CSV


def load_records(path: Path | None = None) -> list[ComuneRecord]:
    """Read the comuni of :func:`comuni_csv` (``name`` or ``comune`` column layouts)."""
    return read_comuni(comuni_csv(path))


def load_guard_words(path: Path = GUARD_WORDS_PATH) -> frozenset[str]:
    """Read the Italian words never typo-corrected into a comune."""
    return read_guard_words(path)


def short_forms() -> dict[str, str]:
    """The short forms of ``catalog_data/comuni_nomi.yaml`` (alias -> official name)."""
    return read_name_lists().short_forms


def default_gazetteer(path: str | None = None) -> NameIndex:
    """The recogniser over the catalog's comune data (``path``: another comuni CSV)."""
    return _resolver(path).index


_RESOLVERS: dict[str | None, ComuneResolver] = {}


def _resolver(path: str | None) -> ComuneResolver:
    if path not in _RESOLVERS:
        csv_path = comuni_csv(Path(path) if path else None)
        _RESOLVERS[path] = ComuneResolver(read_resolver_data(comuni_csv=csv_path))
    return _RESOLVERS[path]
