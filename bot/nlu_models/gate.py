"""The evaluation gate (pure functions): may a candidate replace the deployed model?

Both evaluations come from the same held-out split (``nlu.evaluate``). The candidate is
refused when its macro-F1 drops by more than ``macro_f1`` margin, any intent's F1 drops by more
than ``intent_f1``, the comune accuracy drops at all, or its test stories failed. A candidate
without an evaluation is refused; with no deployed evaluation (the first deploy) only the
candidate's own evaluation is required.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: English form of each reason (CLI, audit); the console shows ``admin.models.reasons.<code>``.
REASON_TEXTS = {
    "not_evaluated": "candidate not evaluated{error}",
    "stories": "a test story fails",
    "macro_f1": "macro-F1 drops from {before} to {after} (margin {margin})",
    "intent_f1": "F1 of {intent} drops from {before} to {after} (margin {margin})",
    "comune": "comune accuracy drops from {before} to {after}",
    "not_found": "no model {version} in the registry",
    "not_trained": "model {version} is {status}",
    "nlu_only": "model {version} is NLU-only: it cannot run the dialogue",
    "already_deployed": "model {version} is already deployed",
    "no_previous": "no previous model to roll back to",
    "unavailable": "model {version} is no longer available",
}


@dataclass(frozen=True)
class Reason:
    """Why a deploy is refused: a code and its values (``str()`` is the English text)."""

    code: str
    values: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return REASON_TEXTS[self.code].format(**self.values)

    def view(self) -> dict[str, Any]:
        """JSON form (the console translates ``code``)."""
        return {"code": self.code, "values": self.values, "text": str(self)}


def _f(value: float) -> str:
    return f"{value:.3f}"


@dataclass(frozen=True)
class Margins:
    """Largest drops allowed (absolute F1 points, 0-1)."""

    macro_f1: float = 0.01
    intent_f1: float = 0.05


def gate(
    deployed: dict[str, Any] | None, candidate: dict[str, Any], margins: Margins
) -> list[Reason]:
    """The reasons to refuse ``candidate`` (empty: it may be deployed).

    Args:
        deployed: evaluation of the deployed model (None or empty: nothing deployed/evaluated).
        candidate: evaluation of the candidate.
        margins: the configured margins.
    """
    if not candidate or "macro_f1" not in candidate:
        error = f": {candidate['error']}" if candidate and candidate.get("error") else ""
        return [Reason("not_evaluated", {"error": error})]
    reasons = []
    if candidate.get("stories") == "failed":
        reasons.append(Reason("stories"))
    if not deployed or "macro_f1" not in deployed:
        return reasons
    old, new = float(deployed["macro_f1"]), float(candidate["macro_f1"])
    if new < old - margins.macro_f1:
        values = {"before": _f(old), "after": _f(new), "margin": _f(margins.macro_f1)}
        reasons.append(Reason("macro_f1", values))
    new_intents = candidate.get("per_intent") or {}
    for intent, values in sorted((deployed.get("per_intent") or {}).items()):
        before = float(values.get("f1", 0.0))
        after = float((new_intents.get(intent) or {}).get("f1", 0.0))
        if after < before - margins.intent_f1:
            values = {"before": _f(before), "after": _f(after), "margin": _f(margins.intent_f1)}
            reasons.append(Reason("intent_f1", {"intent": intent, **values}))
    old_comune = deployed.get("comune_accuracy")
    new_comune = candidate.get("comune_accuracy")
    if old_comune is not None and (new_comune is None or float(new_comune) < float(old_comune)):
        shown = "n/a" if new_comune is None else _f(float(new_comune))
        reasons.append(Reason("comune", {"before": _f(float(old_comune)), "after": shown}))
    return reasons
