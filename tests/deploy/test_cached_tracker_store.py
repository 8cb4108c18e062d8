"""The Rasa tracker store with a cache (bot/rasa_server/tracker_store.py), by Rasa's own code.

tests/fixtures/cached_tracker_probe.py runs in .venv-rasa and compares every tracker the cached
store hands out with what Rasa's ``SQLTrackerStore`` reads back from the same rows: a new
conversation, appended events, another instance writing, a failed message, a new session, the
conversation erased, the LRU bound. On SQLite and on the real PostgreSQL of .ci/run.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from wecare.run import QUIET_ENV
from wecare.settings import ROOT

pytestmark = pytest.mark.rasa
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
PROBE = ROOT / "tests" / "fixtures" / "cached_tracker_probe.py"


def _probe(url: str) -> None:
    if not RASA_PY.exists():
        pytest.fail("no .venv-rasa: run `make setup`")
    proc = subprocess.run(  # noqa: S603 - fixed command
        [str(RASA_PY), str(PROBE), url],
        env={**os.environ, **QUIET_ENV},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "ok"


def test_cached_store_reads_what_rasa_reads_on_sqlite(tmp_path):
    _probe(f"sqlite:///{tmp_path / 'tracker.db'}")


@pytest.mark.postgres
def test_cached_store_reads_what_rasa_reads_on_postgresql(pg):
    _probe(pg.new("tracker").replace("+psycopg", ""))
