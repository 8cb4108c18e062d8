"""Find the comune (and so the ente gestore) in what a citizen writes during a handoff.

Uses the catalog (``catalog.service.CatalogService.resolve_comune``) when it is available
and falls back to a pure lookup on ``catalog_data/comuni.csv`` (exact name, accent- and
case-insensitive, name inside a sentence, or CAP).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from wecare.text import is_cap, normalize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResolvedComune:
    """Outcome of a lookup.

    Attributes:
        name: official name of the comune found, or None.
        ente_gestore_id: its ente gestore (None for comuni without one, e.g. Rivodora).
        out_of_area: the text names a comune outside ASL TO4.
        suggestions: close names when nothing matched exactly.
    """

    name: str | None = None
    ente_gestore_id: str | None = None
    out_of_area: bool = False
    suggestions: tuple[str, ...] = field(default_factory=tuple)


class ComuneResolver(Protocol):
    """Anything that maps free text to a comune of ASL TO4."""

    def resolve(self, text: str) -> ResolvedComune:
        """Return the comune named in ``text`` (``name`` None when not found)."""
        ...


class CsvComuneResolver:
    """Pure fallback: names and CAPs from ``comuni.csv`` and ``comuni_fuori_area.csv``.

    Args:
        rows: ``(name, cap, ente_gestore_id)`` of the comuni of the area.
        outside: names of comuni outside the area.
    """

    def __init__(self, rows: list[tuple[str, str, str | None]], outside: list[str]) -> None:
        self._by_key: dict[str, tuple[str, str | None]] = {}
        self._by_cap: dict[str, list[tuple[str, str | None]]] = {}
        for name, cap, ente in rows:
            self._by_key[normalize(name)] = (name, ente or None)
            for one in cap.replace(";", " ").replace(",", " ").split():
                self._by_cap.setdefault(one, []).append((name, ente or None))
        self._outside = {normalize(n): n for n in outside}
        # Longest names first, so "San Mauro Torinese" wins over "San Mauro".
        self._keys = sorted(self._by_key, key=len, reverse=True)
        self._outside_keys = sorted(self._outside, key=len, reverse=True)

    @classmethod
    def from_dir(cls, data_dir: Path) -> CsvComuneResolver:
        """Load ``comuni.csv`` (and ``comuni_fuori_area.csv`` when present) from ``data_dir``."""
        rows: list[tuple[str, str, str | None]] = []
        path = data_dir / "comuni.csv"
        if path.exists():
            with open(path, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    rows.append((row["name"], row.get("cap") or "", row.get("ente_gestore_id")))
        outside: list[str] = []
        out_path = data_dir / "comuni_fuori_area.csv"
        if out_path.exists():
            with open(out_path, encoding="utf-8", newline="") as fh:
                outside = [row["name"] for row in csv.DictReader(fh)]
        return cls(rows, outside)

    def resolve(self, text: str) -> ResolvedComune:
        """Return the comune named in ``text`` (see the class docstring)."""
        key = normalize(text)
        if not key:
            return ResolvedComune()
        for word in key.split():
            if is_cap(word) and word in self._by_cap:
                matches = self._by_cap[word]
                if len(matches) == 1:
                    return ResolvedComune(matches[0][0], matches[0][1])
                return ResolvedComune(suggestions=tuple(m[0] for m in matches))
        padded = f" {key} "
        for candidate in self._keys:
            if f" {candidate} " in padded:
                name, ente = self._by_key[candidate]
                return ResolvedComune(name, ente)
        for candidate in self._outside_keys:
            if f" {candidate} " in padded:
                return ResolvedComune(out_of_area=True)
        return ResolvedComune()


class CatalogComuneResolver:
    """Resolver backed by the catalog service, with the CSV resolver as a fallback.

    Args:
        service: a ``catalog.service.CatalogService`` (duck-typed).
        fallback: used when the service fails or finds nothing.
    """

    def __init__(self, service: Any, fallback: ComuneResolver) -> None:
        self.service = service
        self.fallback = fallback

    def resolve(self, text: str) -> ResolvedComune:
        """Ask the catalog first, then the fallback."""
        try:
            match = self.service.resolve_comune(text)
        except Exception as exc:  # noqa: BLE001 - the catalog is optional here: fall back
            log.warning("catalog resolve_comune failed (%s); using comuni.csv", exc)
            return self.fallback.resolve(text)
        info = getattr(match, "comune", None)
        if info is not None:
            ente = getattr(info, "ente_gestore_id", None)
            return ResolvedComune(str(getattr(info, "name", "")) or None, ente)
        if getattr(match, "out_of_area", False):
            return ResolvedComune(out_of_area=True)
        found = self.fallback.resolve(text)
        if found.name or found.out_of_area:
            return found
        suggestions = tuple(getattr(match, "suggestions", None) or ()) or tuple(
            getattr(match, "ambiguous_cap", None) or ()
        )
        return ResolvedComune(suggestions=suggestions[:5])


def default_resolver(data_dir: Path) -> ComuneResolver:
    """Return the catalog-backed resolver when the catalog is installed, else the CSV one."""
    fallback = CsvComuneResolver.from_dir(data_dir)
    try:
        from catalog.service import CatalogService  # type: ignore[import-not-found]

        return CatalogComuneResolver(CatalogService.from_settings(), fallback)
    except Exception:  # noqa: BLE001 - catalog missing or its DB not seeded yet
        log.info("catalog service unavailable: comuni resolved from comuni.csv")
        return fallback
