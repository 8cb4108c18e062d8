"""The bare-Rasa reference of the benchmarks: Rasa 3.6's own starter project (``rasa init``).

The issue's targets are ratios "against a bare Rasa on the same machine, in the same run": the
shared 2-core machine's speed changes from hour to hour, a ratio does not. The reference is the
project ``rasa init --no-prompt`` creates (the moodbot: Rasa's default pipeline and policies, no
custom actions, the in-memory tracker store), trained once into ``models/bare-rasa.tar.gz``
(about a minute) and reused while Rasa's version is the same.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
BARE_MODEL = ROOT / "models" / "bare-rasa.tar.gz"
BARE_STAMP = ROOT / "models" / "bare-rasa.version"
CREDENTIALS = ROOT / "bot" / "credentials.yml"


def rasa_version() -> str:
    """The installed Rasa's version (``rasa --version`` first line)."""
    out = subprocess.run(  # noqa: S603 - fixed command
        [str(RASA_BIN), "--version"], capture_output=True, text=True, check=True
    ).stdout
    return next((line for line in out.splitlines() if line.startswith("Rasa Version")), out)


def ensure_bare_model(say: Callable[[str], None]) -> Path:
    """Return the reference model, creating and training ``rasa init``'s project if needed."""
    version = rasa_version()
    if BARE_MODEL.exists() and BARE_STAMP.exists() and BARE_STAMP.read_text() == version:
        return BARE_MODEL
    say("bare Rasa reference: `rasa init --no-prompt` (trains the moodbot, about a minute)")
    with tempfile.TemporaryDirectory(prefix="bare-rasa-") as tmp:
        subprocess.run(  # noqa: S603 - fixed command
            [str(RASA_BIN), "init", "--no-prompt", "--init-dir", tmp],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        trained = sorted(Path(tmp, "models").glob("*.tar.gz"))
        if not trained:
            raise RuntimeError("rasa init trained no model")
        BARE_MODEL.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(trained[-1], BARE_MODEL)
    BARE_STAMP.write_text(version)
    return BARE_MODEL


@contextlib.contextmanager
def bare_rasa_server(model: Path, log_dir: Path, port: int) -> Iterator[str]:
    """Serve the reference model with ``rasa run`` (REST channel, in-memory stores); yield its URL.

    Rasa's defaults, as a fresh ``rasa init`` project runs: no action server, no tracker store
    (in memory), no lock store; only the REST channel of our credentials file.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    endpoints = log_dir / "endpoints-bare.yml"
    endpoints.write_text("{}\n", encoding="utf-8")
    url = f"http://127.0.0.1:{port}"
    cmd = [
        str(RASA_BIN),
        "run",
        "-m",
        str(model),
        "--enable-api",
        "-p",
        str(port),
        "-i",
        "127.0.0.1",
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(CREDENTIALS),
    ]
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore",
        "SANIC_GRACEFUL_SHUTDOWN_TIMEOUT": "3",
    }
    with (log_dir / "rasa-bare.log").open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603 - fixed command
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 300
            while not _serving(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the bare Rasa did not start (see {log.name})")
                time.sleep(0.5)
            yield url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


def _serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/status", timeout=2) as response:  # noqa: S310
            return bool(json.loads(response.read()).get("model_file"))
    except (OSError, ValueError):
        return False
