"""Measure every NLU pipeline variant in ``nlu/configs/`` (runs in ``.venv-rasa``).

    .venv-rasa/bin/python -m nlu.compare_variants [--only NAME ...]

For each ``nlu/configs/<name>.yml``: ``scripts/train.sh --nlu-only --cold --config ... --name
variant-<name>`` (skipped when that model is up to date), then ``nlu.evaluate --no-report
--json`` pinned to one core. Results go to ``nlu/configs/measured.json``, which
``docs/nlu_report.md`` turns into the variants table. A config whose spaCy model is not
installed (``it_core_news_sm``) is listed as not measured, with the reason. One training at a
time: the machine has 2 cores.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIGS = REPO_ROOT / "nlu" / "configs"
OUT = REPO_ROOT / "nlu" / "configs" / "measured.json"

NOTES = [
    "Variant training times are NLU-only (`rasa train nlu` with an empty Rasa cache); the full "
    "`make train` adds the dialogue policies.",
    "Macro-F1 counts a FallbackClassifier fallback as a miss; top-1 is the classifier alone. "
    "One training run per variant (no repeats): differences of about 0.01 or less may be "
    "run-to-run noise of DIET's random initialisation rather than a real difference.",
    "All variants share the comune recogniser, which reads the raw text (not the pipeline's "
    "tokens), so their comune accuracy is the same by construction.",
]


def spacy_model_missing(config: Path) -> str | None:
    """Return why a config's spaCy model is unavailable, or None."""
    from nlu.spacy_it.build import config_model_paths

    for model in config_model_paths(config):
        if model.startswith("models/spacy_it/"):
            continue
        import spacy

        if not (spacy.util.is_package(model) or Path(model).exists()):
            return f"spaCy model `{model}` not installed (no internet here; see docs/nlu.md)"
    return None


def measure(config: Path) -> dict[str, Any]:
    """Train (cached) and evaluate one variant."""
    name = config.stem
    entry: dict[str, Any] = {"name": name, "config": config.relative_to(REPO_ROOT).as_posix()}
    reason = spacy_model_missing(config)
    if reason:
        entry["error"] = reason
        return entry
    model_name = f"variant-{name}"
    print(f"== {name}: train (NLU only)", flush=True)
    t0 = time.time()
    train = subprocess.run(
        [
            "bash",
            "scripts/train.sh",
            "--nlu-only",
            "--cold",
            "--config",
            str(config),
            "--name",
            model_name,
        ],
        cwd=REPO_ROOT,
    )
    if train.returncode:
        entry["error"] = f"training failed (exit {train.returncode})"
        return entry
    info = json.loads((REPO_ROOT / "models" / f"{model_name}.train.json").read_text())
    entry["train_seconds"] = info["seconds"]
    entry["train_loadavg"] = [info.get("loadavg_1min_start"), info.get("loadavg_1min_end")]
    entry["train_wall_this_run"] = round(time.time() - t0, 1)
    print(f"== {name}: evaluate", flush=True)
    cmd = [
        sys.executable,
        "-m",
        "nlu.evaluate",
        "--no-report",
        "--json",
        "--model",
        f"models/{model_name}.tar.gz",
    ]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    if proc.returncode:
        entry["error"] = f"evaluation failed (exit {proc.returncode})"
        return entry
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    entry.update(
        {
            "intent_macro_f1": res["intent_macro_f1"],
            "intent_accuracy": res["intent_accuracy"],
            "intent_macro_f1_top1": res["intent_macro_f1_top1"],
            "fallback_count": res["fallback_count"],
            "fallback_rate": res["fallback_rate"],
            "confident_errors": res["confident_errors"],
            "comune_accuracy": res["comune_accuracy"],
            "target_group_accuracy": res["target_group_accuracy"],
            "p50": res["latency_ms"]["p50"],
            "p95": res["latency_ms"]["p95"],
            "eval_loadavg": res["latency_ms"].get("loadavg_1min"),
            "top_confusions": res["confusion_pairs"][:5],
        }
    )
    print(
        f"   macro-F1 {entry['intent_macro_f1']:.3f}, p95 {entry['p95']:.1f} ms, "
        f"train {entry['train_seconds']:.0f} s",
        flush=True,
    )
    return entry


def main(argv: list[str] | None = None) -> int:
    """Measure the variants and write ``nlu/configs/measured.json``."""
    parser = argparse.ArgumentParser(description="Measure the NLU pipeline variants")
    parser.add_argument("--only", nargs="*", help="variant names (config stems) to re-measure")
    args = parser.parse_args(argv)
    previous: dict[str, Any] = {}
    if OUT.exists():
        previous = {v["name"]: v for v in json.loads(OUT.read_text()).get("variants", [])}
    results = []
    for config in sorted(CONFIGS.glob("*.yml")):
        if args.only and config.stem not in args.only:
            if config.stem in previous:
                results.append(previous[config.stem])
            continue
        results.append(measure(config))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "measured_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "variants": results,
                "notes": NOTES,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    print(f"-> {OUT.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
