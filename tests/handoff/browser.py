"""Real Chromium for the handoff browser tests (Playwright's Python API, Debian's chromium).

Playwright does not download a browser here: ``apt-get install -y chromium`` provides
``/usr/bin/chromium`` (``CHROMIUM_PATH`` overrides it). When it is missing the tests are
skipped — or fail, with ``WECARE_REQUIRE_ALL_TESTS=1`` (CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> Path:
    return Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def missing_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    if not chromium_path().is_file():
        return f"Chromium not found at {chromium_path()} (apt-get install -y chromium)"
    return None


def require_browser() -> None:
    """Skip (or fail under WECARE_REQUIRE_ALL_TESTS=1) when Chromium cannot run."""
    reason = missing_reason()
    if reason is None:
        return
    if os.environ.get("WECARE_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(f"browser test required but {reason}")
    pytest.skip(reason)


@pytest.fixture
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(chromium_path()), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
