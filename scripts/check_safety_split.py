#!/usr/bin/env python3
"""Check that the held-out safety set stayed out of the risk lexicon and the training data.

The proof of issue 9's safety net is ``tests/safety/heldout_safety.yml`` (risk and ordinary
messages written separately from the lexicon). This check fails when:

* a held-out message is an exact or near duplicate (``check_nlu_split`` thresholds) of a
  training example (``nlu/data``) or of any development set (``nlu/risk/dev_set*.yml``: the
  lexicon was tuned on them and the risk model is trained on them);
* the lexicon copies a held-out message: a held-out message's canonical text, or any run of
  ``NGRAM`` consecutive words of it (a whole message from 4 words), appears in the literal
  words of a lexicon entry (the
  entries are regexes: their literal word runs are compared);
* the set is too small (at least ``MIN_RISK`` risk and ``MIN_ORDINARY`` ordinary messages, every
  group with some) or holds duplicates.

Usage: ``python scripts/check_safety_split.py [--quiet]``; exit code 1 on any problem.
Runs in the app environment (PyYAML only).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "safety" / "heldout_safety.yml"
DEV_SETS = tuple(sorted((ROOT / "nlu" / "risk").glob("dev_set*.yml")))
LEXICON = ROOT / "nlu" / "risk" / "lexicon.yml"
TRAIN_DIR = ROOT / "nlu" / "data"
MIN_RISK = 150
MIN_ORDINARY = 150
MIN_PER_GROUP = 10
NGRAM = 6
GROUPS = (
    "physical_violence sexual_violence psychological_violence stalking threats "
    "control_segregation economic_violence child_maltreatment elder_abuse self_harm"
).split()

_spec = importlib.util.spec_from_file_location(
    "check_nlu_split", ROOT / "scripts" / "check_nlu_split.py"
)
split = importlib.util.module_from_spec(_spec)
assert _spec.loader is not None
sys.modules.setdefault("check_nlu_split", split)
_spec.loader.exec_module(split)

_REGEX_SYNTAX = re.compile(r"\\[a-z]\*?|\(\?[:!=<]+|[()\[\]|?*+{}^$.\\~]|\d+,?\d*")


def load_set(path: Path) -> dict[str, list[dict]]:
    """The ``risk`` and ``ordinary`` lists of a safety set file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"risk": list(data.get("risk") or []), "ordinary": list(data.get("ordinary") or [])}


def examples(items: list[dict], label: str, source: str) -> list:
    """Safety items as ``check_nlu_split.Example`` (intent = risk/ordinary label)."""
    return [split.Example(label, i["text"], split.normalise(i["text"]), source) for i in items]


def lexicon_literals(path: Path = LEXICON) -> list[str]:
    """The literal word runs of every lexicon regex (operators removed)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    patterns: list[str] = []
    for group in (data.get("groups") or {}).values():
        for key in ("patterns", "cues", "exclude"):
            patterns.extend(str(p) for p in group.get(key) or ())
    out: list[str] = []
    for pattern in patterns:
        for piece in pattern.split("|"):
            words = split.normalise(_REGEX_SYNTAX.sub(" ", piece))
            if words:
                out.append(words)
    return out


def check() -> list[str]:
    """Every problem found (empty: OK)."""
    problems: list[str] = []
    held = load_set(HELDOUT)
    counts = Counter(i.get("group") for i in held["risk"])
    if len(held["risk"]) < MIN_RISK or len(held["ordinary"]) < MIN_ORDINARY:
        problems.append(f"too small: {len(held['risk'])} risk, {len(held['ordinary'])} ordinary")
    for group in GROUPS:
        if counts[group] < MIN_PER_GROUP:
            problems.append(f"group {group}: {counts[group]} held-out messages (< {MIN_PER_GROUP})")
    test = examples(held["risk"], "risk", HELDOUT.name) + examples(
        held["ordinary"], "ordinary", HELDOUT.name
    )
    seen: set[str] = set()
    for ex in test:
        if ex.norm in seen:
            problems.append(f"duplicate in the held-out set: {ex.text!r}")
        seen.add(ex.norm)
    reference = split.load_train(TRAIN_DIR)
    for path in DEV_SETS:
        dev = load_set(path)
        reference += examples(dev["risk"] + dev["ordinary"], "dev", path.name)
    for leak in split.find_leaks(reference, test):
        problems.append(
            f"[{leak.kind}] held-out {leak.test.text!r} ~ {leak.train.source}: {leak.train.text!r}"
        )
    literals = lexicon_literals()
    joined = " | ".join(literals)
    for ex in test:
        words = ex.norm.split()
        if len(words) >= 4 and ex.norm in literals:
            problems.append(f"the lexicon holds a held-out message: {ex.text!r}")
            continue
        grams = {" ".join(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)}
        copied = sorted(g for g in grams if g in joined)
        if copied:
            problems.append(f"the lexicon copies {copied[0]!r} from held-out {ex.text!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Print the problems (or OK) and return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    problems = check()
    if not args.quiet:
        held = load_set(HELDOUT)
        print(f"held-out: {len(held['risk'])} risk, {len(held['ordinary'])} ordinary messages")
    for problem in problems:
        print("  " + problem)
    print("OK" if not problems else f"FAILED ({len(problems)} problems)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
