"""``wecare eval``: train the model if needed, then evaluate the NLU on the held-out split.

Runs in the app environment and never imports Rasa: training is ``scripts/train.sh`` and the
evaluation is ``.venv-rasa/bin/python -m nlu.evaluate`` (pinned to one core with ``taskset``
when available, so the latency figures are per core). Writes ``docs/nlu_report.md`` and
``docs/nlu_confusion.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from pathlib import Path

from wecare.cli import CliError

REPO_ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = REPO_ROOT / ".venv-rasa" / "bin" / "python"
DEFAULT_MODEL = REPO_ROOT / "models" / "wecare.tar.gz"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


def evaluation_command(model: Path, json_out: bool, no_report: bool) -> list[str]:
    """The command line that runs ``nlu.evaluate`` in the Rasa environment."""
    cmd = [str(RASA_PYTHON), "-m", "nlu.evaluate", "--model", str(model)]
    if json_out:
        cmd.append("--json")
    if no_report:
        cmd.append("--no-report")
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    return cmd


def run_eval(args: argparse.Namespace) -> int:
    """Train (cached) unless ``--no-train``, evaluate and print the summary."""
    if not RASA_PYTHON.exists():
        raise CliError("the Rasa environment .venv-rasa is missing: run `make setup`")
    model = Path(args.model)
    if not args.no_train:
        print("== train (skipped when the model is up to date)", flush=True)
        if subprocess.run(["bash", "scripts/train.sh"], cwd=REPO_ROOT, env=_env()).returncode:
            raise CliError("training failed (see the output above)")
    if not model.exists():
        raise CliError(f"no model at {model}: run `make train`")
    if args.variants:
        print("== pipeline variants (NLU-only training of each nlu/configs/*.yml)", flush=True)
        cmd = [str(RASA_PYTHON), "-m", "nlu.compare_variants"]
        if subprocess.run(cmd, cwd=REPO_ROOT, env=_env()).returncode:
            raise CliError("variant comparison failed")
    print("== evaluate on tests/nlu/test_nlu.yml and tests/nlu/comuni_test.yml", flush=True)
    cmd = evaluation_command(model, json_out=True, no_report=args.no_report)
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=_env(), stdout=subprocess.PIPE, text=True)
    if proc.returncode:
        raise CliError("evaluation failed (see the output above)")
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return 0
    lat = results["latency_ms"]
    print(
        f"intent macro-F1      {results['intent_macro_f1']:.3f}  (fallback = miss; target >= "
        f"0.92; {results['n_examples']} held-out examples; classifier top-1 "
        f"{results['intent_macro_f1_top1']:.3f})\n"
        f"intent accuracy      {results['intent_accuracy']:.3f}  fallbacks "
        f"{results['fallback_count']}, confident errors {results['confident_errors']}\n"
        f"comune accuracy      {results['comune_accuracy']:.3f}  (target >= 0.97; "
        f"{results['comune_cases']} cases)\n"
        f"target_group acc.    {results['target_group_accuracy']}\n"
        f"parse latency        p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms "
        "(target p95 <= 30 ms)"
    )
    for pair in results["confusion_pairs"][:5]:
        print(f"  confusion {pair['gold']} -> {pair['pred']}: {pair['count']}")
    if not args.no_report:
        print("report: docs/nlu_report.md, docs/nlu_confusion.png")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register ``wecare eval``."""
    parser = subparsers.add_parser(
        "eval", help="evaluate the NLU on the held-out split (trains first if needed)"
    )
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="model archive")
    parser.add_argument("--no-train", action="store_true", help="do not call scripts/train.sh")
    parser.add_argument("--no-report", action="store_true", help="do not rewrite docs/")
    parser.add_argument(
        "--variants", action="store_true", help="also re-measure every nlu/configs/*.yml"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=run_eval)
