"""Comune gazetteer: finds the comuni of ASL TO4 in free citizen text (pure Python).

The recogniser behind the ``comune`` entity. It is deliberately free of Rasa and spaCy so the app
environment can unit-test it; ``nlu.components.comune_extractor`` wraps it as a Rasa component.

Matching works on word tokens of the ORIGINAL text (so spans point into what the citizen wrote)
whose keys are ``wecare.text.normalize``-d: case, accents, curly apostrophes and punctuation do
not matter ("CUORGNÈ", "cuorgne", "Sant’Ambrogio", "albiano d ivrea"). For every comune the
index holds its official name, the name with the words glued ("sanmauro"), "s." for "san" and a
few common short forms ("settimo" -> Settimo Torinese, "rivarolo" -> Rivarolo Canavese). Typos are
tolerated on tokens of at least 5 letters (edit distance 1, 2 from 8 letters, same first letter),
found through a deletion index (SymSpell style) so a message costs a few dictionary look-ups per
token. Guards keep ordinary Italian out:

* short forms and names that are also Italian words ("Grosso", "Front", "Caselle", "Settimo")
  are *risky*: they need a place context ("a", "di", "da", "in", "comune di", …), a capital
  letter inside a sentence, or to be the whole message;
* a token that is a known Italian word close to a comune (``corso`` ~ Corio, generated from the
  spaCy lookup tables into ``nlu/spacy_it/guard_words.txt``) is never typo-corrected;
* a 5-digit CAP maps to a comune only when exactly one comune has it and it is not an amount
  ("10020 euro").

The longest match wins at each position (multi-word names before their short forms).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from wecare.text import normalize

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOG_CSV = REPO_ROOT / "catalog_data" / "comuni.csv"
SHARED_CSV = REPO_ROOT.parent / "shared" / "data" / "comuni_asl_to4.csv"
OUT_OF_AREA_CSV = REPO_ROOT / "catalog_data" / "comuni_fuori_area.csv"
GUARD_WORDS_FILE = Path(__file__).resolve().parent / "spacy_it" / "guard_words.txt"

# Places outside ASL TO4 that start like a comune or a short form of it: matched (longest
# first) and then dropped, so "San Mauro Pascoli" is not San Mauro Torinese. Extended at run
# time with catalog_data/comuni_fuori_area.csv.
OUT_OF_AREA: tuple[str, ...] = (
    "San Mauro Pascoli",
    "San Mauro Castelverde",
    "San Mauro Forte",
    "San Mauro Cilento",
    "San Mauro Marchesato",
    "San Mauro la Bruca",
    "San Mauro di Saline",
    "Settimo Milanese",
    "Settimo San Pietro",
    "Rivarolo Mantovano",
    "Rivarolo del Re",
    "Castiglione delle Stiviere",
    "Castiglione del Lago",
    "Castiglione della Pescaia",
    "Castiglione Falletto",
    "Castiglione Tinella",
    "Castiglione Olona",
    "Castiglione d'Adda",
    "Rocca di Papa",
    "Rocca Priora",
    "Rocca Grimalda",
    "Montalto Uffugo",
    "Montalto di Castro",
    "Montalto Pavese",
    "Perosa Argentina",
    "Pont Saint Martin",
    "Forno di Zoldo",
    "Candia Lomellina",
    "Orio al Serio",
    "Orio Litta",
    "Lanzo d'Intelvi",
    "Caselle Landi",
    "Caselle Lurani",
    "Caselle in Pittari",
    "Fiorano Modenese",
    "Fiorano al Serio",
    "Pavone del Mella",
    "Castelnuovo Don Bosco",
    "Castelnuovo Berardenga",
    "Ronco Scrivia",
    "Ronco Briantino",
    "Ronco all'Adige",
    "San Giorgio a Cremano",
    "San Giorgio Monferrato",
    "San Martino al Tagliamento",
    "San Martino in Rio",
    "San Martino Alfieri",
    "San Francesco a Ripa",
    "San Carlo Borromeo",
    "Vallo della Lucania",
    "Torre Pellice",
    "Torre del Greco",
    "Torre Annunziata",
    "Sant'Ambrogio di Torino",
    "Sant'Ambrogio",
    "Baldissero d'Alba",
    "Colleretto",
    "San Raffaele Milano",
    "Ospedale San Raffaele",
)

# Words that introduce a place: a risky name right after one of them is taken as a comune.
PLACE_CONTEXT = frozenset(
    "a ad di da in per verso presso comune paese zona frazione abito vivo sto risiedo "
    "residente residenti residenza abitiamo viviamo stiamo trasferito trasferita "
    "dalle parti vicino cap".split()
)
# Words that, followed by a/in/di, make the next word surely a place name.
STRONG_CONTEXT = frozenset(
    "abito vivo risiedo resido abitiamo viviamo comune trasferito trasferita residente".split()
)
# Words after a number that make it an amount or a quantity, not a CAP.
NOT_CAP_AFTER = frozenset("euro eur e € persone abitanti km metri anni mesi giorni".split())

# Short forms: alias -> official name. Aliases that are Italian words or ordinals are risky.
SHORT_FORMS: dict[str, str] = {
    "settimo": "Settimo Torinese",
    "san mauro": "San Mauro Torinese",
    "rivarolo": "Rivarolo Canavese",
    "gassino": "Gassino Torinese",
    "caselle": "Caselle Torinese",
    "borgaro": "Borgaro Torinese",
    "lanzo": "Lanzo Torinese",
    "coassolo": "Coassolo Torinese",
    "castiglione": "Castiglione Torinese",
    "torrazza": "Torrazza Piemonte",
    "verrua": "Verrua Savoia",
    "monteu": "Monteu da Po",
    "san sebastiano": "San Sebastiano da Po",
    "san raffaele": "San Raffaele Cimena",
    "san benigno": "San Benigno Canavese",
    "san carlo": "San Carlo Canavese",
    "san francesco": "San Francesco al Campo",
    "san maurizio": "San Maurizio Canavese",
    "san giorgio": "San Giorgio Canavese",
    "san giusto": "San Giusto Canavese",
    "san ponso": "San Ponso",
    "san martino": "San Martino Canavese",
    "san colombano": "San Colombano Belmonte",
    "rocca": "Rocca Canavese",
    "vauda": "Vauda Canavese",
    "ceresole": "Ceresole Reale",
    "castelnuovo nigra": "Castelnuovo Nigra",
    "forno": "Forno Canavese",
    "pont": "Pont Canavese",
    "ronco": "Ronco Canavese",
    "valprato": "Valprato Soana",
    "candia": "Candia Canavese",
    "orio": "Orio Canavese",
    "perosa": "Perosa Canavese",
    "albiano": "Albiano d'Ivrea",
    "borgofranco": "Borgofranco d'Ivrea",
    "cascinette": "Cascinette d'Ivrea",
    "cossano": "Cossano Canavese",
    "fiorano": "Fiorano Canavese",
    "pavone": "Pavone Canavese",
    "salerano": "Salerano Canavese",
    "montalto": "Montalto Dora",
    "ala": "Ala di Stura",
    "chiesa nuova": "Chiesanuova",
    "val chiusa": "Valchiusa",
    "val chy": "Val di Chy",
    "rivodora": "Baldissero Torinese – frazione Rivodora",
    "baldissero torinese": "Baldissero Torinese – frazione Rivodora",
}
# Normalized aliases / single-word names that are also common Italian words, first names,
# ordinals or places elsewhere: they need a place context (see module docstring).
RISKY: frozenset[str] = frozenset(
    [
        # short forms that are ordinals, Italian words, saints' or first names
        "settimo",
        "caselle",
        "rocca",
        "forno",
        "pont",
        "ronco",
        "candia",
        "orio",
        "ala",
        "pavone",
        "montalto",
        "castiglione",
        "perosa",
        "fiorano",
        "chiesa nuova",
        "val chiusa",
        "san francesco",
        "san raffaele",
        "san giorgio",
        "san martino",
        "san carlo",
        "san giusto",
        # official one-word names that are Italian words or names
        "grosso",
        "front",
        "maglione",
        "mazze",
        "salassa",
        "ceres",
        "corio",
        "nole",
        "carema",
        "parella",
        "samone",
        "traves",
        "vische",
        "balme",
        "fiano",
        "rivara",
        "levone",
        "mathi",
        "azeglio",
        "montanaro",
        "cintano",
        "feletto",
        "ingria",
        "lemie",
        "bairo",
        "brosso",
    ]
)


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
class ComuneMatch:
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
class _Token:
    key: str
    start: int
    end: int
    capitalized: bool


@dataclass(frozen=True)
class _Entry:
    tokens: tuple[str, ...]
    value: str | None  # None: a place outside the area (matched, then dropped)
    alias: bool
    risky: bool


@dataclass
class _Candidate:
    entry: _Entry
    n_tokens: int
    distance: int = 0
    exact_tokens: int = 0
    extra: dict[str, object] = field(default_factory=dict)


_TOKEN_RE = re.compile(r"[^\W_][\w\u0300-\u036f]*", re.UNICODE)


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).

    Args:
        a: first string.
        b: second string.
        limit: the caller only cares whether the distance is at most ``limit``; larger
            distances may be reported as ``limit + 1``.

    Returns:
        The distance, capped at ``limit + 1``.
    """
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
            best = min(best, cur[j])
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


def max_typos(token: str) -> int:
    """Typos tolerated in a token: 0 below 5 letters, 1 from 5, 2 from 8."""
    if len(token) >= 8:
        return 2
    if len(token) >= 5:
        return 1
    return 0


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt = set()
        for w in frontier:
            for i in range(len(w)):
                nxt.add(w[:i] + w[i + 1 :])
        out |= nxt
        frontier = nxt
    return out


_KEY_CACHE: dict[str, tuple[str, ...]] = {}


def _keys(word: str) -> tuple[str, ...]:
    keys = _KEY_CACHE.get(word)
    if keys is None:
        keys = tuple(normalize(word).split())
        if len(_KEY_CACHE) > 200_000:
            _KEY_CACHE.clear()
        _KEY_CACHE[word] = keys
    return keys


def tokenize(text: str) -> list[_Token]:
    """Split ``text`` into word tokens with normalized keys and original offsets."""
    tokens = []
    for m in _TOKEN_RE.finditer(text):
        word = m.group()
        for i, part in enumerate(_keys(word)):
            tokens.append(_Token(part, m.start(), m.end(), i == 0 and word[:1].isupper()))
    return tokens


def _split_caps(raw: str) -> list[str]:
    return [c for c in re.split(r"[\s,;/]+", raw or "") if re.fullmatch(r"\d{5}", c)]


def load_records(path: Path | None = None) -> list[ComuneRecord]:
    """Read the comuni from ``catalog_data/comuni.csv`` (or the shared source CSV).

    Args:
        path: CSV to read; by default ``catalog_data/comuni.csv`` when present, else
            ``../shared/data/comuni_asl_to4.csv``. Both column layouts (``name`` or ``comune``)
            are accepted.

    Returns:
        One record per row with a name.

    Raises:
        FileNotFoundError: when no CSV is available.
    """
    if path is None:
        path = CATALOG_CSV if CATALOG_CSV.exists() else SHARED_CSV
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    records = []
    for row in rows:
        name = (row.get("name") or row.get("comune") or "").strip()
        if name:
            records.append(
                ComuneRecord(
                    name=name,
                    cap=(row.get("cap") or "").strip(),
                    istat_code=(row.get("istat_code") or "").strip(),
                )
            )
    return records


def load_out_of_area(path: Path = OUT_OF_AREA_CSV) -> list[str]:
    """Names of places outside ASL TO4: the built-in look-alikes plus ``comuni_fuori_area.csv``."""
    names = list(OUT_OF_AREA)
    if path.exists():
        with open(path, encoding="utf-8", newline="") as fh:
            names += [(r.get("name") or "").strip() for r in csv.DictReader(fh)]
    return [n for n in names if n]


def load_guard_words(path: Path = GUARD_WORDS_FILE) -> frozenset[str]:
    """Read the Italian words never typo-corrected into a comune (one per line, ``#`` comments)."""
    if not path.exists():
        return frozenset()
    with open(path, encoding="utf-8") as fh:
        return frozenset(
            line.strip() for line in fh if line.strip() and not line.lstrip().startswith("#")
        )


class Gazetteer:
    """Index of comune names, aliases and CAPs with a fast, guarded ``find``."""

    def __init__(
        self,
        records: Iterable[ComuneRecord],
        guard_words: Iterable[str] = (),
        out_of_area: Iterable[str] = OUT_OF_AREA,
        short_forms: dict[str, str] | None = None,
        risky: Iterable[str] = RISKY,
    ) -> None:
        """Build the index.

        Args:
            records: the comuni (official names and CAPs).
            guard_words: normalized Italian words that must never be typo-corrected.
            out_of_area: places outside the area; a text naming one yields no match there
                (they only win when longer than an in-area name or alias at that position).
            short_forms: alias -> official name; defaults to ``SHORT_FORMS``. Aliases whose
                official name is not among ``records`` are ignored.
            risky: normalized names/aliases that need a place context.
        """
        self.records = list(records)
        self.guard_words = frozenset(guard_words)
        self.risky = frozenset(normalize(r) for r in risky)
        self.names = {r.name for r in self.records}
        self._by_first: dict[str, list[_Entry]] = {}
        self._fuzzy: dict[str, set[str]] = {}
        self._cap: dict[str, str] = {}
        self._first_cache: dict[str, list[tuple[str, int]]] = {}
        self._add_names(short_forms if short_forms is not None else SHORT_FORMS)
        for name in out_of_area:
            key = normalize(name)
            self._add_entry(key, None, alias=False)
            for variant in _variants(key):
                self._add_entry(variant, None, alias=True)
        self._add_caps()

    # ----------------------------------------------------------------------------- building
    def _add_entry(self, key: str, value: str | None, alias: bool) -> None:
        tokens = tuple(key.split())
        if not tokens:
            return
        entry = _Entry(tokens, value, alias, key in self.risky)
        bucket = self._by_first.setdefault(tokens[0], [])
        if any(e.tokens == tokens for e in bucket):
            return
        bucket.append(entry)
        bucket.sort(key=lambda e: (-len(e.tokens), e.alias))
        first = tokens[0]
        depth = max_typos(first)
        if depth:
            for d in _deletes(first, depth):
                self._fuzzy.setdefault(d, set()).add(first)

    def _add_names(self, short_forms: dict[str, str]) -> None:
        for rec in self.records:
            key = normalize(rec.name)
            self._add_entry(key, rec.name, alias=False)
            for variant in _variants(key):
                self._add_entry(variant, rec.name, alias=True)
        for alias, value in short_forms.items():
            if value in self.names:
                key = normalize(alias)
                self._add_entry(key, value, alias=True)
                for variant in _variants(key):
                    self._add_entry(variant, value, alias=True)

    def _add_caps(self) -> None:
        owners: dict[str, set[str]] = {}
        for rec in self.records:
            for cap in _split_caps(rec.cap):
                owners.setdefault(cap, set()).add(rec.name)
        self._cap = {cap: next(iter(names)) for cap, names in owners.items() if len(names) == 1}
        self.ambiguous_caps = {
            cap: sorted(names) for cap, names in owners.items() if len(names) > 1
        }

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
        for d in _deletes(key, depth):
            for cand in self._fuzzy.get(d, ()):
                if cand in seen or cand[0] != key[0]:
                    continue
                seen.add(cand)
                limit = min(depth, max_typos(cand))
                dist = edit_distance(key, cand, limit)
                if 0 < dist <= limit:
                    out.append((cand, dist))
        return out

    @staticmethod
    def _token_distance(query: str, target: str) -> int | None:
        if query == target:
            return 0
        limit = min(max_typos(query), max_typos(target))
        if not limit or query[0] != target[0]:
            return None
        dist = edit_distance(query, target, limit)
        return dist if dist <= limit else None

    def _match_at(self, tokens: Sequence[_Token], i: int) -> _Candidate | None:
        best: _Candidate | None = None
        for first_key, first_dist in self._first_keys(tokens[i].key):
            for entry in self._by_first[first_key]:
                n = len(entry.tokens)
                if i + n > len(tokens):
                    continue
                dist = first_dist
                exact = 1 if first_dist == 0 else 0
                ok = True
                for k in range(1, n):
                    d = self._token_distance(tokens[i + k].key, entry.tokens[k])
                    if d is None:
                        ok = False
                        break
                    dist += d
                    exact += d == 0
                if not ok:
                    continue
                if (
                    first_dist
                    and tokens[i].key in self.guard_words
                    and not (len(tokens[i].key) >= 7 and self._strong_context(tokens, i))
                ):
                    continue  # an Italian word ("corso"), unless "abito a volpino"
                if dist and n > 1 and not exact:
                    continue  # every word misspelt: too weak
                if dist > max(2, n):
                    continue
                cand = _Candidate(entry, n, dist, exact)
                if best is None or (n, -dist, not entry.alias) > (
                    best.n_tokens,
                    -best.distance,
                    not best.entry.alias,
                ):
                    best = cand
        return best

    @staticmethod
    def _strong_context(tokens: Sequence[_Token], i: int) -> bool:
        """``abito a X``, ``vivo in X``, ``comune di X``: X is surely a place."""
        if i < 2:
            return False
        return tokens[i - 2].key in STRONG_CONTEXT and tokens[i - 1].key in ("a", "ad", "in", "di")

    def _has_context(self, tokens: Sequence[_Token], i: int, n: int) -> bool:
        if i == 0 and n == len(tokens):
            return True  # the whole message is the name ("grosso" answering "quale comune?")
        if i > 0 and tokens[i - 1].key in PLACE_CONTEXT:
            return True
        return i > 0 and tokens[i].capitalized

    def _accept(self, tokens: Sequence[_Token], i: int, cand: _Candidate) -> bool:
        if self._has_context(tokens, i, cand.n_tokens):
            return True
        if cand.entry.risky:
            return False
        # a lone misspelt short word ("chivas") needs context; longer ones are clear enough
        return not (cand.distance and cand.n_tokens == 1 and len(tokens[i].key) < 6)

    def find(self, text: str) -> list[ComuneMatch]:
        """Find every comune mentioned in ``text``.

        Args:
            text: the citizen's message, as written.

        Returns:
            Non-overlapping matches, left to right, each with the official name and the span in
            ``text``.
        """
        tokens = tokenize(text)
        matches: list[ComuneMatch] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            cap_value = self._cap.get(tok.key) if tok.key.isdigit() else None
            if cap_value is not None:
                nxt = tokens[i + 1].key if i + 1 < len(tokens) else ""
                if nxt not in NOT_CAP_AFTER:
                    matches.append(
                        ComuneMatch(
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
                start, end = tok.start, tokens[i + cand.n_tokens - 1].end
                if cand.distance:
                    conf, kind = max(0.7, 0.9 - 0.05 * (cand.distance - 1)), "fuzzy"
                elif cand.entry.alias:
                    conf, kind = 0.95, "alias"
                else:
                    conf, kind = 1.0, "exact"
                matches.append(
                    ComuneMatch(cand.entry.value, start, end, text[start:end], conf, kind)
                )
                i += cand.n_tokens
                continue
            i += 1
        return matches

    def first(self, text: str) -> ComuneMatch | None:
        """Return the first comune found in ``text``, or None."""
        found = self.find(text)
        return found[0] if found else None

    def iter_aliases(self) -> Iterator[tuple[str, str]]:
        """Yield ``(normalized key, official name)`` for every indexed name and alias."""
        for bucket in self._by_first.values():
            for entry in bucket:
                if entry.value is not None:
                    yield " ".join(entry.tokens), entry.value


def _variants(key: str) -> set[str]:
    """Spelling variants of a normalized name: glued words, "s" for "san", "d ivrea" forms."""
    out = set()
    words = key.split()
    if len(words) > 1:
        out.add("".join(words))
    if words and words[0] in ("san", "sant", "santo", "santa"):
        out.add(" ".join(["s", *words[1:]]))
        out.add("s" + "".join(words[1:]))
        if len(words) > 2:
            out.add(" ".join([words[0] + words[1], *words[2:]]))
    if " d " in f" {key} ":
        out.add(key.replace(" d ", " di ").replace(" d ", " di "))
        out.add(re.sub(r"\bd (\w)", r"d\1", key))
        out.add(re.sub(r" d (\w)", r" \1", key))
    if " di " in key:
        out.add(key.replace(" di ", " "))
    if key.endswith(" torinese"):  # "Settimo T.se", "San Mauro Tse"
        out.add(key[: -len("torinese")] + "t se")
        out.add(key[: -len("torinese")] + "tse")
        out.add(key[: -len(" torinese")] + " to")
    out.discard(key)
    return {v for v in out if v}


@lru_cache(maxsize=4)
def default_gazetteer(path: str | None = None) -> Gazetteer:
    """Return the process-wide gazetteer built from the catalog CSV and the guard words.

    Args:
        path: CSV path (see ``load_records``); None for the default.
    """
    return Gazetteer(
        load_records(Path(path) if path else None), load_guard_words(), load_out_of_area()
    )
