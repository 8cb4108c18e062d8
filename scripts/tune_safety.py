#!/usr/bin/env python3
"""Choose the safety net's thresholds by cross-validation on the development sets (Rasa env).

The held-out proof (``tests/safety/heldout_safety.yml``) must never tune anything, so the
thresholds of ``nlu/risk/lexicon.yml`` (``classifier:``) are chosen here, on the development
sets only (``nlu/risk/dev_set*.yml``, the ``EXTRA_TRAINING`` of the risk model):

* the development sets are split in ``--folds`` folds (stratified by label, fixed seed);
* for each fold the risk model is refitted exactly as the Rasa component fits it (NLU training
  data plus the other folds, weight ``EXTRA_WEIGHT``) and every message of the fold is scored;
* the decision (``RiskDetector.assess``: lexicon, cues, risk model) is replayed for a grid of
  ``score_alone`` / ``score_cue`` thresholds on those out-of-fold scores.

DIET's ranking is left out (``ranking=[]``): with ``cue_threshold`` 1.01 and ``alone_threshold``
0.70 / ``score_floor`` it added almost nothing (docs/nlu.md "Safety net"), and leaving it out
keeps a run at a few minutes instead of one NLU training per fold. The output lists, for each
setting, recall and false alarms over all folds, best recall first within ``--max-fa``::

    .venv-rasa/bin/python scripts/tune_safety.py [--folds 5] [--max-fa 0.02] \\
        [--with-nlu --max-nlu-fa 0.01]

``--with-nlu`` folds the NLU training data as well: the false alarms are then also counted on
ordinary citizen messages of the intents (``nlu_false_alarms``), which the development sets
alone under-represent (long, everyday requests about housing, work, family).

``--heldout`` then prints the held-out figures of the model fitted on ALL the development data
with the thresholds of the lexicon (reporting only: nothing is chosen from it).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlu.risk.classifier import (  # noqa: E402
    EXTRA_TRAINING,
    EXTRA_WEIGHT,
    NONE,
    RiskClassifier,
    extra_examples,
    labels_for,
)
from nlu.risk.detector import RiskDetector  # noqa: E402

HELDOUT = ROOT / "tests" / "safety" / "heldout_safety.yml"
GRID_ALONE = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
GRID_CUE = (0.1, 0.2, 0.3, 0.4)
GRID_BENIGN = (0.8, 0.9, 0.95, 1.01)


def nlu_examples() -> list[tuple[str, str]]:
    """``(text, label)`` of the NLU training data (risk intents by kind, others none)."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(ROOT / "nlu" / "data"))
    examples = [m for m in data.intent_examples if m.get("text")]
    labels = labels_for(str(m.get("intent")) for m in examples)
    return [(str(m.get("text")), label) for m, label in zip(examples, labels, strict=True)]


def folds(items: list[tuple[str, str]], k: int, seed: int = 42) -> list[list[int]]:
    """Indices of ``items`` in ``k`` folds, stratified by label."""
    rng = random.Random(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    for label in sorted({lab for _, lab in items}):
        idx = [i for i, (_, lab) in enumerate(items) if lab == label]
        rng.shuffle(idx)
        for n, i in enumerate(idx):
            out[n % k].append(i)
    return out


def fit(
    detector: RiskDetector, train: list[tuple[str, str]], c: float | None = None
) -> RiskClassifier:
    """The risk model as the Rasa component fits it (``c``: another regularisation)."""
    texts, labels = [detector.canonical(t) for t, _ in train], [lab for _, lab in train]
    return RiskClassifier.fit(texts, labels) if c is None else RiskClassifier.fit(texts, labels, c)


def decide(
    detector: RiskDetector,
    scored: list[tuple[str, str, dict[str, float]]],
    alone: float,
    cue: float,
    benign: float,
) -> dict[str, Any]:
    """Recall and false alarms of one threshold setting over scored messages."""
    detector.score_alone, detector.score_cue, detector.score_benign = alone, cue, benign
    found = risk = alarms = ordinary = 0
    for text, label, scores in scored:
        at_risk = detector.assess(text, (), scores=scores).at_risk
        if label == NONE:
            ordinary += 1
            alarms += at_risk
        else:
            risk += 1
            found += at_risk
    return {
        "score_alone": alone,
        "score_cue": cue,
        "score_benign": benign,
        "recall": round(found / max(risk, 1), 4),
        "false_alarms": round(alarms / max(ordinary, 1), 4),
        "missed": risk - found,
        "alarms": alarms,
    }


def cross_validate(k: int, c: float | None = None, with_nlu: bool = False) -> list[dict[str, Any]]:
    """Out-of-fold scores of the development sets (and the NLU data), then the threshold grid.

    ``with_nlu``: the NLU training examples are folded too, so the false alarms are also
    measured on ordinary citizen messages the model did not see (``nlu_false_alarms``).
    """
    detector = RiskDetector.from_files()
    base = nlu_examples()
    dev = extra_examples(EXTRA_TRAINING)
    scored: list[tuple[str, str, dict[str, float]]] = []
    scored_nlu: list[tuple[str, str, dict[str, float]]] = []
    parts = folds(dev, k)
    base_parts = folds(base, k) if with_nlu else [[] for _ in range(k)]
    for n, (held, base_held) in enumerate(zip(parts, base_parts, strict=True)):
        held_set, base_set = set(held), set(base_held)
        train = [base[i] for i in range(len(base)) if i not in base_set]
        train += [dev[i] for i in range(len(dev)) if i not in held_set] * EXTRA_WEIGHT
        model = fit(detector, train, c)
        for i in held:
            text, label = dev[i]
            scored.append((text, label, model.scores(detector.canonical(text))))
        for i in base_held:
            text, label = base[i]
            if label == NONE:
                scored_nlu.append((text, label, model.scores(detector.canonical(text))))
        print(f"fold {n + 1}/{k}: {len(held) + len(base_held)} messages scored", file=sys.stderr)
    out = []
    for setting in itertools.product(GRID_ALONE, GRID_CUE, GRID_BENIGN):
        row = {"c": c, **decide(detector, scored, *setting)}
        if scored_nlu:
            row["nlu_false_alarms"] = decide(detector, scored_nlu, *setting)["false_alarms"]
        out.append(row)
    return out


def heldout() -> dict[str, Any]:
    """Held-out figures with the lexicon's thresholds (reporting only)."""
    detector = RiskDetector.from_files()
    model = fit(detector, nlu_examples() + extra_examples(EXTRA_TRAINING) * EXTRA_WEIGHT)
    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    scored = [(i["text"], i["kind"], {}) for i in data["risk"]]
    scored += [(i["text"], NONE, {}) for i in data["ordinary"]]
    scored = [(t, lab, model.scores(detector.canonical(t))) for t, lab, _ in scored]
    return decide(detector, scored, detector.score_alone, detector.score_cue, detector.score_benign)


def main() -> int:
    """Print the grid (or the held-out figures) as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-fa", type=float, default=0.02, help="false-alarm budget")
    parser.add_argument("--c", type=float, nargs="*", default=[None], help="regularisations")
    parser.add_argument("--heldout", action="store_true", help="held-out figures, no tuning")
    parser.add_argument(
        "--with-nlu", action="store_true", help="fold the NLU data too (nlu_false_alarms)"
    )
    parser.add_argument(
        "--max-nlu-fa", type=float, default=1.0, help="false-alarm budget on the NLU data"
    )
    args = parser.parse_args()
    if args.heldout:
        print(json.dumps(heldout(), indent=2))
        return 0
    grid = [g for c in args.c for g in cross_validate(args.folds, c, args.with_nlu)]
    within = sorted(
        (
            g
            for g in grid
            if g["false_alarms"] <= args.max_fa
            and g.get("nlu_false_alarms", 0.0) <= args.max_nlu_fa
        ),
        key=lambda g: (-g["recall"], g["false_alarms"]),
    )
    print(json.dumps({"best_within_budget": within[:5], "grid": grid}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
