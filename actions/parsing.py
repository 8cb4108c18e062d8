"""Pure helpers of the actions: intent → category, minors, plausible comune answers.

Free of the Rasa runtime and of the database, so they are trivially unit-testable. The comune
answers ("abito a Cuorgnè.") are read by the comune resolver's :mod:`catalog.comuni.answers`,
re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable

from catalog.comuni.answers import comune_candidate, looks_like_comune_answer
from nlu.risk.detector import default_detector

__all__ = [
    "INTENT_CATEGORY",
    "category_for_intent",
    "comune_candidate",
    "looks_like_comune_answer",
    "minor_involved",
    "page_count",
]

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


def page_count(total: int, page_size: int) -> int:
    """Return how many pages ``total`` results fill (at least 1)."""
    if page_size <= 0:
        return 1
    return max(1, -(-total // page_size))
