"""Pure Italian text helpers, importable from both environments (no third-party imports).

Used by the catalog (accent-insensitive lookups), the comune recogniser inside Rasa and the
actions. Keep it free of Rasa, SQLAlchemy and spaCy imports.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})
_NON_WORD = re.compile(r"[^a-z0-9']+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return ``text`` lowercased, without accents, with straight apostrophes and dashes.

    Keeps the string length-aligned only for precomposed Italian accents; use it for matching,
    never for display.

    Args:
        text: any Unicode text.

    Returns:
        The folded text ("CUORGNÈ" -> "cuorgne", "Sant’Ambrogio" -> "sant'ambrogio").
    """
    text = text.translate(_APOSTROPHES).translate(_DASHES)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def normalize(text: str) -> str:
    """Return a canonical key for accent-, case-, punctuation- and spacing-insensitive lookups.

    Apostrophes and hyphens become spaces, so "Sant'Ambrogio", "sant ambrogio" and
    "SANT’AMBROGIO" share one key.

    Args:
        text: any Unicode text.

    Returns:
        Lowercase ASCII words separated by single spaces.
    """
    folded = fold(text).replace("'", " ")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", folded)).strip()


def is_cap(text: str) -> bool:
    """Tell whether ``text`` is an Italian postal code (CAP): exactly five digits."""
    return bool(re.fullmatch(r"\d{5}", text.strip()))
