"""The evaluation gate (pure functions): may a candidate replace the deployed model?

Both evaluations come from the same held-out split (``nlu.evaluate``). The candidate is
refused when its macro-F1 drops by more than ``macro_f1`` margin, any intent's F1 drops by more
than ``intent_f1``, the comune accuracy drops at all, or its test stories failed. A candidate
without an evaluation is refused; with no deployed evaluation (the first deploy) only the
candidate's own evaluation is required.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Margins:
    """Largest drops allowed (absolute F1 points, 0-1)."""

    macro_f1: float = 0.01
    intent_f1: float = 0.05


def gate(deployed: dict[str, Any] | None, candidate: dict[str, Any], margins: Margins) -> list[str]:
    """The reasons to refuse ``candidate`` (empty: it may be deployed).

    Args:
        deployed: evaluation of the deployed model (None or empty: nothing deployed/evaluated).
        candidate: evaluation of the candidate.
        margins: the configured margins.
    """
    if not candidate or "macro_f1" not in candidate:
        return ["candidate not evaluated" + (f": {candidate['error']}" if candidate else "")]
    reasons = []
    if candidate.get("stories") == "failed":
        reasons.append("a test story fails")
    if not deployed or "macro_f1" not in deployed:
        return reasons
    old, new = float(deployed["macro_f1"]), float(candidate["macro_f1"])
    if new < old - margins.macro_f1:
        reasons.append(
            f"macro-F1 drops from {old:.3f} to {new:.3f} (margin {margins.macro_f1:.3f})"
        )
    new_intents = candidate.get("per_intent") or {}
    for intent, values in sorted((deployed.get("per_intent") or {}).items()):
        before = float(values.get("f1", 0.0))
        after = float((new_intents.get(intent) or {}).get("f1", 0.0))
        if after < before - margins.intent_f1:
            reasons.append(
                f"F1 of {intent} drops from {before:.3f} to {after:.3f} "
                f"(margin {margins.intent_f1:.3f})"
            )
    old_comune = deployed.get("comune_accuracy")
    new_comune = candidate.get("comune_accuracy")
    if old_comune is not None and (new_comune is None or float(new_comune) < float(old_comune)):
        shown = "n/a" if new_comune is None else f"{float(new_comune):.3f}"
        reasons.append(f"comune accuracy drops from {float(old_comune):.3f} to {shown}")
    return reasons
