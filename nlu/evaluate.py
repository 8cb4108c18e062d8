"""Evaluate the trained NLU on the held-out split and write the report (runs in ``.venv-rasa``).

    .venv-rasa/bin/python -m nlu.evaluate                      # report + confusion matrix
    .venv-rasa/bin/python -m nlu.evaluate --json               # results as JSON on stdout
    .venv-rasa/bin/python -m nlu.evaluate --model models/x.tar.gz --no-report --json
    .venv-rasa/bin/python -m nlu.evaluate --model x.tar.gz --no-report --png x.png  # the registry

The model is loaded in-process with ``Agent.load``; every example of ``tests/nlu/test_nlu.yml``
and every case of ``tests/nlu/comuni_test.yml`` is parsed once (after one warm-up parse), timing
each parse. Metrics:

* intent macro-F1 and per-intent P/R/F1 over the gold intents of the test split. The headline
  figure is honest about the FallbackClassifier: when it fires (``nlu_fallback``) the bot asks
  "Intendevi…?" instead of answering, so every fallback counts as a miss. The classifier's own
  top-1 F1 (fallback ignored), the number of fallbacks and the *confident errors* (wrong intent,
  no fallback) are reported too;
* ``comune`` value accuracy: the first ``comune`` entity equals the expected official name (or no
  comune when the case expects none), over ``comuni_test.yml`` plus every example of the
  held-out split annotated with a ``comune`` entity;
* ``target_group`` accuracy: examples annotated with a target group whose predicted set of
  values is exactly the gold set (and false positives on the other examples);
* parse latency p50/p95 and the 10 slowest parses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = REPO_ROOT / "models" / "wecare.tar.gz"
TEST_NLU = REPO_ROOT / "tests" / "nlu" / "test_nlu.yml"
COMUNI_TEST = REPO_ROOT / "tests" / "nlu" / "comuni_test.yml"
REPORT = REPO_ROOT / "docs" / "nlu_report.md"
PNG = REPO_ROOT / "docs" / "nlu_confusion.png"
VARIANTS_JSON = REPO_ROOT / "nlu" / "configs" / "measured.json"
FALLBACK = "nlu_fallback"


def load_test_examples(path: Path = TEST_NLU) -> list[dict[str, Any]]:
    """Read the held-out split: ``[{text, intent, entities: [{entity, value}]}]``."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    out = []
    for msg in data.intent_examples:
        out.append(
            {
                "text": msg.get("text"),
                "intent": msg.get("intent"),
                "entities": [
                    {"entity": e["entity"], "value": str(e["value"])}
                    for e in msg.get("entities", []) or []
                ],
            }
        )
    return out


def load_comuni_cases(path: Path = COMUNI_TEST) -> list[dict[str, Any]]:
    """Read ``comuni_test.yml`` (a list of ``{text, comune}``)."""
    import yaml

    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), [])
    return [{"text": str(c["text"]), "comune": c.get("comune")} for c in data]


def classifier_intent(parse: dict[str, Any]) -> tuple[str, float]:
    """Top intent of the classifier, skipping the FallbackClassifier's ``nlu_fallback``."""
    for item in parse.get("intent_ranking") or []:
        if item.get("name") != FALLBACK:
            return str(item["name"]), float(item.get("confidence") or 0.0)
    intent = parse.get("intent") or {}
    return str(intent.get("name")), float(intent.get("confidence") or 0.0)


def _margin(parse: dict[str, Any]) -> float:
    """Confidence gap between the classifier's first and second intents (1.0 if only one)."""
    confs = [
        float(item.get("confidence") or 0.0)
        for item in parse.get("intent_ranking") or []
        if item.get("name") != FALLBACK
    ]
    return confs[0] - confs[1] if len(confs) > 1 else 1.0


SWEEP_THRESHOLDS = (0.3, 0.4, 0.5, 0.6)
SWEEP_AMBIGUITY = (0.0, 0.05, 0.1)


def fallback_sweep(rows: list[dict[str, Any]], labels: list[str]) -> list[dict[str, Any]]:
    """Macro-F1 (fallback = miss) for other FallbackClassifier settings, from the same parses.

    The FallbackClassifier replaces the intent with ``nlu_fallback`` when the top confidence is
    below ``threshold`` or the top two are closer than ``ambiguity_threshold``; both only need
    the classifier's ranking, so the sweep re-uses the parses instead of retraining.

    Args:
        rows: per-example rows of :func:`evaluate` (with ``confidence`` and ``margin``).
        labels: the gold intents.

    Returns:
        One entry per (threshold, ambiguity_threshold) pair.
    """
    gold = [r["gold"] for r in rows]
    out = []
    for threshold in SWEEP_THRESHOLDS:
        for ambiguity in SWEEP_AMBIGUITY:
            final = [
                FALLBACK if r["confidence"] < threshold or r["margin"] < ambiguity else r["pred"]
                for r in rows
            ]
            per = prf(gold, final, labels)
            out.append(
                {
                    "threshold": threshold,
                    "ambiguity_threshold": ambiguity,
                    "macro_f1": statistics.mean(v["f1"] for v in per.values()) if per else 0.0,
                    "fallbacks": sum(f == FALLBACK for f in final),
                    "confident_errors": sum(
                        f not in (FALLBACK, g) for f, g in zip(final, gold, strict=True)
                    ),
                }
            )
    return out


def _loadavg() -> float | None:
    """The 1-minute load average (other work on the shared cores skews latency), or None."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _first_comune(parse: dict[str, Any]) -> str | None:
    """Value of the first ``comune`` entity of a parse result, or None."""
    values = [e["value"] for e in parse.get("entities") or [] if e.get("entity") == "comune"]
    return str(values[0]) if values else None


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(round(q / 100 * len(ordered) + 0.5))))
    return ordered[rank - 1]


def prf(gold: list[str], pred: list[str], labels: list[str]) -> dict[str, dict[str, float]]:
    """Per-label precision, recall, F1 and support."""
    out = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[label] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
    return out


def evaluate(
    model: Path,
    test_path: Path = TEST_NLU,
    comuni_path: Path = COMUNI_TEST,
    progress: bool = True,
) -> dict[str, Any]:
    """Load ``model``, parse every held-out example and return all metrics."""
    from rasa.core.agent import Agent

    t0 = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - t0
    loop = asyncio.new_event_loop()

    def parse(text: str) -> tuple[dict[str, Any], float]:
        start = time.perf_counter()
        result = loop.run_until_complete(agent.parse_message(text))
        return result, (time.perf_counter() - start) * 1000

    parse("buongiorno")  # warm-up (graph tracing)
    load_before = _loadavg()
    examples = load_test_examples(test_path)
    cases = load_comuni_cases(comuni_path)
    timings: list[tuple[float, str]] = []
    rows = []
    comune_rows: list[dict[str, Any]] = []
    for n, ex in enumerate(examples, 1):
        result, ms = parse(ex["text"])
        timings.append((ms, ex["text"]))
        pred, conf = classifier_intent(result)
        fallback = (result.get("intent") or {}).get("name") == FALLBACK
        comune_gold = [e["value"] for e in ex["entities"] if e["entity"] == "comune"]
        if comune_gold:
            comune_rows.append(
                {
                    "text": ex["text"],
                    "expected": comune_gold[0],
                    "got": _first_comune(result),
                    "source": "test_nlu.yml",
                }
            )
        tg_pred = sorted(
            {str(e["value"]) for e in result.get("entities", []) if e["entity"] == "target_group"}
        )
        tg_gold = sorted({e["value"] for e in ex["entities"] if e["entity"] == "target_group"})
        rows.append(
            {
                "text": ex["text"],
                "gold": ex["intent"],
                "pred": pred,
                "final": FALLBACK if fallback else pred,
                "confidence": round(conf, 4),
                "margin": round(_margin(result), 4),
                "fallback": fallback,
                "tg_gold": tg_gold,
                "tg_pred": tg_pred,
            }
        )
        if progress and n % 100 == 0:
            print(f"  parsed {n}/{len(examples)} held-out examples", file=sys.stderr)
    for case in cases:
        result, ms = parse(case["text"])
        timings.append((ms, case["text"]))
        comune_rows.append(
            {
                "text": case["text"],
                "expected": case["comune"],
                "got": _first_comune(result),
                "source": "comuni_test.yml",
            }
        )
    loop.close()
    load_after = _loadavg()

    gold = [r["gold"] for r in rows]
    top1 = [r["pred"] for r in rows]
    final = [r["final"] for r in rows]
    labels = sorted(set(gold))
    per_intent = prf(gold, final, labels)
    macro_f1 = statistics.mean(v["f1"] for v in per_intent.values()) if labels else 0.0
    per_intent_top1 = prf(gold, top1, labels)
    macro_f1_top1 = statistics.mean(v["f1"] for v in per_intent_top1.values()) if labels else 0.0
    n = len(rows)
    accuracy = sum(g == p for g, p in zip(gold, final, strict=True)) / n if n else 0.0
    accuracy_top1 = sum(g == p for g, p in zip(gold, top1, strict=True)) / n if n else 0.0
    fallbacks = [r for r in rows if r["fallback"]]
    confident_errors = [r for r in rows if r["gold"] != r["pred"] and not r["fallback"]]
    tg_rows = [r for r in rows if r["tg_gold"]]
    tg_accuracy = (
        sum(r["tg_gold"] == r["tg_pred"] for r in tg_rows) / len(tg_rows) if tg_rows else None
    )
    tg_false_pos = sum(1 for r in rows if not r["tg_gold"] and r["tg_pred"])
    comune_ok = sum(r["expected"] == r["got"] for r in comune_rows)
    ms_values = [ms for ms, _ in timings]
    confusions = Counter((r["gold"], r["final"]) for r in rows if r["gold"] != r["final"])
    return {
        "model": str(model.relative_to(REPO_ROOT) if model.is_relative_to(REPO_ROOT) else model),
        "n_examples": n,
        "n_intents": len(labels),
        "intent_macro_f1": macro_f1,
        "intent_accuracy": accuracy,
        "intent_macro_f1_top1": macro_f1_top1,
        "intent_accuracy_top1": accuracy_top1,
        "fallback_count": len(fallbacks),
        "fallback_rate": len(fallbacks) / n if n else 0.0,
        "fallback_top1_correct": sum(r["gold"] == r["pred"] for r in fallbacks),
        "confident_errors": len(confident_errors),
        "per_intent": per_intent,
        "per_intent_top1": per_intent_top1,
        "fallback_sweep": fallback_sweep(rows, labels),
        "labels": labels,
        "confusion_pairs": [
            {"gold": g, "pred": p, "count": c} for (g, p), c in confusions.most_common()
        ],
        "errors": [r for r in rows if r["gold"] != r["final"]],
        "rows": rows,
        "target_group_examples": len(tg_rows),
        "target_group_accuracy": tg_accuracy,
        "target_group_false_positives": tg_false_pos,
        "comune_cases": len(comune_rows),
        "comune_cases_by_source": dict(Counter(r["source"] for r in comune_rows)),
        "comune_accuracy": comune_ok / len(comune_rows) if comune_rows else None,
        "comune_errors": [r for r in comune_rows if r["expected"] != r["got"]],
        "latency_ms": {
            "n": len(ms_values),
            "p50": percentile(ms_values, 50),
            "p95": percentile(ms_values, 95),
            "max": max(ms_values) if ms_values else float("nan"),
            "loadavg_1min": [load_before, load_after],
        },
        "slowest": [
            {"ms": round(ms, 2), "text": t} for ms, t in sorted(timings, reverse=True)[:10]
        ],
        "load_seconds": load_seconds,
        "machine": machine_info(),
    }


def machine_info() -> dict[str, Any]:
    """CPU, cores, RAM and library versions, for the report."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for mod in ("rasa", "tensorflow", "spacy", "sklearn"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - optional
            versions[mod] = None
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "cpus_usable": affinity,
        "ram_gb": mem_gb,
        "python": platform.python_version(),
        **versions,
    }


def draw_confusion(results: dict[str, Any], path: Path = PNG) -> None:
    """Write the row-normalised intent confusion matrix as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = list(results["labels"])
    preds = {r["final"] for r in results["rows"]} - set(labels)
    cols = labels + sorted(preds)
    index = {label: i for i, label in enumerate(cols)}
    matrix = [[0] * len(cols) for _ in labels]
    for r in results["rows"]:
        matrix[labels.index(r["gold"])][index[r["final"]]] += 1
    fig, ax = plt.subplots(figsize=(0.42 * len(cols) + 4, 0.42 * len(labels) + 3))
    norm = [[c / max(1, sum(row)) for c in row] for row in matrix]
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                ax.text(
                    j,
                    i,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if norm[i][j] > 0.5 else "black",
                )
    ax.set_xticks(range(len(cols)), cols, rotation=70, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted intent (nlu_fallback = the FallbackClassifier fired)")
    ax.set_ylabel("gold intent (tests/nlu/test_nlu.yml)")
    ax.set_title(
        f"Held-out intent confusion: macro-F1 {results['intent_macro_f1']:.3f}, "
        f"n={results['n_examples']}"
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fmt(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


EVAL_CMD = "make eval"
EVAL_CMD_DIRECT = "taskset -c 0 .venv-rasa/bin/python -m nlu.evaluate"
TRAIN_CMD = "bash scripts/train.sh --force --cold"


def write_report(results: dict[str, Any], path: Path = REPORT) -> None:
    """Write ``docs/nlu_report.md`` from the results (and the variants/training JSON files).

    Args:
        results: what :func:`evaluate` returned.
        path: the Markdown file to write.
    """
    train_info = _read_json(REPO_ROOT / "models" / "wecare.train.json")
    variants = _read_json(VARIANTS_JSON)
    m = results["machine"]
    lat = results["latency_ms"]
    by_source = ", ".join(f"{k}: {v}" for k, v in results["comune_cases_by_source"].items())
    lines = [
        "# NLU evaluation report",
        "",
        f"Generated by `{EVAL_CMD}` (`wecare eval`, which runs `{EVAL_CMD_DIRECT}` after "
        "`scripts/train.sh`); do not edit by hand. Every number in the summary is reproduced "
        "by the command next to it.",
        "",
        f"- Model: `{results['model']}` (config `config.yml`), evaluated "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- Held-out split: `tests/nlu/test_nlu.yml`, {results['n_examples']} examples, "
        f"{results['n_intents']} intents (never in training: `scripts/check_nlu_split.py`); "
        f"comune cases: {results['comune_cases']} ({by_source})",
        f"- Machine: {m['cpu']}, {m['cpus']} CPUs ({m['cpus_usable']} usable by the evaluation), "
        f"{m['ram_gb']} GB RAM; Python {m['python']}, Rasa {m['rasa']}, TensorFlow "
        f"{m['tensorflow']}, spaCy {m['spacy']}",
        "",
        "## Summary",
        "",
        "The headline intent figures count a FallbackClassifier fallback (`nlu_fallback`: the "
        'bot asks "Intendevi…?" instead of answering) as a miss.',
        "",
        "| metric | value | target | reproduce |",
        "|---|---|---|---|",
        f"| intent macro-F1, fallback = miss | **{_fmt(results['intent_macro_f1'])}** | ≥ 0.92 "
        f"| `{EVAL_CMD}` |",
        f"| intent accuracy, fallback = miss | {_fmt(results['intent_accuracy'])} | | "
        f"`{EVAL_CMD}` |",
        f"| test messages that fall back | {results['fallback_count']} / "
        f"{results['n_examples']} ({results['fallback_top1_correct']} of them with the right "
        f"top-1 intent) | | `{EVAL_CMD}` |",
        f"| confident errors (wrong intent, no fallback) | {results['confident_errors']} / "
        f"{results['n_examples']} | | `{EVAL_CMD}` |",
        f"| intent macro-F1 of the classifier's top-1 (fallback ignored) | "
        f"{_fmt(results['intent_macro_f1_top1'])} | | `{EVAL_CMD}` |",
        f"| `comune` value accuracy | **{_fmt(results['comune_accuracy'])}** "
        f"({results['comune_cases'] - len(results['comune_errors'])} / "
        f"{results['comune_cases']}) | ≥ 0.97 | `{EVAL_CMD}` |",
        f"| `target_group` exact-set accuracy ({results['target_group_examples']} annotated "
        f"examples) | {_fmt(results['target_group_accuracy'])} "
        f"({results['target_group_false_positives']} unannotated examples got a target_group) | "
        f"| `{EVAL_CMD}` |",
        f"| parse latency p50 / p95 (one process, one core, {lat['n']} parses) | "
        f"{lat['p50']:.1f} / {lat['p95']:.1f} ms (max {lat['max']:.1f}; 1-min load average "
        f"{lat.get('loadavg_1min', ['?', '?'])[0]} → {lat.get('loadavg_1min', ['?', '?'])[1]} "
        "on the 2 shared cores) | p95 ≤ 30 ms | "
        f"`{EVAL_CMD}` |",
        f"| model load (`Agent.load`) | {results['load_seconds']:.1f} s | | `{EVAL_CMD}` |",
    ]
    if train_info:
        cache = "cold Rasa cache" if train_info.get("cold_cache") else "Rasa cache as found"
        kind = "NLU only" if train_info.get("nlu_only") else "NLU + dialogue"
        load = ""
        if train_info.get("loadavg_1min_start") is not None:
            load = (
                f", 1-min load average {train_info['loadavg_1min_start']} → "
                f"{train_info.get('loadavg_1min_end')}"
            )
        lines.append(
            f"| `make train` wall time ({kind}, {cache}) | {train_info['seconds']:.0f} s on "
            f"{train_info['cpus']} CPUs ({train_info['finished_utc']}{load}) | ≤ 300 s | "
            f"`{TRAIN_CMD}` |"
        )
    lines += [
        "",
        "Latency: every parse of the held-out split and of the comune cases, timed around "
        "`Agent.parse_message` in one process after one warm-up parse; `wecare eval` pins the "
        "evaluation to one core with `taskset -c 0`. The training time comes from "
        "`models/wecare.train.json`, written by `scripts/train.sh`; the 2 cores are shared "
        "with other work, so it is an upper bound for an idle machine.",
        "",
        "![confusion matrix](nlu_confusion.png)",
        "",
        "## FallbackClassifier thresholds",
        "",
        "Same parses, other `threshold` / `ambiguity_threshold` values (a fallback counts as a "
        'miss; "confident errors" are wrong answers given without asking). Reproduce: '
        f"`{EVAL_CMD_DIRECT} --json` (key `fallback_sweep`).",
        "",
        "| threshold | ambiguity_threshold | macro-F1 | fallbacks | confident errors |",
        "|---|---|---|---|---|",
        *[
            f"| {x['threshold']} | {x['ambiguity_threshold']} | {x['macro_f1']:.3f} | "
            f"{x['fallbacks']} | {x['confident_errors']} |"
            for x in results["fallback_sweep"]
        ],
        "",
    ]
    if variants:
        lines += [
            "## Pipeline variants (same training data, same held-out split)",
            "",
            "Reproduce: `.venv-rasa/bin/python -m nlu.compare_variants` (trains each "
            "`nlu/configs/*.yml` NLU-only with `scripts/train.sh --nlu-only --cold`, then runs "
            f"`{EVAL_CMD_DIRECT} --no-report --json` on it); `--only NAME` re-measures one.",
            "",
            "| variant | config | intent macro-F1 (fallback = miss) | top-1 macro-F1 | "
            "fallbacks | comune acc. | target_group acc. | parse p50 / p95 ms | "
            "NLU training s | 1-min load avg. (training; evaluation) |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for v in variants.get("variants", []):
            if "error" in v:
                lines.append(
                    f"| {v['name']} | `{v['config']}` | not measured: {v['error']} | | | | | | | |"
                )
                continue
            lines.append(
                f"| {v['name']} | `{v['config']}` | {_fmt(v.get('intent_macro_f1'))} | "
                f"{_fmt(v.get('intent_macro_f1_top1'))} | {v.get('fallback_count', 'n/a')} | "
                f"{_fmt(v.get('comune_accuracy'))} | {_fmt(v.get('target_group_accuracy'))} | "
                f"{_fmt(v.get('p50'), 1)} / {_fmt(v.get('p95'), 1)} | "
                f"{_fmt(v.get('train_seconds'), 0)} | {_loads(v.get('train_loadavg'))}; "
                f"{_loads(v.get('eval_loadavg'))} |"
            )
        if variants.get("notes"):
            lines += ["", *[f"- {note}" for note in variants["notes"]]]
        lines.append("")
    lines += [
        "## Per intent (fallback = miss)",
        "",
        "| intent | precision | recall | F1 | support | top-1 F1 |",
        "|---|---|---|---|---|---|",
    ]
    for label, v in sorted(results["per_intent"].items(), key=lambda kv: kv[1]["f1"]):
        top1 = results["per_intent_top1"][label]["f1"]
        lines.append(
            f"| {label} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | "
            f"{v['support']} | {top1:.3f} |"
        )
    lines += ["", "## Most frequent confusions (gold → predicted)", ""]
    pairs = results["confusion_pairs"][:15]
    lines += [f"- {p['gold']} → {p['pred']}: {p['count']}" for p in pairs] or ["- none"]
    lines += ["", "## Misclassified held-out examples", ""]
    lines += [
        f"- `{r['text']}` — gold {r['gold']}, predicted {r['pred']} ({r['confidence']:.2f}"
        f"{', fallback' if r['fallback'] else ''})"
        for r in results["errors"][:80]
    ] or ["- none"]
    if len(results["errors"]) > 80:
        lines.append(f"- … and {len(results['errors']) - 80} more")
    lines += ["", "## Comune recogniser errors", ""]
    lines += [
        f"- `{r['text']}` ({r['source']}) — expected {r['expected']}, got {r['got']}"
        for r in results["comune_errors"]
    ] or ["- none"]
    lines += ["", "## Slowest parses", "", "| ms | text |", "|---|---|"]
    lines += [f"| {s['ms']:.1f} | {s['text'][:90]} |" for s in results["slowest"]]
    lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def _loads(pair: list[float | None] | None) -> str:
    """Format a ``[start, end]`` load-average pair."""
    if not pair or pair[0] is None:
        return "n/a"
    return f"{pair[0]} → {pair[1]}"


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def summary(results: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers (what ``--json`` prints without ``--full``).

    Args:
        results: what :func:`evaluate` returned.

    Returns:
        The subset of ``results`` without the per-example rows.
    """
    keys = (
        "model n_examples intent_macro_f1 intent_accuracy intent_macro_f1_top1 "
        "intent_accuracy_top1 fallback_count fallback_rate fallback_top1_correct "
        "confident_errors per_intent comune_cases comune_cases_by_source comune_accuracy "
        "target_group_accuracy target_group_false_positives latency_ms slowest load_seconds "
        "confusion_pairs comune_errors fallback_sweep"
    ).split()
    out = {k: results[k] for k in keys}
    out["confusion_pairs"] = out["confusion_pairs"][:10]
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Evaluate the WeCare NLU on the held-out split")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--test", type=Path, default=TEST_NLU)
    parser.add_argument("--comuni", type=Path, default=COMUNI_TEST)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--full", action="store_true", help="with --json: every row too")
    parser.add_argument("--no-report", action="store_true", help="do not write docs/")
    parser.add_argument("--out-json", type=Path, help="also write the full results here")
    parser.add_argument("--png", type=Path, help="also draw the confusion matrix here")
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"no model at {args.model}: run `make train` first", file=sys.stderr)
        return 2
    results = evaluate(args.model, args.test, args.comuni, progress=not args.json)
    if args.out_json:
        args.out_json.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    if args.png:
        draw_confusion(results, args.png)
    if not args.no_report:
        draw_confusion(results)
        write_report(results)
    if args.json:
        print(json.dumps(results if args.full else summary(results), ensure_ascii=False))
    else:
        lat = results["latency_ms"]
        print(
            f"intent macro-F1 {results['intent_macro_f1']:.3f} (accuracy "
            f"{results['intent_accuracy']:.3f}, {results['fallback_count']} fallbacks); "
            f"comune accuracy {_fmt(results['comune_accuracy'])}; target_group accuracy "
            f"{_fmt(results['target_group_accuracy'])}; parse p50 {lat['p50']:.1f} ms, "
            f"p95 {lat['p95']:.1f} ms"
        )
        if not args.no_report:
            print(f"report: {REPORT.relative_to(REPO_ROOT)}, {PNG.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
