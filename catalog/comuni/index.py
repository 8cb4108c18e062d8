"""The comune name index: official names, aliases, CAPs and places outside the area.

For every comune the index holds its official name, spelling variants (words glued, "s." for
"san", "T.se") and the short forms of ``catalog_data/comuni_nomi.yaml``. Typos are tolerated on
tokens of at least 5 letters (edit distance 1, 2 from 8 letters, same first letter), found
through a deletion index (SymSpell style), so a message costs a few dictionary look-ups per
token. Guards keep ordinary Italian out:

* names that are also Italian words ("Grosso", "Front", "Caselle", "Settimo") *need context*:
  a place word before them ("a", "di", "comune di", …), a capital letter inside a sentence, or
  being the whole message;
* a token that is a known Italian word close to a comune (``corso`` ~ Corio, the guard words)
  is never typo-corrected;
* a 5-digit CAP maps to a comune only when exactly one comune has it and it is not an amount
  ("10020 euro");
* places outside ASL TO4 that start like a comune ("San Mauro Pascoli") are matched and dropped.

The longest match wins at each position (multi-word names before their short forms).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from catalog.comuni.data import ComuneRecord
from catalog.comuni.fuzzy import deletes, edit_distance, max_typos, token_distance, variants
from catalog.comuni.tokens import (
    Token,
    has_context,
    is_amount,
    split_caps,
    strong_context,
    tokenize,
)
from wecare.text import normalize


@dataclass(frozen=True)
class Mention:
    """A comune found in a text.

    Attributes:
        value: official name.
        start: start offset of the match in the original text.
        end: end offset (exclusive) in the original text.
        text: the original surface text, ``text[start:end]``.
        confidence: 1.0 exact name, 0.95 alias/short form, 0.9 or less typo, 0.9 CAP.
        kind: ``exact`` | ``alias`` | ``fuzzy`` | ``cap``.
    """

    value: str
    start: int
    end: int
    text: str
    confidence: float
    kind: str


@dataclass(frozen=True)
class _Entry:
    tokens: tuple[str, ...]
    value: str | None  # None: a place outside the area (matched, then dropped)
    alias: bool
    risky: bool


@dataclass(frozen=True)
class _Candidate:
    entry: _Entry
    n_tokens: int
    distance: int = 0
    exact_tokens: int = 0


class NameIndex:
    """Index of comune names, aliases and CAPs with a fast, guarded ``find``."""

    def __init__(
        self,
        records: Iterable[ComuneRecord],
        guard_words: Iterable[str] = (),
        out_of_area: Iterable[str] = (),
        short_forms: dict[str, str] | None = None,
        risky: Iterable[str] = (),
    ) -> None:
        """Build the index.

        Args:
            records: the comuni (official names and CAPs).
            guard_words: normalized Italian words that must never be typo-corrected.
            out_of_area: places outside the area; a text naming one yields no match there
                (they only win when longer than an in-area name or alias at that position).
            short_forms: alias -> official name. Aliases whose official name is not among
                ``records`` are ignored.
            risky: names/aliases that need a place context.
        """
        self.records = list(records)
        self.guard_words = frozenset(guard_words)
        self.risky = frozenset(normalize(r) for r in risky)
        self.names = {r.name for r in self.records}
        self._by_first: dict[str, list[_Entry]] = {}
        self._fuzzy: dict[str, set[str]] = {}
        self._first_cache: dict[str, list[tuple[str, int]]] = {}
        self._add_names(short_forms or {})
        for name in out_of_area:
            self._add_with_variants(normalize(name), None)
        owners: dict[str, set[str]] = {}
        for rec in self.records:
            for cap in split_caps(rec.cap):
                owners.setdefault(cap, set()).add(rec.name)
        #: CAP -> the official names that have it (sorted).
        self.cap_owners = {cap: sorted(names) for cap, names in owners.items()}
        self._cap = {cap: names[0] for cap, names in self.cap_owners.items() if len(names) == 1}
        self.ambiguous_caps = {c: names for c, names in self.cap_owners.items() if len(names) > 1}

    # ----------------------------------------------------------------------------- building
    def _add_entry(self, key: str, value: str | None, alias: bool) -> None:
        tokens = tuple(key.split())
        if not tokens:
            return
        bucket = self._by_first.setdefault(tokens[0], [])
        if any(e.tokens == tokens for e in bucket):
            return
        bucket.append(_Entry(tokens, value, alias, key in self.risky))
        bucket.sort(key=lambda e: (-len(e.tokens), e.alias))
        first = tokens[0]
        depth = max_typos(first)
        if depth:
            for d in deletes(first, depth):
                self._fuzzy.setdefault(d, set()).add(first)

    def _add_with_variants(self, key: str, value: str | None, alias: bool = False) -> None:
        self._add_entry(key, value, alias=alias)
        for variant in variants(key):
            self._add_entry(variant, value, alias=True)

    def _add_names(self, short_forms: dict[str, str]) -> None:
        for rec in self.records:
            self._add_with_variants(normalize(rec.name), rec.name)
        for alias, value in short_forms.items():
            if value in self.names:
                self._add_with_variants(normalize(alias), value, alias=True)

    # ----------------------------------------------------------------------------- matching
    def _first_keys(self, key: str) -> list[tuple[str, int]]:
        """Index keys the first token may stand for, with their edit distance (memoised)."""
        cached = self._first_cache.get(key)
        if cached is None:
            cached = self._compute_first_keys(key)
            if len(self._first_cache) > 100_000:
                self._first_cache.clear()
            self._first_cache[key] = cached
        return cached

    def _compute_first_keys(self, key: str) -> list[tuple[str, int]]:
        out = [(key, 0)] if key in self._by_first else []
        depth = max_typos(key)
        if not depth or key in self._by_first:
            return out
        seen: set[str] = set()
        for d in deletes(key, depth):
            for cand in self._fuzzy.get(d, ()):
                if cand in seen or cand[0] != key[0]:
                    continue
                seen.add(cand)
                limit = min(depth, max_typos(cand))
                dist = edit_distance(key, cand, limit)
                if 0 < dist <= limit:
                    out.append((cand, dist))
        return out

    def _fit(
        self, tokens: Sequence[Token], i: int, entry: _Entry, first_dist: int
    ) -> _Candidate | None:
        """The entry read at ``i`` with its typos, or None when it does not fit there."""
        n = len(entry.tokens)
        if i + n > len(tokens):
            return None
        dist, exact = first_dist, 1 if first_dist == 0 else 0
        for k in range(1, n):
            d = token_distance(tokens[i + k].key, entry.tokens[k])
            if d is None:
                return None
            dist += d
            exact += d == 0
        if (
            first_dist
            and tokens[i].key in self.guard_words
            and not (len(tokens[i].key) >= 7 and strong_context(tokens, i))
        ):
            return None  # an Italian word ("corso"), unless "abito a volpino"
        if (dist and n > 1 and not exact) or dist > max(2, n):
            return None  # every word misspelt, or too many typos: too weak
        return _Candidate(entry, n, dist, exact)

    def _match_at(self, tokens: Sequence[Token], i: int) -> _Candidate | None:
        best: _Candidate | None = None
        for first_key, first_dist in self._first_keys(tokens[i].key):
            for entry in self._by_first[first_key]:
                cand = self._fit(tokens, i, entry, first_dist)
                if cand is not None and (
                    best is None
                    or (cand.n_tokens, -cand.distance, not entry.alias)
                    > (best.n_tokens, -best.distance, not best.entry.alias)
                ):
                    best = cand
        return best

    def _accept(self, tokens: Sequence[Token], i: int, cand: _Candidate) -> bool:
        if has_context(tokens, i, cand.n_tokens):
            return True
        if cand.entry.risky:
            return False
        # a lone misspelt short word ("chivas") needs context; longer ones are clear enough
        return not (cand.distance and cand.n_tokens == 1 and len(tokens[i].key) < 6)

    @staticmethod
    def _mention(text: str, tokens: Sequence[Token], i: int, cand: _Candidate) -> Mention:
        start, end = tokens[i].start, tokens[i + cand.n_tokens - 1].end
        if cand.distance:
            conf, kind = max(0.7, 0.9 - 0.05 * (cand.distance - 1)), "fuzzy"
        elif cand.entry.alias:
            conf, kind = 0.95, "alias"
        else:
            conf, kind = 1.0, "exact"
        return Mention(str(cand.entry.value), start, end, text[start:end], conf, kind)

    def find(self, text: str) -> list[Mention]:
        """Find every comune mentioned in ``text``.

        Args:
            text: the citizen's message, as written.

        Returns:
            Non-overlapping matches, left to right, each with the official name and the span in
            ``text``.
        """
        tokens = tokenize(text)
        matches: list[Mention] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            cap_value = self._cap.get(tok.key) if tok.key.isdigit() else None
            if cap_value is not None:
                if not is_amount(tokens, i):
                    matches.append(
                        Mention(
                            cap_value, tok.start, tok.end, text[tok.start : tok.end], 0.9, "cap"
                        )
                    )
                i += 1
                continue
            cand = self._match_at(tokens, i)
            if cand is not None and cand.entry.value is None:
                i += cand.n_tokens  # a place outside the area
                continue
            if cand is not None and self._accept(tokens, i, cand):
                matches.append(self._mention(text, tokens, i, cand))
                i += cand.n_tokens
                continue
            i += 1
        return matches

    def first(self, text: str) -> Mention | None:
        """Return the first comune found in ``text``, or None."""
        found = self.find(text)
        return found[0] if found else None

    def iter_aliases(self) -> Iterator[tuple[str, str]]:
        """Yield ``(normalized key, official name)`` for every indexed name and alias."""
        for bucket in self._by_first.values():
            for entry in bucket:
                if entry.value is not None:
                    yield " ".join(entry.tokens), entry.value
