"""The analytics report on the synthetic scenario: counts, rates, suppression, scoping.

Runs on SQLite and PostgreSQL app databases, with the catalog loaded from ``catalog_data/``
(populations, services).
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.analytics.service import AnalyticsService
from bot.analytics.source import Scope
from bot.console.admin.analytics_params import labels_from_texts
from bot.texts import console_texts
from catalog.db import make_engine
from catalog.figures import comuni_figures
from catalog.reference import ente_short_names
from tests.fixtures.analytics import SCENARIO, SECRET, seed
from wecare.settings import ROOT

LABELS = labels_from_texts(console_texts(), ente_short_names(ROOT / "catalog_data"))
PERIOD = (date(2026, 11, 16), date(2026, 11, 29))


@pytest.fixture
def service(app_engine, catalog_db_url):
    seed(app_engine, SCENARIO)
    catalog = make_engine(catalog_db_url)
    yield AnalyticsService(app_engine, catalog)
    catalog.dispose()


def _report(service, enti=None, granularity="week"):
    return service.report(Scope(*PERIOD, granularity, enti), LABELS)


def _cells(table, key):
    row = next(r for r in table.all_rows() if r.key == key)
    return [c.text() for c in row.cells]


def test_activity_by_week_and_channel(service):
    activity = _report(service).table("activity")
    # columns: conv web, msg web, conv telegram, msg telegram, conv all, msg all
    assert _cells(activity, "2026-W47") == ["6", "18", "0", "0", "6", "18"]
    assert _cells(activity, "2026-W48") == ["14", "42", "6", "18", "20", "60"]
    assert _cells(activity, "total") == ["20", "60", "6", "18", "26", "78"]
    by_day = _report(service, granularity="day").table("activity")
    assert [r.key for r in by_day.rows] == ["2026-11-16", "2026-11-23"]
    by_month = _report(service, granularity="month").table("activity")
    assert _cells(by_month, "2026-11") == ["20", "60", "6", "18", "26", "78"]


def test_needs_by_comune_with_rates_and_suppression(service, catalog_db_url):
    table = _report(service).table("needs_comune")
    cols = table.columns
    housing, economic = cols.index("casa"), cols.index("sostegno economico")
    cuorgne = next(r for r in table.rows if r.key == "Cuorgnè")
    assert cuorgne.cells[housing].text() == "12" and cuorgne.cells[-3].text() == "12"
    assert cuorgne.cells[-2].text() == "9495"  # inhabitants, from the catalog
    assert cuorgne.cells[-1].text() == "1,26"  # 12 per 9,495 inhabitants × 1,000
    for comune in ("Castellamonte", "Rivarolo Canavese"):  # 3 conversations each
        row = next(r for r in table.rows if r.key == comune)
        assert row.cells[economic].text() == "<5" and row.cells[economic].value is None
        assert row.cells[-3].text() == "<5" and row.cells[-1].text() == "<5"
    # Two suppressed cells add up to the shown column total: neither can be deduced.
    assert table.total.cells[economic].text() == "6"
    assert _cells(table, "Ivrea")[cols.index("lavoro")] == "6"


def test_needs_by_ente_and_distretto(service, catalog_db_url):
    report = _report(service)
    ente = report.table("needs_ente")
    ciss38 = next(r for r in ente.rows if r.key == "ciss38")
    assert ciss38.label == "CISS 38" or "38" in ciss38.label
    assert ciss38.cells[ente.columns.index("Totale")].text() == "18"
    population = sum(
        c.population or 0
        for c in comuni_figures(make_engine(catalog_db_url))
        if c.ente_gestore_id == "ciss38"
    )
    assert ciss38.cells[-2].value == population
    assert ciss38.cells[-1].value == pytest.approx(18 * 1000 / population)
    distretto = report.table("needs_distretto")
    assert _cells(distretto, "24")[distretto.columns.index("Totale")] == "24"
    over_time = report.table("needs_time")
    assert _cells(over_time, "2026-W47")[over_time.columns.index("casa")] == "6"
    assert _cells(over_time, "2026-W48")[over_time.columns.index("Totale")] == "18"


def test_quality_handoffs_and_misunderstood(service):
    report = _report(service)
    quality = {r.key: r.cells[0].text() for r in report.table("quality").rows}
    assert quality["conversations"] == "26"
    assert quality["handoffs"] == "5"
    assert quality["contained"] == "80,8" and quality["handoff_rate"] == "19,2"
    assert quality["wait_median"] == "8,0" and quality["wait_p90"] == "12,0"
    assert quality["contacts_left"] == "<5"  # one contact left out of hours
    # 57 turns, 5 not understood (in 5 conversations)
    assert quality["understood"] == "91,2" and quality["fallback_rate"] == "8,8"
    reasons = report.table("handoff_reasons")
    assert [(r.label, r.cells[0].text()) for r in reasons.rows] == [
        ("richiesta del cittadino", "5")
    ]
    missed = report.table("misunderstood")
    assert [(r.key, r.cells[0].text()) for r in missed.rows] == [("need_housing", "5")]


def test_services_gaps_empty_searches_and_risk(service):
    report = _report(service)
    shown = report.table("services_shown")
    assert [(r.key, r.cells[0].text()) for r in shown.rows] == [
        ("ciss38-emergenza-abitativa", "12")
    ]
    assert shown.rows[0].label != "ciss38-emergenza-abitativa"  # the catalog's name
    gaps = report.table("catalog_gaps")
    housing = next(r for r in gaps.rows if r.key == "housing")
    active, once, never = (c.value for c in housing.cells)
    assert once == 1 and never == active - 1 and active > 1
    never_shown = {r.key for r in report.table("never_shown").rows}
    assert "ciss38-emergenza-abitativa" not in never_shown
    assert "inrete-emergenza-abitativa" in never_shown
    empty = report.table("empty_searches")
    assert _cells(empty, "Ivrea")[empty.columns.index("lavoro")] == "5"
    risk = report.table("risk")
    assert _cells(risk, "violence") == ["<5"] and _cells(risk, "total") == ["<5"]
    assert _cells(risk, "self_harm") == ["0"]


def test_an_ente_sees_only_its_own_conversations(service):
    ciss38 = _report(service, enti=("ciss38",))
    assert _cells(ciss38.table("activity"), "total") == ["18", "54", "0", "0", "18", "54"]
    assert {r.key for r in ciss38.table("needs_ente").rows} == {"ciss38"}
    assert "Ivrea" not in {r.key for r in ciss38.table("needs_comune").rows}
    assert ciss38.table("empty_searches").rows == []
    never = {r.key for r in ciss38.table("never_shown").rows}
    assert not any(k.startswith("inrete-") for k in never)  # other enti's services
    inrete = _report(service, enti=("inrete",))
    quality = {r.key: r.cells[0].text() for r in inrete.table("quality").rows}
    assert quality["conversations"] == "6" and quality["handoffs"] == "0"
    assert quality["contained"] == "100,0"
    nobody = _report(service, enti=())
    assert _cells(nobody.table("activity"), "total") == ["0", "0", "0", "0", "0", "0"]


def test_no_message_text_reaches_the_report(service):
    report = _report(service)
    shown = "".join(
        c.text() + r.label for t in report.tables for r in t.all_rows() for c in r.cells
    )
    assert SECRET not in shown
