"""Rasa's RedisLockStore and PostgreSQL tracker store from the endpoints the stack uses.

Both files: the one ``wecare run --rasa-instances N`` writes (``wecare.endpoints``) and
``deploy/rasa/endpoints.yml`` (compose, systemd), read by Rasa's own code in .venv-rasa against
real Redis and PostgreSQL (.ci/run starts both). No model is needed.
"""

from __future__ import annotations

import json
import os
import subprocess
from urllib.parse import urlsplit

import pytest

from wecare.endpoints import write_endpoints
from wecare.run import QUIET_ENV
from wecare.settings import ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.rasa]
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = ROOT / "tests" / "fixtures" / "rasa_stores.py"


def _stores(endpoints, env: dict[str, str], sender: str) -> dict:
    if not RASA_PY.exists():
        pytest.fail("no .venv-rasa: run `make setup`")
    proc = subprocess.run(  # noqa: S603 - fixed command
        [str(RASA_PY), str(SCRIPT), str(endpoints), sender],
        env={**os.environ, **QUIET_ENV, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


EXPECTED = {
    "lock_store": "RedisLockStore",
    "held": True,
    "tracker_store": "CachedSQLTrackerStore",
    "turns": ["ciao"],
}


def test_generated_endpoints_work_with_rasa(pg, redis_url, tmp_path):
    tracker = pg.new("tracker").replace("+psycopg", "")
    path = write_endpoints(tmp_path / "endpoints.yml", redis_url)
    env = {"ACTION_SERVER_PORT": "5055", "RASA_TRACKER_STORE_URL": tracker}
    assert _stores(path, env, "web-generated") == EXPECTED


def test_deploy_endpoints_work_with_rasa(pg, redis_url):
    tracker = pg.new("tracker").replace("+psycopg", "")
    redis = urlsplit(redis_url)
    env = {
        "ACTION_SERVER_URL": "http://127.0.0.1:5055/webhook",
        "RASA_TRACKER_STORE_URL": tracker,
        "REDIS_HOST": redis.hostname or "127.0.0.1",
        "REDIS_PORT": str(redis.port or 6379),
        "REDIS_PASSWORD": "",
    }
    endpoints = ROOT / "deploy" / "rasa" / "endpoints.yml"
    assert _stores(endpoints, env, "web-deploy") == EXPECTED
