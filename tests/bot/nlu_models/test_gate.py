"""The evaluation gate's decision (bot/nlu_models/gate.py)."""

from __future__ import annotations

from bot.nlu_models.gate import Margins
from bot.nlu_models.gate import gate as reasons_of


def gate(deployed, candidate, margins):
    return [str(r) for r in reasons_of(deployed, candidate, margins)]


DEPLOYED = {
    "macro_f1": 0.90,
    "per_intent": {"greet": {"f1": 0.95}, "need_housing": {"f1": 0.88}},
    "comune_accuracy": 0.97,
}
MARGINS = Margins(macro_f1=0.01, intent_f1=0.05)


def candidate(**changes):
    base = {
        "macro_f1": 0.905,
        "per_intent": {"greet": {"f1": 0.96}, "need_housing": {"f1": 0.86}},
        "comune_accuracy": 0.97,
    }
    return {**base, **changes}


def test_a_candidate_as_good_passes():
    assert gate(DEPLOYED, candidate(), MARGINS) == []
    assert gate(DEPLOYED, candidate(macro_f1=0.891), MARGINS) == []  # within the margin


def test_each_regression_is_a_reason():
    assert gate(DEPLOYED, candidate(macro_f1=0.85), MARGINS) == [
        "macro-F1 drops from 0.900 to 0.850 (margin 0.010)"
    ]
    worse = candidate(per_intent={"greet": {"f1": 0.96}, "need_housing": {"f1": 0.80}})
    assert gate(DEPLOYED, worse, MARGINS) == [
        "F1 of need_housing drops from 0.880 to 0.800 (margin 0.050)"
    ]
    missing = candidate(per_intent={"greet": {"f1": 0.96}})
    assert "F1 of need_housing drops from 0.880 to 0.000" in gate(DEPLOYED, missing, MARGINS)[0]
    assert gate(DEPLOYED, candidate(comune_accuracy=0.969), MARGINS) == [
        "comune accuracy drops from 0.970 to 0.969"
    ]
    assert gate(DEPLOYED, candidate(comune_accuracy=None), MARGINS) == [
        "comune accuracy drops from 0.970 to n/a"
    ]
    assert gate(DEPLOYED, candidate(stories="failed"), MARGINS) == ["a test story fails"]


def test_without_evaluation_a_candidate_is_refused_and_the_first_deploy_needs_one():
    assert gate(DEPLOYED, {}, MARGINS) == ["candidate not evaluated"]
    assert gate(DEPLOYED, {"error": "boom"}, MARGINS) == ["candidate not evaluated: boom"]
    assert gate(None, candidate(), MARGINS) == []
    assert gate({}, candidate(macro_f1=0.1), MARGINS) == []


def test_margins_are_configurable():
    assert gate(DEPLOYED, candidate(macro_f1=0.85), Margins(macro_f1=0.1)) == []
