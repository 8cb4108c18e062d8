"""The training process: ``python -m bot.nlu_models.job MODEL_ID`` (started by the registry).

Runs ``rasa train`` (``nlu`` for NLU-only models) from ``.venv-rasa`` through
``scripts/rasa.sh``, reads its output as it comes, stores the DIET epochs and the elapsed
seconds in the model's row about once a second, and at the end marks it trained (with the
archive's path) or failed (with the last lines of Rasa's output).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

from bot.nlu_models.inputs import Dialogue
from bot.nlu_models.registry import Registry
from bot.store.db import create_store_engine
from wecare.settings import ROOT, get_settings

_EPOCHS = re.compile(r"Epochs:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")


def command(
    kind: str, config: str, data_dir: Path, out: Path, version: str, dialogue: Dialogue
) -> list[str]:
    """The ``rasa train`` command line of one model."""
    cmd = ["bash", str(ROOT / "scripts" / "rasa.sh"), "train"]
    if kind == "nlu":
        cmd += ["nlu", "--config", config, "--nlu", str(data_dir)]
    else:
        cmd += ["--config", config, "--domain", str(dialogue.domain)]
        cmd += ["--data", str(data_dir), str(dialogue.data)]
    return [*cmd, "--out", str(out), "--fixed-model-name", version]


def confusion_png(archive: Path) -> Path:
    """Where the confusion-matrix image of an archive's evaluation goes (next to it)."""
    return archive.with_name(archive.name.removesuffix(".tar.gz") + "-confusion.png")


def evaluate(archive: Path, test_file: Path) -> dict[str, object]:
    """Evaluate an archive on the held-out split (``nlu.evaluate --json``, in ``.venv-rasa``).

    Also draws its confusion matrix (:func:`confusion_png`, shown on the models page).

    Returns:
        macro-F1, per-intent precision/recall/F1, comune accuracy, fallbacks, confident
        errors, the most-confused pairs and the image's file name (``confusion_png``);
        ``{"error": ...}`` when the evaluation failed.
    """
    png = confusion_png(archive)
    cmd = [str(ROOT / ".venv-rasa" / "bin" / "python"), "-m", "nlu.evaluate", "--model"]
    cmd += [str(archive), "--test", str(test_file), "--no-report", "--json", "--png", str(png)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": f"evaluation failed ({proc.returncode}): {proc.stderr[-800:]}"}
    data = json.loads(lines[-1])
    return {
        "macro_f1": data["intent_macro_f1"],
        "per_intent": {
            k: {m: round(float(v[m]), 4) for m in ("precision", "recall", "f1", "support")}
            for k, v in data["per_intent"].items()
        },
        "comune_accuracy": data["comune_accuracy"],
        "fallbacks": data["fallback_count"],
        "confident_errors": data["confident_errors"],
        "n_examples": data["n_examples"],
        "confusion_pairs": data["confusion_pairs"],
        **({"confusion_png": png.name} if png.is_file() else {}),
    }


def story_tests(archive: Path, out: Path, stories: Path) -> dict[str, str]:
    """Run the test ``stories`` (``scripts/test_stories.sh``, ``rasa test core``) on a full model.

    Returns:
        ``{"stories": "passed" | "failed", "stories_detail": last line of its output}``.
    """
    env = {**os.environ, "MODEL": str(archive), "OUT": str(out), "STORIES": str(stories)}
    cmd = ["bash", str(ROOT / "scripts" / "test_stories.sh")]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    lines = [x for x in (proc.stdout + proc.stderr).splitlines() if x.strip()]
    result = "passed" if proc.returncode == 0 else "failed"
    return {"stories": result, "stories_detail": lines[-1][:300] if lines else ""}


def run(registry: Registry, model_id: int, test_file: Path | None = None) -> int:
    """Train model ``model_id``; return 0 when trained."""
    model = registry.job(model_id)
    if model is None:
        return 2
    start = time.monotonic()
    tail: deque[str] = deque(maxlen=25)
    registry.models_dir.mkdir(parents=True, exist_ok=True)
    dialogue = registry.dialogue
    cmd = command(
        model.kind, model.config, registry.data_dir, registry.models_dir, model.version, dialogue
    )
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as exc:
        registry.finish(model_id, None, f"rasa could not start: {exc}")
        return 1
    assert proc.stdout is not None
    buffer, last = "", 0.0
    registry.progress(model_id, {"elapsed": 0, "phase": "training"})
    while True:
        chunk = proc.stdout.read1(4096) if hasattr(proc.stdout, "read1") else proc.stdout.read(4096)
        if not chunk:
            break
        buffer += chunk.decode("utf-8", "replace")
        *lines, buffer = re.split(r"[\r\n]", buffer)
        values: dict[str, float | int] = {}
        for line in lines:
            if line.strip():
                tail.append(line.strip()[:300])
            found = _EPOCHS.search(line)
            if found:
                values = {"epoch": int(found.group(1)), "epochs": int(found.group(2))}
            elif "Restored component 'DIETClassifier' from cache" in line:
                values = {"cached": 1}  # unchanged inputs: no epochs to run
        now = time.monotonic()
        if values or now - last >= 1.0:
            registry.progress(model_id, {**values, "elapsed": round(now - start, 1)})
            last = now
    code = proc.wait()
    registry.progress(model_id, {"elapsed": round(time.monotonic() - start, 1)})
    archive = registry.models_dir / f"{model.version}.tar.gz"
    if code == 0 and archive.is_file():
        if test_file is not None:
            registry.progress(model_id, {"phase": "evaluating"})
            evaluation = evaluate(archive, test_file)
            if model.kind == "full":  # NLU-only models have no dialogue to test
                registry.progress(model_id, {"phase": "stories"})
                out = registry.models_dir / f"{model.version}-stories"
                evaluation.update(story_tests(archive, out, dialogue.stories))
            registry.evaluation(model_id, evaluation)
        registry.progress(model_id, {"phase": "done"})
        registry.finish(model_id, str(archive), None)
        return 0
    error = f"rasa train exited with code {code}\n" + "\n".join(tail)
    registry.finish(model_id, None, error)
    return 1


def main(argv: list[str]) -> int:
    """Entry point of the training process."""
    settings = get_settings()
    engine = create_store_engine(settings.app_database_url)
    registry = Registry.of(settings, engine)
    try:
        return run(registry, int(argv[0]), settings.nlu_test_file)
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
