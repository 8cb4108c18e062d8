"""Fixed vocabularies of the analytics: intents (SPEC §3) and their need categories."""

from __future__ import annotations

#: Need intents -> catalog category (SPEC §3; ``report_violence`` is the violence need).
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
#: Intent Rasa's FallbackClassifier predicts when no intent is confident enough.
FALLBACK_INTENT = "nlu_fallback"
#: Risk intents -> ``risk_kind`` (the safety net, issue 9).
RISK_INTENTS: dict[str, str] = {"report_violence": "violence", "report_self_harm": "self_harm"}
RISK_KINDS: tuple[str, ...] = ("violence", "self_harm")
CHANNELS: tuple[str, ...] = ("web", "telegram")
