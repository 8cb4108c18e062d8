"""Word tokens of a citizen's text and the place-context rules of the comune resolver.

Tokens keep their offsets in the ORIGINAL text (so entity spans point into what the citizen
wrote) and carry ``wecare.text.normalize``-d keys: case, accents, curly apostrophes and
punctuation do not matter ("CUORGNÈ", "cuorgne", "Sant’Ambrogio").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from wecare.text import normalize

#: Words that introduce a place: a name that needs context is taken right after one of them.
PLACE_CONTEXT = frozenset(
    "a ad di da in per verso presso comune paese zona frazione abito vivo sto risiedo "
    "residente residenti residenza abitiamo viviamo stiamo trasferito trasferita "
    "dalle parti vicino cap".split()
)
#: Words that, followed by a/in/di, make the next word surely a place name.
STRONG_CONTEXT = frozenset(
    "abito vivo risiedo resido abitiamo viviamo comune trasferito trasferita residente".split()
)
#: Words after a number that make it an amount or a quantity, not a CAP.
NOT_CAP_AFTER = frozenset("euro eur e € persone abitanti km metri anni mesi giorni".split())

_TOKEN_RE = re.compile(r"[^\W_][\w\u0300-\u036f]*", re.UNICODE)
_CAP_RE = re.compile(r"\d{5}")
_KEY_CACHE: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class Token:
    """A word of the text: normalized key, offsets in the original text, capital letter."""

    key: str
    start: int
    end: int
    capitalized: bool


def _keys(word: str) -> tuple[str, ...]:
    keys = _KEY_CACHE.get(word)
    if keys is None:
        keys = tuple(normalize(word).split())
        if len(_KEY_CACHE) > 200_000:
            _KEY_CACHE.clear()
        _KEY_CACHE[word] = keys
    return keys


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into word tokens with normalized keys and original offsets."""
    tokens = []
    for m in _TOKEN_RE.finditer(text):
        word = m.group()
        for i, part in enumerate(_keys(word)):
            tokens.append(Token(part, m.start(), m.end(), i == 0 and word[:1].isupper()))
    return tokens


def split_caps(raw: str) -> list[str]:
    """The 5-digit CAPs of a ``cap`` cell (several may be separated by spaces, commas, ``;``)."""
    return [c for c in re.split(r"[\s,;/]+", raw or "") if _CAP_RE.fullmatch(c)]


def strong_context(tokens: Sequence[Token], i: int) -> bool:
    """``abito a X``, ``vivo in X``, ``comune di X``: X is surely a place."""
    if i < 2:
        return False
    return tokens[i - 2].key in STRONG_CONTEXT and tokens[i - 1].key in ("a", "ad", "in", "di")


def has_context(tokens: Sequence[Token], i: int, n: int) -> bool:
    """Whether the ``n`` tokens at ``i`` read as a place: the whole message, "a X", "di X", "X".

    A capital letter inside a sentence counts too ("ho un problema, sono di Grosso").
    """
    if i == 0 and n == len(tokens):
        return True  # the whole message is the name ("grosso" answering "quale comune?")
    if i > 0 and tokens[i - 1].key in PLACE_CONTEXT:
        return True
    return i > 0 and tokens[i].capitalized


def is_amount(tokens: Sequence[Token], i: int) -> bool:
    """Whether the number at ``i`` is followed by a unit ("10020 euro"), so it is no CAP."""
    nxt = tokens[i + 1].key if i + 1 < len(tokens) else ""
    return nxt in NOT_CAP_AFTER
