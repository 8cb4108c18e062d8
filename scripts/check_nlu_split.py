#!/usr/bin/env python3
"""Check the NLU train/test split: no leaks, enough examples per intent.

Train = every example of ``nlu/data/**/*.yml`` (the NLU inbox's ``nlu/data/inbox/`` too);
test = ``tests/nlu/test_nlu.yml``.
Runs in the app environment (stdlib + PyYAML only, no Rasa import).

Each example is compared after
  1. stripping Rasa entity syntax (``[testo](entity)``, ``[testo]{"entity": ...}``
     -> ``testo``),
  2. normalising: Unicode NFKD without combining marks (è -> e), lowercase,
     every run of non-alphanumeric characters (punctuation, curly or straight
     apostrophes, emoji) -> one space, trimmed.

A test example LEAKS when, for some training example (of any intent):
  * exact duplicate: identical normalised strings; or
  * near duplicate: token-set Jaccard >= 0.8 (same words in another order, or one
    extra/missing word in a long sentence), or difflib ``SequenceMatcher`` ratio
    >= 0.9 on the normalised strings (a typo, a changed ending or a missing
    letter).
Both thresholds are the module constants below; they flag "the model has seen
this sentence" while letting short, genuinely different phrasings through
("ciaoo" vs "ciao" has ratio 0.89 and is NOT a leak; "sì grazie" vs
"grazie sì" has Jaccard 1.0 and IS).

Counts: every intent must have >= MIN_TEST examples in the test split and
>= MIN_TRAIN in the training data (per-intent overrides: the button-only intent
``ask_more_results`` needs only 8 test examples), and the two splits must have
the same set of intents.

Usage: ``python scripts/check_nlu_split.py [--train-dir nlu/data]
[--test-file tests/nlu/test_nlu.yml] [--quiet]``; exit code 1 on any leak or
count problem, 0 otherwise.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TRAIN_DIR = ROOT / "nlu" / "data"
DEFAULT_TEST_FILE = ROOT / "tests" / "nlu" / "test_nlu.yml"

JACCARD_THRESHOLD = 0.8
RATIO_THRESHOLD = 0.9
MIN_TEST = 15
MIN_TRAIN = 40
MIN_TEST_OVERRIDES = {"ask_more_results": 8}
MIN_TRAIN_OVERRIDES: dict[str, int] = {}

# [text](entity) | [text](entity:value) | [text]{"entity": ..., "value": ...} | [text]{...}[...]
_ENTITY_RE = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})+")
_NON_ALNUM_RE = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Example:
    intent: str
    text: str  # entity syntax stripped, original spelling
    norm: str  # normalised
    source: str  # file name


@dataclass
class Leak:
    kind: str  # "exact" | "near"
    test: Example
    train: Example
    jaccard: float
    ratio: float


@dataclass
class SplitReport:
    train_counts: Counter = field(default_factory=Counter)
    test_counts: Counter = field(default_factory=Counter)
    leaks: list[Leak] = field(default_factory=list)
    count_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.leaks and not self.count_problems


def strip_entities(text: str) -> str:
    return _ENTITY_RE.sub(lambda m: m.group(1), text)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", strip_entities(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM_RE.sub(" ", text).strip()


def _examples_of(item: dict) -> list[str]:
    raw = item.get("examples")
    if raw is None:
        return []
    if isinstance(raw, str):
        out = []
        for line in raw.splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append(line[2:].strip())
            elif line == "-":
                continue
        return out
    # list form: [{"text": ..., "metadata": ...}, ...] or plain strings
    out = []
    for entry in raw:
        if isinstance(entry, dict) and "text" in entry:
            out.append(str(entry["text"]).strip())
        elif isinstance(entry, str):
            out.append(entry.strip())
    return out


def load_examples(path: Path) -> list[Example]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[Example] = []
    for item in data.get("nlu", []) or []:
        if not isinstance(item, dict) or "intent" not in item:
            continue  # synonyms, lookups, regexes
        intent = str(item["intent"])
        for text in _examples_of(item):
            plain = strip_entities(text)
            examples.append(Example(intent, plain, normalise(text), path.name))
    return examples


def load_train(train_dir: Path) -> list[Example]:
    examples: list[Example] = []
    # Recursive, like Rasa's --data: nlu/data/inbox/<intent>.yml (the NLU inbox) is training
    # data too, and must not leak the held-out split either.
    for path in sorted(train_dir.rglob("*.yml")) + sorted(train_dir.rglob("*.yaml")):
        examples.extend(load_examples(path))
    return examples


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def find_leaks(train: list[Example], test: list[Example]) -> list[Leak]:
    by_norm: dict[str, Example] = {}
    for ex in train:
        by_norm.setdefault(ex.norm, ex)
    train_tokens = [(ex, set(ex.norm.split())) for ex in train]
    leaks: list[Leak] = []
    matcher = difflib.SequenceMatcher(autojunk=False)
    for t in test:
        if t.norm in by_norm:
            leaks.append(Leak("exact", t, by_norm[t.norm], 1.0, 1.0))
            continue
        t_tokens = set(t.norm.split())
        matcher.set_seq2(t.norm)
        best: Leak | None = None
        for ex, ex_tokens in train_tokens:
            j = jaccard(t_tokens, ex_tokens)
            # cheap length bound: ratio <= 2*min/(len1+len2)
            la, lb = len(ex.norm), len(t.norm)
            bound = 2 * min(la, lb) / (la + lb) if la + lb else 1.0
            r = 0.0
            if bound >= RATIO_THRESHOLD:
                matcher.set_seq1(ex.norm)
                if (
                    matcher.real_quick_ratio() >= RATIO_THRESHOLD
                    and matcher.quick_ratio() >= RATIO_THRESHOLD
                ):
                    r = matcher.ratio()
            if j >= JACCARD_THRESHOLD or r >= RATIO_THRESHOLD:
                score = max(j, r)
                if best is None or score > max(best.jaccard, best.ratio):
                    best = Leak("near", t, ex, j, r)
        if best is not None:
            leaks.append(best)
    return leaks


def check_split(
    train_dir: Path = DEFAULT_TRAIN_DIR,
    test_file: Path = DEFAULT_TEST_FILE,
    min_test: int = MIN_TEST,
    min_train: int = MIN_TRAIN,
) -> SplitReport:
    train = load_train(Path(train_dir))
    test = load_examples(Path(test_file))
    report = SplitReport(
        train_counts=Counter(ex.intent for ex in train),
        test_counts=Counter(ex.intent for ex in test),
    )
    report.leaks = find_leaks(train, test)
    intents = set(report.train_counts) | set(report.test_counts)
    for intent in sorted(intents):
        need_test = MIN_TEST_OVERRIDES.get(intent, min_test)
        need_train = MIN_TRAIN_OVERRIDES.get(intent, min_train)
        if report.test_counts[intent] < need_test:
            report.count_problems.append(
                f"{intent}: {report.test_counts[intent]} test examples (< {need_test})"
            )
        if report.train_counts[intent] < need_train:
            report.count_problems.append(
                f"{intent}: {report.train_counts[intent]} train examples (< {need_train})"
            )
    # duplicates inside the test split itself
    seen: dict[str, Example] = {}
    for ex in test:
        if ex.norm in seen:
            report.count_problems.append(
                f"duplicate inside the test split: {ex.text!r} "
                f"({seen[ex.norm].intent} / {ex.intent})"
            )
        seen.setdefault(ex.norm, ex)
    return report


def format_report(report: SplitReport, quiet: bool = False) -> str:
    lines = []
    if not quiet:
        lines.append(f"{'intent':28s} {'train':>6s} {'test':>6s}")
        for intent in sorted(set(report.train_counts) | set(report.test_counts)):
            lines.append(
                f"{intent:28s} {report.train_counts[intent]:6d} {report.test_counts[intent]:6d}"
            )
        n_train, n_test = sum(report.train_counts.values()), sum(report.test_counts.values())
        lines.append(f"{'TOTAL':28s} {n_train:6d} {n_test:6d}")
        lines.append("")
    lines.append(
        f"leak check (exact after normalisation; near: token Jaccard >= {JACCARD_THRESHOLD} "
        f"or difflib ratio >= {RATIO_THRESHOLD}): {len(report.leaks)} leak(s)"
    )
    for leak in report.leaks:
        lines.append(
            f"  [{leak.kind}] test {leak.test.intent}: {leak.test.text!r}\n"
            f"          train {leak.train.intent} ({leak.train.source}): {leak.train.text!r}"
            f"  (jaccard={leak.jaccard:.2f}, ratio={leak.ratio:.2f})"
        )
    for problem in report.count_problems:
        lines.append(f"  [count] {problem}")
    lines.append("OK" if report.ok else "FAILED")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-dir", type=Path, default=DEFAULT_TRAIN_DIR)
    parser.add_argument("--test-file", type=Path, default=DEFAULT_TEST_FILE)
    parser.add_argument("--quiet", action="store_true", help="do not print the count table")
    args = parser.parse_args(argv)
    report = check_split(args.train_dir, args.test_file)
    print(format_report(report, quiet=args.quiet))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
