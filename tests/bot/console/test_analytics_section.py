"""The analytics section through HTTP: figures, scoping by ente, CSV = table, 4xx, login."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.analytics import SCENARIO, SECRET, seed
from tests.fixtures.handoff import PASSWORD, Console, add_operators, handoff_app, repos

PAGE = "/console/admin/analytics"
API = "/console/api/admin/analytics"


class _Tables(HTMLParser):
    """The cells of every ``<table data-table=...>`` of a page, as text rows."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "table" and "data-table" in found:
            self._table = found["data-table"]
            self.tables[self._table] = []
        elif self._table and tag == "tr":
            self.tables[self._table].append([])
        elif self._table and tag in ("th", "td"):
            self._cell = []
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("th", "td") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data):
        if self._cell is not None and not self._in_caption:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


@pytest.fixture
def app(settings, clock, catalog_db_url):
    app = handoff_app(replace(settings, database_url=catalog_db_url), clock)
    add_operators(app)
    accounts = repos(app).accounts
    accounts.add("ada", "Ada Admin", PASSWORD, role="admin")
    accounts.add("elia", "Elia Editor", PASSWORD, role="editor", enti=["ciss38"])
    seed(app.state.gateway.repos.conversations.engine, SCENARIO)
    return app


def _session(app, client: TestClient, username: str) -> Console:
    console = Console.of(app, client)
    assert console.login(username).status_code == 303
    return console


def _table(body: dict, table_id: str) -> dict:
    return next(t for t in body["tables"] if t["id"] == table_id)


def _row(table: dict, key: str) -> list[str]:
    return next(r["cells"] for r in table["rows"] if r["key"] == key)


def test_admin_sees_the_figures_with_a_chart_beside_each_table(app):
    with TestClient(app) as client:
        ada = _session(app, client, "ada")
        page = ada.client.get(PAGE, params={"from": "2026-11-16", "to": "2026-11-29"})
        assert page.status_code == 200
        tables = page_tables(page.text)
        assert tables["activity"][-1] == ["Totale", "20", "60", "6", "18", "26", "78"]
        cuorgne = next(r for r in tables["needs_comune"] if r[0] == "Cuorgnè")
        assert "12" in cuorgne and "1,26" in cuorgne
        assert "<svg" in page.text and 'role="img"' in page.text
        assert '<title id="chart-activity-title">' in page.text
        assert 'href="/console/admin/analytics" aria-current="page"' in page.text
        assert SECRET not in page.text  # no message text


def test_csv_export_equals_the_table(app):
    with TestClient(app) as client:
        ada = _session(app, client, "ada")
        params = {"from": "2026-11-16", "to": "2026-11-29", "granularity": "week"}
        tables = page_tables(ada.client.get(PAGE, params=params).text)
        for table_id in ("activity", "needs_comune", "quality", "risk"):
            answer = ada.client.get(f"{API}/csv", params={**params, "table": table_id})
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/csv")
            assert "attachment" in answer.headers["content-disposition"]
            assert list(csv.reader(io.StringIO(answer.text))) == tables[table_id], table_id
        everything = ada.client.get(f"{API}/csv", params=params).text
        rows = list(csv.reader(io.StringIO(everything)))
        assert {r[0] for r in rows} >= {"activity", "needs_ente", "never_shown", "risk"}
        assert "<5" in everything and SECRET not in everything


def test_operators_and_editors_see_only_their_enti(app):
    with TestClient(app) as client:
        for username in ("anna", "elia"):  # ciss38 operator, ciss38 editor
            console = _session(app, client, username)
            body = console.client.get(API, params={"from": "2026-11-16"}).json()
            assert body["enti"] == ["ciss38"]
            assert _row(_table(body, "activity"), "total")[-2:] == ["18", "54"]
            assert [r["key"] for r in _table(body, "needs_ente")["rows"]] == ["ciss38", "total"]
            other = console.client.get(API, params={"ente": "inrete"})
            assert other.status_code == 400 and "consorzio" in other.json()["error"]
            page = console.client.get(PAGE, params={"from": "2026-11-16"})
            assert page.status_code == 200
            comuni = [r[0] for r in page_tables(page.text)["needs_comune"]]
            assert "Cuorgnè" in comuni and "Ivrea" not in comuni
        ivo = _session(app, client, "ivo")
        body = ivo.client.get(API, params={"from": "2026-11-16"}).json()
        assert _row(_table(body, "activity"), "total")[-2:] == ["6", "18"]
        sara = _session(app, client, "sara")  # supervisor: every ente, or one of them
        body = sara.client.get(API, params={"from": "2026-11-16"}).json()
        assert body["enti"] is None and _row(_table(body, "activity"), "total")[-2:] == ["26", "78"]
        one = sara.client.get(API, params={"from": "2026-11-16", "ente": "inrete"}).json()
        assert _row(_table(one, "activity"), "total")[-2:] == ["6", "18"]


@pytest.mark.parametrize(
    "query",
    [
        {"from": "16/11/2026"},
        {"to": "domani"},
        {"from": "2026-11-30", "to": "2026-11-01"},
        {"from": "2020-01-01", "to": "2026-11-01"},
        {"granularity": "hour"},
        {"ente": "nessuno"},
        {"colour": "red"},
    ],
)
def test_malformed_parameters_get_a_clear_400(app, query):
    with TestClient(app) as client:
        ada = _session(app, client, "ada")
        answer = ada.client.get(API, params=query)
        assert answer.status_code == 400
        assert answer.json()["error"] and answer.json()["fields"]
        assert ada.client.get(f"{API}/csv", params=query).status_code == 400
        page = ada.client.get(PAGE, params=query)
        assert page.status_code == 400 and 'role="alert"' in page.text
    with TestClient(app) as client:
        ada = _session(app, client, "ada")
        unknown = ada.client.get(f"{API}/csv", params={"table": "passwords"})
        assert unknown.status_code == 400


def test_the_analytics_need_a_login(app):
    with TestClient(app) as client:
        page = client.get(PAGE, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/console/login"
        assert client.get(API).status_code == 401
        assert client.get(f"{API}/csv").status_code == 401


def test_the_desk_links_to_the_analytics(app):
    with TestClient(app) as client:
        anna = _session(app, client, "anna")
        desk = anna.client.get("/console/", follow_redirects=False)
        assert 'href="/console/admin/analytics"' in desk.text
        # The rest of the admin area stays closed to operators.
        assert anna.client.get("/console/admin/", follow_redirects=False).status_code == 403
