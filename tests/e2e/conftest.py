"""End-to-end fixtures: the REAL Rasa server and action server on free ports.

The session-scoped ``e2e_stack`` fixture trains the model when needed (``scripts/train.sh``:
a one-second no-op when models/wecare.tar.gz is up to date, serialised with flock), loads a
temporary catalog database from ``catalog_data/`` (``catalog.loader.ensure_loaded``), and starts
Rasa + actions with :class:`wecare.run.Stack` (the launcher behind ``make run``) on a
temporary SQLite tracker store. Every child gets the same ``DATABASE_URL``: the action server
reads the catalog that the gateway's admin catalog API edits (test_e2e_catalog_admin.py).
Loading Rasa takes 20-40 s, so the stack is shared by all the e2e tests of the session.

``WECARE_E2E_RASA_URL=http://127.0.0.1:5005`` reuses a stack that is already running (e.g.
``make run``) instead: handy while iterating; that stack uses its own catalog database
(``WECARE_E2E_RASA_TOKEN``: its API token, for the tests that call Rasa's HTTP API).

Without the Rasa environment, ``actions/`` or the catalog the tests are skipped, unless
``WECARE_REQUIRE_ALL_TESTS=1`` (CI), where they fail.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.helpers import Chat  # noqa: E402
from wecare.run import QUIET_ENV, RASA_BIN, Stack, StackError, ensure_catalog, free_port  # noqa: E402


@dataclass
class E2EStack:
    """Where the stack under test answers (the gateway is the real ``bot.gateway`` process)."""

    rasa_url: str
    log_dir: Path | None = None
    #: Rasa's ``--auth-token`` (HTTP API: ``/status``, ``PUT /model``); None when unknown
    token: str | None = None
    gateway_url: str | None = None
    app_database_url: str | None = None
    #: the one catalog database of the action server AND the gateway (its admin catalog API)
    catalog_database_url: str | None = None
    tracker_store_url: str | None = None
    #: the launcher's stack (None when reusing a running one): to stop and restart a component
    stack: Stack | None = None


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("WECARE_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(f"{reason} (WECARE_REQUIRE_ALL_TESTS=1)")
    pytest.skip(reason)


def _run(cmd: list[str], env: dict[str, str], what: str, timeout: float) -> None:
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        pytest.fail(f"{what} failed (exit {proc.returncode}):\n{proc.stdout[-4000:]}")


@pytest.fixture(scope="session")
def e2e_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2EStack]:
    reuse = os.environ.get("WECARE_E2E_RASA_URL", "").strip().rstrip("/")
    if reuse:
        gateway = os.environ.get("WECARE_E2E_GATEWAY_URL", "").strip().rstrip("/") or None
        token = os.environ.get("WECARE_E2E_RASA_TOKEN", "").strip() or None
        yield E2EStack(rasa_url=reuse, gateway_url=gateway, token=token)
        return
    if not RASA_BIN.exists():
        _skip_or_fail("no .venv-rasa: run `make setup`")
    if not (ROOT / "actions" / "__init__.py").exists():
        _skip_or_fail("no actions/ package yet")
    if not (ROOT / "catalog" / "loader.py").exists():
        _skip_or_fail("no catalog loader yet")

    env = {**os.environ, **QUIET_ENV}
    _run(["bash", "scripts/train.sh"], env, "scripts/train.sh", timeout=1800)

    tmp = tmp_path_factory.mktemp("e2e")
    catalog_url = f"sqlite:///{tmp / 'catalog.db'}"
    app_db = f"sqlite:///{tmp / 'app.db'}"
    tracker_db = f"sqlite:///{tmp / 'tracker.db'}"
    app_env = {
        "DATABASE_URL": catalog_url,
        "APP_DATABASE_URL": app_db,
        "WECARE_ENV": "development",
        "TELEGRAM_BOT_TOKEN": "",
        # the operator hours of the e2e gateway: always open (the handoff queue is tested)
        "WECARE_OPERATOR_HOURS": str(ROOT / "tests" / "e2e" / "hours_always_open.yaml"),
        # the durable inbox of test_e2e_soak.py: quick rounds; a message left by the killed
        # gateway is adopted after 40 s (above the gateway's 30 s Rasa timeout)
        "INBOX_RETRY_SECONDS": "1",
        "INBOX_ORPHAN_SECONDS": "40",
    }
    ensure_catalog(lambda _msg: None, database_url=catalog_url)
    stack = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        gateway_port=free_port(),
        token=secrets.token_urlsafe(16),
        env=app_env,
        log_dir=tmp / "logs",
        tracker_store_url=tracker_db,
    )
    try:
        stack.start()
        stack.wait_ready(timeout=900)
    except StackError as exc:
        stack.stop()
        pytest.fail(f"the e2e stack did not start: {exc}")
    try:
        yield E2EStack(
            rasa_url=stack.rasa_url,
            log_dir=stack.log_dir,
            token=stack.token,
            gateway_url=stack.gateway_url,
            app_database_url=app_db,
            catalog_database_url=catalog_url,
            tracker_store_url=tracker_db,
            stack=stack,
        )
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def http(e2e_stack: E2EStack) -> Iterator[httpx.Client]:
    # custom actions on a loaded 2-core machine: generous, but bounded
    with httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as client:
        yield client


@pytest.fixture
def chat(e2e_stack: E2EStack, http: httpx.Client) -> Chat:
    """A new conversation (unique sender id) with the stack under test."""
    return Chat(http, e2e_stack.rasa_url)
