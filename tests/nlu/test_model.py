"""The trained model on the held-out split: intent macro-F1 >= 0.92, comune accuracy >= 0.97.

Runs ``nlu.evaluate --json`` in ``.venv-rasa`` (the app env never imports Rasa). Skipped when no
model has been trained, unless ``WECARE_REQUIRE_ALL_TESTS=1`` (CI), where it fails instead.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO_ROOT / ".venv-rasa" / "bin" / "python"
MODEL = REPO_ROOT / "models" / "wecare.tar.gz"

pytestmark = pytest.mark.rasa


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("WECARE_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(f"{reason} (WECARE_REQUIRE_ALL_TESTS=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    if not RASA_PYTHON.exists():
        _skip_or_fail("no .venv-rasa: run `make setup`")
    if not MODEL.exists():
        _skip_or_fail(f"no trained model at {MODEL.relative_to(REPO_ROOT)}: run `make train`")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [str(RASA_PYTHON), "-m", "nlu.evaluate", "--no-report", "--json", "--model", str(MODEL)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_intent_macro_f1(results: dict[str, Any]) -> None:
    assert results["intent_macro_f1"] >= 0.92, (
        f"macro-F1 {results['intent_macro_f1']:.3f}; top confusions "
        f"{results['confusion_pairs'][:8]}"
    )


def test_comune_accuracy(results: dict[str, Any]) -> None:
    assert results["comune_accuracy"] >= 0.97, results["comune_errors"][:20]


def test_parse_latency(results: dict[str, Any]) -> None:
    # SPEC §8: p95 <= 30 ms on one core (here: whatever cores the test gets, so it is an upper
    # bound of the pinned measurement in docs/nlu_report.md)
    assert results["latency_ms"]["p95"] <= 30
