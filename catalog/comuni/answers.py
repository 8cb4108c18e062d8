"""Free-text answers to "in quale comune abiti?": strip "abito a …", reject sentences.

Used before :meth:`catalog.comuni.ComuneResolver.resolve` by the form validation of the actions,
so that only plausible names reach the fuzzy matching and long texts are never echoed.
"""

from __future__ import annotations

import re

from wecare.text import fold, is_cap

_LETTER_RE = re.compile(r"[a-z]")
_WORD_RE = re.compile(r"[a-z0-9']+")
_PLACE_PREFIX_RE = re.compile(
    r"^(?:(?:io\s+)?(?:abito|vivo|risiedo|sto|sono|stiamo|abitiamo|viviamo|siamo)\s+)?"
    r"(?:a|ad|in|di|da|nel comune di|presso)\s+(?=\S)",
    re.IGNORECASE,
)

#: Words that never occur in a comune name: an answer containing one is a sentence.
#: (Checked against every name in catalog_data/, see tests/actions/test_actions_parsing.py.)
NOT_IN_COMUNE_NAMES = frozenset(
    "che chi come cosa perche quando dove voglio vorrei non sono ho hai ha fa tempo ciao "
    "grazie aiuto mio mia miei mie per il lo un una mi ti si sei posso puoi devo".split()
)
#: Longest free-text answer still taken as a comune name ("San Giorgio Canavese").
MAX_COMUNE_CHARS = 40
MAX_COMUNE_WORDS = 5


def looks_like_comune_answer(text: str | None) -> bool:
    """Tell whether a free-text answer could be a comune name or a CAP.

    Rejects empty answers, answers without letters (except a 5-digit CAP), questions,
    long sentences and answers with words no comune name has ("che", "voglio", …), so
    that only plausible names go to the resolver's fuzzy matching.
    """
    if not text or not text.strip():
        return False
    if is_cap(text.strip()):
        return True
    folded = fold(text).strip()
    if len(folded) > MAX_COMUNE_CHARS or not _LETTER_RE.search(folded) or "?" in folded:
        return False
    words = _WORD_RE.findall(folded.replace("'", " "))
    if any(word in NOT_IN_COMUNE_NAMES for word in words):
        return False
    return len(words) <= MAX_COMUNE_WORDS


def comune_candidate(text: str) -> str:
    """Strip "abito a", "sono di" and final punctuation from an answer about the comune.

    Example: "abito a Cuorgnè." → "Cuorgnè"; a bare name is returned unchanged.
    """
    candidate = text.strip().rstrip(".!?,;: ")
    stripped = _PLACE_PREFIX_RE.sub("", candidate, count=1).strip()
    return stripped or candidate
