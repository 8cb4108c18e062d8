"""Pure readers of the comune data in ``catalog_data/`` (no SQLAlchemy, no Rasa).

The only code that parses the comune files of ``catalog_data/`` outside the seed loader
(``catalog.seedfiles``): the resolver's inputs, in both environments.

| file | what |
|---|---|
| ``comuni.csv`` | the comuni of ASL TO4 (names, CAPs, ISTAT codes) |
| ``comuni_fuori_area.csv`` | comuni outside ASL TO4 a citizen may name |
| ``comuni_nomi.yaml`` | short forms and names that need a place context |
| ``luoghi_fuori_area.yaml`` | places outside ASL TO4 that start like a comune |
| ``comuni_guard_words.txt`` | Italian words never typo-corrected into a comune (generated) |
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parents[2] / "catalog_data"
COMUNI_FILE = "comuni.csv"
FUORI_AREA_FILE = "comuni_fuori_area.csv"
NAMES_FILE = "comuni_nomi.yaml"
PLACES_FILE = "luoghi_fuori_area.yaml"
GUARD_WORDS_FILE = "comuni_guard_words.txt"
#: Every file the resolver is built from (the NLU component hashes them into its fingerprint).
RESOLVER_FILES = (COMUNI_FILE, FUORI_AREA_FILE, NAMES_FILE, PLACES_FILE, GUARD_WORDS_FILE)


@dataclass(frozen=True)
class ComuneRecord:
    """One comune of the catalog.

    Attributes:
        name: official name, e.g. "Cuorgnè".
        cap: postal code(s), as in the catalog (one 5-digit code; several separated by spaces,
            commas or semicolons are accepted).
        istat_code: ISTAT code, or "".
    """

    name: str
    cap: str = ""
    istat_code: str = ""


@dataclass(frozen=True)
class NameLists:
    """The hand-kept name lists: ``comuni_nomi.yaml`` and ``luoghi_fuori_area.yaml``.

    Attributes:
        short_forms: alias -> official name ("settimo" -> "Settimo Torinese").
        needs_context: names and aliases that are also Italian words (see the data file).
        places: places outside ASL TO4 that start like a comune ("San Mauro Pascoli").
    """

    short_forms: dict[str, str] = field(default_factory=dict)
    needs_context: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResolverData:
    """Everything a :class:`catalog.comuni.ComuneResolver` is built from.

    Attributes:
        records: the comuni of ASL TO4.
        fuori_area: names of the comuni outside ASL TO4 (``comuni_fuori_area.csv``).
        lists: short forms, names that need context, look-alike places.
        guard_words: normalized Italian words never typo-corrected.
    """

    records: tuple[ComuneRecord, ...]
    fuori_area: tuple[str, ...] = ()
    lists: NameLists = field(default_factory=NameLists)
    guard_words: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready snapshot (what the NLU component stores in the model)."""
        return {
            "records": [
                {"name": r.name, "cap": r.cap, "istat_code": r.istat_code} for r in self.records
            ],
            "fuori_area": list(self.fuori_area),
            "short_forms": dict(self.lists.short_forms),
            "needs_context": list(self.lists.needs_context),
            "places": list(self.lists.places),
            "guard_words": sorted(self.guard_words),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResolverData:
        """Rebuild the data from :meth:`to_json` output."""
        return cls(
            records=tuple(ComuneRecord(**r) for r in data["records"]),
            fuori_area=tuple(data.get("fuori_area", ())),
            lists=NameLists(
                short_forms=dict(data.get("short_forms", {})),
                needs_context=tuple(data.get("needs_context", ())),
                places=tuple(data.get("places", ())),
            ),
            guard_words=frozenset(data.get("guard_words", ())),
        )


def read_comuni(path: Path) -> list[ComuneRecord]:
    """Read the comuni of a CSV with a ``name`` (or ``comune``), ``cap``, ``istat_code`` header.

    Args:
        path: ``catalog_data/comuni.csv`` or a CSV with the same columns (the shared source
            ``comuni_asl_to4.csv`` names the first column ``comune``).

    Returns:
        One record per row with a name, in file order.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    records = []
    for row in rows:
        name = (row.get("name") or row.get("comune") or "").strip()
        if name:
            cap = (row.get("cap") or "").strip()
            records.append(ComuneRecord(name, cap, (row.get("istat_code") or "").strip()))
    return records


def read_fuori_area(path: Path) -> list[str]:
    """Names of ``comuni_fuori_area.csv`` (empty when the file is missing)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [n for r in csv.DictReader(fh) if (n := (r.get("name") or "").strip())]


def _yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping at the top level")
    return data


def _strings(path: Path, data: dict[str, Any], key: str) -> tuple[str, ...]:
    items = data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise ValueError(f"{path.name}: '{key}' must be a list of names")
    return tuple(i.strip() for i in items)


def read_name_lists(data_dir: Path = DATA_DIR) -> NameLists:
    """Read ``comuni_nomi.yaml`` and ``luoghi_fuori_area.yaml`` (missing files: empty lists).

    Raises:
        ValueError: a file does not have the documented shape.
    """
    names_path, places_path = data_dir / NAMES_FILE, data_dir / PLACES_FILE
    names = _yaml(names_path)
    forms = names.get("short_forms") or {}
    if not isinstance(forms, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in forms.items()
    ):
        raise ValueError(f"{NAMES_FILE}: 'short_forms' must map short forms to official names")
    return NameLists(
        short_forms={k.strip(): v.strip() for k, v in forms.items()},
        needs_context=_strings(names_path, names, "needs_context"),
        places=_strings(places_path, _yaml(places_path), "places"),
    )


def read_guard_words(path: Path) -> frozenset[str]:
    """Read the Italian words never typo-corrected into a comune (one per line, ``#`` comments)."""
    if not path.exists():
        return frozenset()
    with path.open(encoding="utf-8") as fh:
        return frozenset(
            line.strip() for line in fh if line.strip() and not line.lstrip().startswith("#")
        )


def read_resolver_data(data_dir: Path = DATA_DIR, comuni_csv: Path | None = None) -> ResolverData:
    """Read every input of the resolver from ``data_dir`` (default ``catalog_data/``).

    Args:
        data_dir: the seed folder.
        comuni_csv: another comuni CSV to use instead of ``data_dir/comuni.csv``.
    """
    return ResolverData(
        records=tuple(read_comuni(comuni_csv or data_dir / COMUNI_FILE)),
        fuori_area=tuple(read_fuori_area(data_dir / FUORI_AREA_FILE)),
        lists=read_name_lists(data_dir),
        guard_words=read_guard_words(data_dir / GUARD_WORDS_FILE),
    )


def resolver_files(data_dir: Path = DATA_DIR, comuni_csv: Path | None = None) -> list[Path]:
    """The data files :func:`read_resolver_data` reads, in a fixed order."""
    paths = [data_dir / name for name in RESOLVER_FILES]
    if comuni_csv is not None:
        paths[0] = comuni_csv
    return paths
