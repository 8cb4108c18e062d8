"""The Rasa component around the gazetteer: trained, persisted, loaded and run inside Rasa.

Runs ``comune_extractor_probe.py`` with ``.venv-rasa/bin/python`` (about 15 s, no trained model
needed). Skipped without the Rasa environment unless ``WECARE_REQUIRE_ALL_TESTS=1``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO_ROOT / ".venv-rasa" / "bin" / "python"
PROBE = Path(__file__).with_name("comune_extractor_probe.py")
TEXTS = ["vivo a setimo torinese, ho 67 anni", "il cap è 10081", "ciao, grazie"]

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def probe() -> dict[str, Any]:
    """Entities produced by the trained-then-loaded component for ``TEXTS``."""
    if not RASA_PYTHON.exists():
        if os.environ.get("WECARE_REQUIRE_ALL_TESTS") == "1":
            pytest.fail("no .venv-rasa (WECARE_REQUIRE_ALL_TESTS=1)")
        pytest.skip("no .venv-rasa: run `make setup`")
    proc = subprocess.run(
        [str(RASA_PYTHON), str(PROBE), *TEXTS],
        cwd=REPO_ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_official_name_with_span_and_extractor(probe: dict[str, Any]) -> None:
    """A typo'd comune comes back as the official name, with its span in the original text."""
    comuni = [e for e in probe["entities"][0] if e["entity"] == "comune"]
    assert len(comuni) == 1
    entity = comuni[0]
    assert entity["value"] == "Settimo Torinese"
    assert TEXTS[0][entity["start"] : entity["end"]] == "setimo torinese"
    assert entity["extractor"] == "ComuneExtractor"
    assert 0 < entity["confidence"] <= 1


def test_drops_other_comune_entities_keeps_the_rest(probe: dict[str, Any]) -> None:
    """A partial ``comune`` span from an earlier extractor is dropped; ``age`` survives."""
    values = [(e["entity"], e["value"]) for e in probe["entities"][0]]
    assert ("comune", "Torinese") not in values
    assert ("age", "67") in values


def test_cap_and_no_comune(probe: dict[str, Any]) -> None:
    """A unique CAP maps to its comune; ordinary text yields no entity."""
    assert [e["value"] for e in probe["entities"][1]] == ["Castellamonte"]
    assert probe["entities"][2] == []


def test_fingerprint_is_stable_hex(probe: dict[str, Any]) -> None:
    """The cache fingerprint covers the comuni data and code (a SHA-256 hex digest)."""
    assert len(probe["fingerprint"]) == 64
    int(probe["fingerprint"], 16)
