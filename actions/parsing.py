"""Pure helpers of the actions: intent → category, minors, plausible comune answers.

Free of the Rasa runtime and of the catalog, so they are trivially unit-testable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlu.risk.detector import default_detector
from wecare.text import fold, is_cap

#: Need intents (SPEC §3) and the catalog category each maps to.
INTENT_CATEGORY: dict[str, str] = {
    "need_economic_support": "economic_support",
    "need_housing": "housing",
    "need_employment": "employment",
    "need_family_minors": "family_minors",
    "need_elderly_care": "elderly_care",
    "need_disability": "disability",
    "report_violence": "violence",
    "need_health": "health",
    "need_social_inclusion": "social_inclusion",
}

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


def category_for_intent(intent: str | None) -> str | None:
    """Return the catalog category of a need intent, or None for other intents."""
    if not intent:
        return None
    return INTENT_CATEGORY.get(intent)


def minor_involved(
    text: str | None,
    target_groups: Iterable[str | None] = (),
    ages: Iterable[object] = (),
) -> bool:
    """Tell whether a message is about a child or teenager.

    Args:
        text: the citizen's message (may be None).
        target_groups: ``target_group`` values known (slot, entities).
        ages: ``age`` values known (slot, entities); numbers or digit strings.

    Returns:
        True when a target group is ``minori``, an age is below 18, or the text
        mentions a child ("mio figlio", "la bambina", "ho 15 anni"; the words are the
        ``minor`` patterns of ``nlu/risk/lexicon.yml``).
    """
    if any(group == "minori" for group in target_groups):
        return True
    for age in ages:
        value = _to_float(age)
        if value is not None and 0 <= value < 18:
            return True
    if not text:
        return False
    detector = default_detector()
    return detector.is_minor(detector.canonical(text))


def _to_float(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def looks_like_comune_answer(text: str | None) -> bool:
    """Tell whether a free-text answer could be a comune name or a CAP.

    Rejects empty answers, answers without letters (except a 5-digit CAP), questions,
    long sentences and answers with words no comune name has ("che", "voglio", …), so
    that only plausible names go to the catalog's fuzzy matching.
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


def page_count(total: int, page_size: int) -> int:
    """Return how many pages ``total`` results fill (at least 1)."""
    if page_size <= 0:
        return 1
    return max(1, -(-total // page_size))


def comune_candidate(text: str) -> str:
    """Strip "abito a", "sono di" and final punctuation from an answer about the comune.

    Example: "abito a Cuorgnè." → "Cuorgnè"; a bare name is returned unchanged.
    """
    candidate = text.strip().rstrip(".!?,;: ")
    stripped = _PLACE_PREFIX_RE.sub("", candidate, count=1).strip()
    return stripped or candidate
