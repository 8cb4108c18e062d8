"""The needs dashboard in real Chromium: log in, open it from the desk, read chart and table.

``WECARE_UPDATE_SCREENSHOT=1`` also writes the dashboard screenshot of the README
(``docs/img/analytics.png``).
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from tests.fixtures.analytics import SCENARIO, SECRET, seed
from tests.fixtures.handoff import PASSWORD, add_operators, handoff_app
from tests.fixtures.servers import ServerThread
from wecare.settings import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TIMEOUT = 20_000  # ms, generous: 2 shared cores


def expect() -> Any:
    from playwright.sync_api import expect as pw_expect

    pw_expect.set_options(timeout=TIMEOUT)
    return pw_expect


@pytest.fixture
def gateway(settings, clock, catalog_db_url) -> Iterator[str]:
    app = handoff_app(replace(settings, database_url=catalog_db_url), clock)
    add_operators(app)
    seed(app.state.gateway.repos.conversations.engine, SCENARIO)
    server = ServerThread(app).start()
    yield server.url
    server.stop()


def test_a_supervisor_reads_the_dashboard(browser, gateway, tmp_path):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="it-IT", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{gateway}/console/")
    page.get_by_label("Nome utente").fill("sara")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.get_by_role("link", name="Analisi dei bisogni").first.click()
    expect()(page.get_by_role("heading", name="Analisi dei bisogni", level=2)).to_be_visible()

    activity = page.locator("section#activity")
    chart = activity.locator("svg[role=img]")
    expect()(chart).to_be_visible()
    expect()(chart.locator("title")).to_contain_text("Conversazioni e messaggi per canale")
    total = activity.locator("table tfoot tr")
    expect()(total).to_have_text(["Totale" + "".join(["20", "60", "6", "18", "26", "78"])])
    cuorgne = page.locator("section#needs_comune table tr", has_text="Cuorgnè")
    expect()(cuorgne.locator("td").last).to_have_text("1,26")
    suppressed = page.locator("section#needs_comune table tr", has_text="Castellamonte")
    expect()(suppressed.locator("td.suppressed").first).to_have_text("<5")

    page.get_by_label("Raggruppa per").select_option("day")
    page.get_by_role("button", name="Aggiorna").click()
    first_day = activity.locator("table tbody tr").first.locator("th")
    expect()(first_day).to_have_text("2026-11-16")

    with page.expect_download() as info:
        activity.get_by_role("link", name="Scarica questa tabella (CSV)").click()
    path = tmp_path / "activity.csv"
    info.value.save_as(path)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    cells = activity.locator("table tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))"
    )
    assert rows == cells
    assert SECRET not in page.content()

    if os.environ.get("WECARE_UPDATE_SCREENSHOT") == "1":
        page.get_by_label("Raggruppa per").select_option("week")
        page.get_by_role("button", name="Aggiorna").click()
        page.locator("section#needs_comune").scroll_into_view_if_needed()
        shot = tmp_path / "analytics.png"
        page.screenshot(path=str(shot), full_page=False)
        shutil.copy(shot, ROOT / "docs" / "img" / "analytics.png")
    context.close()
