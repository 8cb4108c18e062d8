"""The held-out NLU test split does not leak into the training data.

Runs scripts/check_nlu_split.py (stdlib + PyYAML, app environment).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "check_nlu_split", ROOT / "scripts" / "check_nlu_split.py"
)
check_nlu_split = importlib.util.module_from_spec(_spec)
assert _spec.loader is not None
sys.modules["check_nlu_split"] = check_nlu_split  # dataclasses need the module registered
_spec.loader.exec_module(check_nlu_split)


@pytest.fixture(scope="module")
def report():
    return check_nlu_split.check_split()


def test_no_train_test_leak(report):
    assert not report.leaks, check_nlu_split.format_report(report, quiet=True)


def test_counts_per_intent(report):
    assert not report.count_problems, check_nlu_split.format_report(report)


def test_same_intents_in_both_splits(report):
    assert set(report.train_counts) == set(report.test_counts)


def test_normalisation_and_entity_stripping():
    n = check_nlu_split.normalise
    assert n('Mia [nonna]{"entity": "target_group", "value": "anziani"} ha [80](age) anni!') == (
        "mia nonna ha 80 anni"
    )
    assert n("Perché  l’ISEE?") == n("perche l'isee")
    ex = [check_nlu_split.Example("thank", "grazie mille", "grazie mille", "x")]
    near = [check_nlu_split.Example("thank", "mille grazie", "mille grazie", "y")]
    assert check_nlu_split.find_leaks(ex, near)  # same token set
    far = [check_nlu_split.Example("thank", "ti ringrazio", "ti ringrazio", "y")]
    assert not check_nlu_split.find_leaks(ex, far)
