"""A short soak on the real stack: Rasa, the action server and the gateway each killed mid-load.

Six widget citizens talk to the real gateway (-> real Rasa -> actions -> catalog) for a minute
while ``scripts/soak.py``'s driver kills each component with SIGKILL and starts it again.
Afterwards the gateway's message log and Rasa's tracker store must agree, conversation by
conversation: every message the gateway accepted was processed by Rasa exactly once (none
lost, none duplicated), late answers included. The 10-minute run with 20 citizens is ``make
soak`` (figures in docs/benchmarks.md); this bounded one keeps the guarantee in CI.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.e2e.conftest import ROOT, E2EStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def _soak_module():
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    spec = importlib.util.spec_from_file_location("soak", ROOT / "scripts" / "soak.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nothing_lost_or_duplicated_when_each_component_restarts(e2e_stack: E2EStack):
    if e2e_stack.stack is None or not e2e_stack.gateway_url:
        pytest.skip("a reused stack cannot be stopped by the test")
    assert e2e_stack.app_database_url and e2e_stack.tracker_store_url
    soak = _soak_module()
    result = soak.run_soak(
        e2e_stack.stack,
        [e2e_stack.gateway_url],
        e2e_stack.app_database_url,
        e2e_stack.tracker_store_url,
        duration=60,
        concurrency=6,
        think=0.5,
        restart=["rasa", "actions", "gateway"],
        drain_timeout=240,
        say=lambda _line: None,
    )
    summary = result.block("test_e2e_soak", "embedded", "6 concurrent conversations")
    assert len(result.events) == 3, summary
    assert result.logged > 50 and result.answered > 20, summary
    assert result.lost == 0, (result.examples, summary)
    assert result.duplicated == 0, (result.examples, summary)
