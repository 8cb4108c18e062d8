"""The risk model's fast scorer gives scikit-learn's probabilities (run in .venv-rasa)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"

CHECK = r"""
import numpy as np
from nlu.risk.classifier import FastScorer, RiskClassifier, extra_examples
from nlu.risk.detector import default_detector

canon = default_detector().canonical
examples = extra_examples()
texts = [canon(t) for t, _ in examples]
model = RiskClassifier.fit(texts, [label for _, label in examples])
assert model._fast is not None, "the pipeline fit() builds must get the fast scorer"
probe = texts[:200] + ["", "zzzz qqqq", "mi picchia mi picchia mi picchia", "ciao"]
worst = max(
    float(np.abs(model.model.predict_proba([t])[0] - model._fast.proba(t)).max()) for t in probe
)
assert worst < 1e-9, worst
scores = model.scores(canon("mio marito mi picchia"))
assert set(scores) == {"violence", "self_harm"} and scores["violence"] > 0.5, scores

# anything but the pipeline we build keeps scikit-learn's own predict_proba
model.model.steps[0][1].transformer_list[0][1].binary = True
assert FastScorer.for_pipeline(model.model) is None
assert FastScorer.for_pipeline(object()) is None
print("ok", len(probe))
"""


@pytest.mark.rasa
def test_fast_scorer_matches_predict_proba() -> None:
    if not RASA_PY.exists():
        pytest.fail("no .venv-rasa: run `make setup`")
    out = subprocess.run(  # noqa: S603 - fixed command
        [str(RASA_PY), "-c", CHECK], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[0] == "ok"
