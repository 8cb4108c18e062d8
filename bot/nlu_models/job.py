"""The training process: ``python -m bot.nlu_models.job MODEL_ID`` (started by the registry).

Runs ``rasa train`` (``nlu`` for NLU-only models) from ``.venv-rasa`` through
``scripts/rasa.sh``, reads its output as it comes, stores the DIET epochs and the elapsed
seconds in the model's row about once a second, and at the end marks it trained (with the
archive's path) or failed (with the last lines of Rasa's output).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

from bot.nlu_models.registry import Registry
from bot.store.db import create_store_engine
from wecare.settings import ROOT, get_settings

_EPOCHS = re.compile(r"Epochs:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")


def command(kind: str, config: str, data_dir: Path, out: Path, version: str) -> list[str]:
    """The ``rasa train`` command line of one model."""
    cmd = ["bash", str(ROOT / "scripts" / "rasa.sh"), "train"]
    if kind == "nlu":
        cmd += ["nlu", "--config", config, "--nlu", str(data_dir)]
    else:
        cmd += ["--config", config, "--domain", "bot/domain", "--data", str(data_dir), "bot/data"]
    return [*cmd, "--out", str(out), "--fixed-model-name", version]


def run(registry: Registry, model_id: int) -> int:
    """Train model ``model_id``; return 0 when trained."""
    model = registry.job(model_id)
    if model is None:
        return 2
    start = time.monotonic()
    tail: deque[str] = deque(maxlen=25)
    registry.models_dir.mkdir(parents=True, exist_ok=True)
    cmd = command(model.kind, model.config, registry.data_dir, registry.models_dir, model.version)
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
        registry.finish(model_id, str(archive), None)
        return 0
    error = f"rasa train exited with code {code}\n" + "\n".join(tail)
    registry.finish(model_id, None, error)
    return 1


def main(argv: list[str]) -> int:
    """Entry point of the training process."""
    settings = get_settings()
    engine = create_store_engine(settings.app_database_url)
    registry = Registry(
        engine, settings.nlu_data_dir, settings.nlu_models_dir, settings.app_database_url
    )
    try:
        return run(registry, int(argv[0]))
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
