"""One comune truth: the Rasa component and CatalogService.resolve_comune agree.

The ``ComuneExtractor`` is trained and loaded in ``.venv-rasa`` (``comune_parity_probe.py``,
about 15 s); ``CatalogService`` runs here on the session's SQLite catalog loaded from
``catalog_data/``. For every comune name of ``catalog_data/comuni.csv`` (as written, folded,
upper case) both give that comune. For typo variants (a hand list and one generated typo per
name) the catalog offers what the component recognises first — as the comune or as the first
suggestion — and never accepts a comune the component does not see.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from catalog.comuni.data import DATA_DIR, read_comuni
from catalog.service import CatalogService
from wecare.text import fold

REPO_ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO_ROOT / ".venv-rasa" / "bin" / "python"
PROBE = Path(__file__).with_name("comune_parity_probe.py")
NAMES = [r.name for r in read_comuni(DATA_DIR / "comuni.csv")]
TYPOS = [
    "cuorgnee",
    "cuorgen",
    "Ivera",
    "chivaso",
    "setimo torinese",
    "settimo torinse",
    "castelamonte",
    "rivarolo canavse",
    "rivarolo canaves",
    "san mauro torinesse",
    "caluzo",
    "strambio",
    "favria canavesee",
    "volpiano",
    "volpaino",
    "leinii",
    "gassino torinesse",
    "borgaro torinnese",
    "caselle torinse",
    "bollengo",
    "pont canavesse",
    "banchette",
    "banchete",
    "mazzé",
    "albiano d'ivera",
    "san giorgio canavse",
    "locana",
    "lanzo torinesse",
    "cirié",
    "sanmauro",
]

pytestmark = pytest.mark.rasa


def generated_typo(name: str) -> str | None:
    """Swap two inner letters of the longest word of ``name`` (6+ letters), else None."""
    words = fold(name).split()
    longest = max(words, key=len)
    if len(longest) < 6 or not longest.isalpha():
        return None
    i = len(longest) // 2
    typo = longest[:i] + longest[i + 1] + longest[i] + longest[i + 2 :]
    return " ".join(typo if w is longest else w for w in words) if typo != longest else None


def name_variants() -> list[tuple[str, str]]:
    """``(text, expected official name)`` for every comune name as written, folded, upper."""
    return [(v, n) for n in NAMES for v in dict.fromkeys((n, fold(n), n.upper()))]


def typo_variants() -> list[str]:
    generated = [t for n in NAMES if (t := generated_typo(n))]
    return list(dict.fromkeys(TYPOS + generated))


@pytest.fixture(scope="module")
def component() -> dict[str, str | None]:
    """Text -> value of the first ``comune`` entity of the trained-then-loaded component."""
    if not RASA_PYTHON.exists():
        if os.environ.get("WECARE_REQUIRE_ALL_TESTS") == "1":
            pytest.fail("no .venv-rasa (WECARE_REQUIRE_ALL_TESTS=1)")
        pytest.skip("no .venv-rasa: run `make setup`")
    texts = [t for t, _ in name_variants()] + typo_variants()
    proc = subprocess.run(
        [str(RASA_PYTHON), str(PROBE)],
        input=json.dumps(texts, ensure_ascii=False),
        cwd=REPO_ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    values = json.loads(proc.stdout.strip().splitlines()[-1])
    return dict(zip(texts, values, strict=True))


def catalog_answer(svc: CatalogService, text: str) -> str | None:
    """The comune the catalog accepts, else its first suggestion."""
    match = svc.resolve_comune(text)
    if match.comune is not None:
        return match.comune.name
    return match.suggestions[0] if match.suggestions else None


def test_every_comune_name_gives_the_same_comune(
    component: dict[str, str | None], catalog_service: CatalogService
) -> None:
    wrong = []
    for text, name in name_variants():
        match = catalog_service.resolve_comune(text)
        got = match.comune.name if match.comune else None
        if component[text] != name or got != name:
            wrong.append((text, component[text], got))
    assert not wrong, wrong
    assert len(NAMES) == 171


def test_typo_variants_get_the_same_answer(
    component: dict[str, str | None], catalog_service: CatalogService
) -> None:
    wrong = []
    recognised = 0
    for text in typo_variants():
        seen = component[text]
        match = catalog_service.resolve_comune(text)
        if seen is None:
            if match.comune is not None:
                wrong.append((text, None, match.comune.name))
            continue
        recognised += 1
        if catalog_answer(catalog_service, text) != seen:
            wrong.append((text, seen, catalog_answer(catalog_service, text)))
    assert not wrong, wrong
    assert recognised >= len(TYPOS)  # the hand list is all recognised
