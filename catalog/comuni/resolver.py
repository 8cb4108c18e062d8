"""The comune resolver: one truth for "which ASL TO4 comune is this?", in both environments.

Two questions, one index (:class:`catalog.comuni.index.NameIndex`):

* :meth:`ComuneResolver.find` — which comuni does a free citizen text mention? (the NLU's
  ``ComuneExtractor``): official names, short forms, typos, CAPs, with guards against ordinary
  Italian words;
* :meth:`ComuneResolver.resolve` — which comune is this answer or slot value? (the catalog's
  ``resolve_comune``): a name, short form or CAP gives the comune; a CAP shared by several
  comuni gives them all; a comune outside ASL TO4 is reported as such; a typo gives
  suggestions — the comune :meth:`find` recognises first — and never a guess.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from catalog.comuni.data import DATA_DIR, ResolverData, read_resolver_data
from catalog.comuni.index import Mention, NameIndex
from wecare.text import is_cap, normalize

#: Most suggestions for a name that matches nothing exactly.
MAX_SUGGESTIONS = 3
#: difflib ratio above which an official name is suggested for an unknown name.
SUGGESTION_CUTOFF = 0.75
#: Shortest key looked up as the end of an official name ("rivodora" -> "… frazione Rivodora").
MIN_SUFFIX = 4


@dataclass(frozen=True)
class Resolution:
    """What :meth:`ComuneResolver.resolve` says about a name.

    Attributes:
        name: the official name of the ASL TO4 comune, when exactly one is named.
        how: ``exact`` | ``alias`` | ``cap`` | ``suffix`` for a comune, else "".
        suggestions: close official names (typos), best first.
        out_of_area: the text names a comune outside ASL TO4 (e.g. Torino).
        ambiguous_cap: official names sharing the CAP that was given, when more than one.
        query: the text that was resolved (stripped).
    """

    name: str | None = None
    how: str = ""
    suggestions: tuple[str, ...] = ()
    out_of_area: bool = False
    ambiguous_cap: tuple[str, ...] = ()
    query: str = ""


class ComuneResolver:
    """Recognises and resolves the comuni of ASL TO4 (pure: no database, no Rasa)."""

    def __init__(self, data: ResolverData) -> None:
        """Index ``data`` (comuni, out-of-area names, short forms, guard words)."""
        self.data = data
        lists = data.lists
        self.index = NameIndex(
            data.records,
            guard_words=data.guard_words,
            out_of_area=(*lists.places, *data.fuori_area),
            short_forms=lists.short_forms,
            risky=lists.needs_context,
        )
        self._official = {normalize(r.name): r.name for r in data.records}
        self._aliases = dict(self.index.iter_aliases())
        self._fuori_area = {normalize(n) for n in data.fuori_area}

    def find(self, text: str) -> list[Mention]:
        """Every comune mentioned in a free text, left to right (see ``NameIndex.find``)."""
        return self.index.find(text)

    def resolve(self, text: str) -> Resolution:
        """Resolve a comune name, short form or CAP (an answer to "in quale comune?").

        Order: CAP; official name (also "Comune di X", "X T.se"); short form or spelling
        variant; the end of an official name ("rivodora"); a comune outside ASL TO4; else
        suggestions.
        """
        query = (text or "").strip()
        if not query:
            return Resolution(query=query)
        if is_cap(query):
            owners = tuple(self.index.cap_owners.get(query, ()))
            if len(owners) == 1:
                return Resolution(owners[0], "cap", query=query)
            return Resolution(ambiguous_cap=owners if len(owners) > 1 else (), query=query)
        keys = name_keys(query)
        for how, table in (("exact", self._official), ("alias", self._aliases)):
            for key in keys:
                if key in table:
                    return Resolution(table[key], how, query=query)
        key = keys[-1]
        if len(key) >= MIN_SUFFIX:
            ends = [n for k, n in self._official.items() if k.endswith(" " + key)]
            if len(ends) == 1:
                return Resolution(ends[0], "suffix", query=query)
        if key in self._fuori_area:
            return Resolution(out_of_area=True, query=query)
        return Resolution(suggestions=self.suggest(query), query=query)

    def suggest(self, text: str) -> tuple[str, ...]:
        """Up to three official names for a misspelt name, best first.

        First the comuni :meth:`find` reads in the text — what the NLU recognises in the same
        words ("ivera" -> Ivrea) — then the official names difflib finds close to it.
        """
        found = [m.value for m in self.find(text)]
        close = difflib.get_close_matches(
            name_keys(text)[-1], list(self._official), n=MAX_SUGGESTIONS, cutoff=SUGGESTION_CUTOFF
        )
        names = [*found, *(self._official[k] for k in close)]
        return tuple(dict.fromkeys(names))[:MAX_SUGGESTIONS]


def name_keys(query: str) -> list[str]:
    """Lookup keys of a comune name: as typed, then without "comune di", "T.se" expanded."""
    key = normalize(query)
    keys = [key]
    for prefix in ("comune di ", "comune ", "citta di "):
        if key.startswith(prefix):
            key = key[len(prefix) :]
            keys.append(key)
    expanded = key.replace(" t se", " torinese").replace(" tse", " torinese")
    if expanded != key:
        keys.append(expanded)
    return keys


@lru_cache(maxsize=4)
def default_resolver(data_dir: Path = DATA_DIR) -> ComuneResolver:
    """The process-wide resolver over the files of ``data_dir`` (default ``catalog_data/``)."""
    return ComuneResolver(read_resolver_data(data_dir))
