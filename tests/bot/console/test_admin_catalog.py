"""The catalog section of the admin area: API, roles, validation, history, live effect."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rasa_sdk.executor import CollectingDispatcher

from actions.common import set_catalog
from actions.search import ActionSearchServices
from catalog.service import CatalogService
from tests.actions.conftest import customs, load_domain, make_tracker
from tests.fixtures.catalog_admin import with_catalog
from tests.fixtures.handoff import PASSWORD, Console, add_operators, handoff_app, repos

SERVICE = "ciss38-emergenza-abitativa"
OTHER = "inrete-emergenza-abitativa"
API = "/admin/catalog"


@pytest.fixture
def app(settings, clock, catalog_url):
    app = handoff_app(with_catalog(settings, catalog_url), clock)
    add_operators(app)
    accounts = repos(app).accounts
    accounts.add("ada", "Ada Admin", PASSWORD, role="admin")
    accounts.add("elia", "Elia Editor", PASSWORD, role="editor", enti=["ciss38"])
    return app


def _login(app, client: TestClient, username: str) -> Console:
    console = Console.of(app, client)
    assert console.login(username).status_code == 303
    if not console.csrf:  # editors land on the admin area, whose main carries the token
        import re

        page = console.client.get("/console/admin/catalog")
        console.csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)
    return console


def _patch(console: Console, path: str, body, csrf: str | None = None):
    headers = {"X-CSRF-Token": console.csrf if csrf is None else csrf}
    return console.client.patch(f"/console/api{path}", json=body, headers=headers)


def test_editor_lists_only_the_records_of_its_enti(app):
    with TestClient(app) as client:
        elia = _login(app, client, "elia")
        items = elia.get(f"{API}/service").json()["items"]
        assert items and {i["organization"] for i in items} == {"ciss38"}
        found = elia.get(f"{API}/service?q=abitativa").json()["items"]
        assert [i["id"] for i in found] == [SERVICE]
        ada = _login(app, client, "ada")
        everything = ada.get(f"{API}/service").json()["items"]
        assert len({i["organization"] for i in everything}) > 5


def test_editor_edits_its_service_and_the_history_has_the_diff(app):
    with TestClient(app) as client:
        elia = _login(app, client, "elia")
        before = elia.get(f"{API}/service/{SERVICE}").json()["record"]
        answer = _patch(
            elia,
            f"{API}/service/{SERVICE}",
            {
                "summary": "Alloggi di emergenza del CISS 38: chiamare il lunedì mattina.",
                "url": "https://www.ciss38.it/emergenza-abitativa",
                "last_verified": "2026-11-30",
                "source": "Telefonata al CISS 38 del 30/11/2026",
            },
        )
        assert answer.status_code == 200, answer.text
        shown = elia.get(f"{API}/service/{SERVICE}").json()
        assert shown["record"]["url"] == "https://www.ciss38.it/emergenza-abitativa"
        (change,) = shown["history"]
        assert change["actor"] == "Elia Editor (elia)" and change["action"] == "update"
        assert set(change["fields"]) == {"summary", "url", "last_verified", "source"}
        diff = {d["field"]: d for d in change["diff"]}
        assert diff["summary"]["before"] == before["summary"]
        assert diff["url"]["before"] == before.get("url")
        assert diff["last_verified"]["after"] == "2026-11-30"
        page = elia.client.get(f"/console/admin/catalog/service/{SERVICE}")
        assert page.status_code == 200
        assert "Elia Editor (elia)" in page.text and "chiamare il lunedì mattina" in page.text


def test_editor_gets_403_on_another_entes_records(app):
    with TestClient(app) as client:
        elia = _login(app, client, "elia")
        assert elia.get(f"{API}/service/{OTHER}").status_code == 403
        assert _patch(elia, f"{API}/service/{OTHER}", {"summary": "x"}).status_code == 403
        assert elia.post(f"{API}/service/{OTHER}/deactivate").status_code == 403
        assert _patch(elia, f"{API}/ente_gestore/inrete", {"notes": "x"}).status_code == 403
        page = elia.client.get(f"/console/admin/catalog/service/{OTHER}")
        assert page.status_code == 403
        # Moving its own service to another ente is refused too.
        moved = _patch(elia, f"{API}/service/{SERVICE}", {"organization": "inrete"})
        assert moved.status_code == 403
        created = elia.post(f"{API}/service", {"id": "x-y", "organization": "inrete"})
        assert created.status_code == 403
        # Nothing changed.
        ada = _login(app, client, "ada")
        assert ada.get(f"{API}/service/{OTHER}").json()["history"] == []


def test_operators_and_supervisors_get_403(app):
    with TestClient(app) as client:
        for username in ("anna", "sara"):
            console = _login(app, client, username)
            assert console.get(f"{API}/service").status_code == 403
            page = console.client.get("/console/admin/catalog", follow_redirects=False)
            assert page.status_code == 403


def test_catalog_pages_need_a_login(app):
    with TestClient(app) as client:
        page = client.get("/console/admin/catalog", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/console/login"


def test_validation_errors_are_italian_and_never_500(app):
    with TestClient(app) as client:
        elia = _login(app, client, "elia")
        bad = _patch(
            elia,
            f"{API}/service/{SERVICE}",
            {
                "url": "www.senza-schema",
                "contacts": {"phone": "chiamate!"},
                "min_age": 70,
                "max_age": 18,
                "area": {"comuni": ["Atlantide"]},
                "last_verified": "31/12/2025",
                "category": "pizza",
            },
        )
        assert bad.status_code == 422
        errors = {e["field"]: e["message"] for e in bad.json()["errors"]}
        assert "indirizzo web non valido" in errors["url"]
        assert "numero di telefono non valido" in errors["contacts.phone"]
        assert "età massima" in errors["max_age"]
        assert "inesistente: Atlantide" in errors["area"]
        assert "AAAA-MM-GG" in errors["last_verified"]
        assert "categoria non valido" in errors["category"]
        opp = elia.post(
            f"{API}/opportunity",
            {
                "id": "ciss38-bando-prova",
                "title": "Bando",
                "kind": "bando",
                "category": "housing",
                "organization": "ciss38",
                "summary": "Prova",
                "valid_from": "2026-12-31",
                "valid_to": "2026-01-01",
                "area": {"enti_gestori": ["ciss38"]},
                "source": "delibera",
                "confidence": "high",
                "verified": True,
            },
        )
        assert opp.status_code == 422
        assert any("precedente" in e["message"] for e in opp.json()["errors"])
        # Malformed calls: 400/404/403, never 500.
        raw = elia.client.patch(
            f"/console/api{API}/service/{SERVICE}",
            content=b"{not json",
            headers={"X-CSRF-Token": elia.csrf, "Content-Type": "application/json"},
        )
        assert raw.status_code == 400 and "JSON" in raw.json()["error"]
        assert _patch(elia, f"{API}/service/{SERVICE}", [1, 2]).status_code == 400
        assert _patch(elia, f"{API}/service/{SERVICE}", {"nope": 1}).status_code == 422
        assert _patch(elia, f"{API}/service/{SERVICE}", {"id": "other"}).status_code == 422
        assert elia.get(f"{API}/pizza").status_code == 404
        assert elia.get(f"{API}/service/does-not-exist").status_code == 404
        assert (
            _patch(elia, f"{API}/service/{SERVICE}", {"summary": "x"}, csrf="bad").status_code
            == 403
        )


def test_editor_creates_and_deactivates_an_opportunity_shown_then_hidden(app, catalog_engine):
    svc = CatalogService(catalog_engine)
    with TestClient(app) as client:
        elia = _login(app, client, "elia")
        created = elia.post(
            f"{API}/opportunity",
            {
                "id": "ciss38-corso-caregiver",
                "title": "Corso per caregiver familiari",
                "kind": "corso",
                "category": "elderly_care",
                "organization": "ciss38",
                "summary": "Quattro incontri gratuiti a Cuorgnè.",
                "url": "https://www.ciss38.it/corso",
                "valid_from": "2026-01-01",
                "valid_to": "2099-12-31",
                "area": {"enti_gestori": ["ciss38"]},
                "source": "Locandina del CISS 38",
                "confidence": "high",
                "verified": True,
                "last_verified": "2026-11-30",
            },
        )
        assert created.status_code == 201, created.text
        titles = [o.title for o in svc.list_opportunities(comune="Cuorgnè", limit=50)]
        assert "Corso per caregiver familiari" in titles
        assert elia.post(f"{API}/opportunity/ciss38-corso-caregiver/deactivate").status_code == 200
        titles = [o.title for o in svc.list_opportunities(comune="Cuorgnè", limit=50)]
        assert "Corso per caregiver familiari" not in titles
        history = elia.get(f"{API}/opportunity/ciss38-corso-caregiver").json()["history"]
        assert [c["action"] for c in history] == ["deactivate", "create"]


def test_editor_sees_what_expires_and_what_to_verify_again(app):
    with TestClient(app) as client:
        elia = _login(app, client, "elia")
        from datetime import date, timedelta

        soon = (date.today() + timedelta(days=10)).isoformat()
        created = elia.post(
            f"{API}/opportunity",
            {
                "id": "ciss38-bando-affitti",
                "title": "Bando contributi affitto",
                "kind": "bando",
                "category": "housing",
                "organization": "ciss38",
                "summary": "Domande entro il termine.",
                "valid_from": "2026-01-01",
                "valid_to": soon,
                "area": {"enti_gestori": ["ciss38"]},
                "source": "Delibera del CISS 38",
                "confidence": "high",
                "verified": True,
                "last_verified": date.today().isoformat(),
            },
        )
        assert created.status_code == 201, created.text
        review = elia.get(f"{API}/review").json()
        assert [r["id"] for r in review["expiring"]] == ["ciss38-bando-affitti"]
        stale_ids = {r["id"] for r in review["stale"]}
        assert SERVICE in stale_ids and "ciss38-bando-affitti" not in stale_ids
        assert all(r["organization"] == "ciss38" for r in review["stale"])
        page = elia.client.get("/console/admin/catalog")
        assert "Bando contributi affitto" in page.text and "Da riverificare" in page.text


def test_admin_edits_ente_contacts_and_offices_with_schedules(app):
    with TestClient(app) as client:
        ada = _login(app, client, "ada")
        current = ada.get(f"{API}/ente_gestore/ciss38").json()["record"]
        contacts = current["contacts"] + [
            {
                "kind": "email",
                "value": "info@ciss38.example.it",
                "confidence": "high",
                "source": "Sito del CISS 38",
            }
        ]
        offices = [
            {
                "name": "Sportello di Rivarolo",
                "comune": "Rivarolo Canavese",
                "source": "Sito del CISS 38",
                "confidence": "medium",
                "schedules": [
                    {
                        "byday": "MO,WE",
                        "opens_at": "09:00",
                        "closes_at": "12:30",
                        "source": "Sito del CISS 38",
                    }
                ],
            }
        ]
        ok = _patch(ada, f"{API}/ente_gestore/ciss38", {"contacts": contacts, "offices": offices})
        assert ok.status_code == 200, ok.text
        record = ada.get(f"{API}/ente_gestore/ciss38").json()["record"]
        assert record["offices"][0]["schedules"][0]["closes_at"] == "12:30"
        bad = _patch(
            ada,
            f"{API}/ente_gestore/ciss38",
            {
                "contacts": [
                    {"kind": "phone", "value": "centralino", "confidence": "high", "source": "x"}
                ],
                "offices": [
                    {
                        "name": "X",
                        "comune": "Atlantide",
                        "source": "x",
                        "confidence": "high",
                        "schedules": [
                            {"byday": "LUN", "opens_at": "14:00", "closes_at": "9", "source": "x"}
                        ],
                    }
                ],
            },
        )
        assert bad.status_code == 422
        fields = {e["field"] for e in bad.json()["errors"]}
        assert {
            "contacts[1].value",
            "offices[1].comune",
            "offices[1].schedules[1].byday",
            "offices[1].schedules[1].closes_at",
        } <= fields


def test_a_change_reaches_the_bot_at_once(app, catalog_engine):
    """Edit through the admin API, then the action the bot runs answers with the change."""
    import asyncio

    set_catalog(CatalogService(catalog_engine))
    try:
        with TestClient(app) as client:
            elia = _login(app, client, "elia")

            async def first_service() -> dict:
                dispatcher = CollectingDispatcher()
                tracker = make_tracker(
                    text="non riesco a pagare l'affitto",
                    intent="need_housing",
                    slots={"comune": "Cuorgnè"},
                )
                await ActionSearchServices().run(dispatcher, tracker, load_domain())
                (payload,) = customs(dispatcher)
                return next(s for s in payload["services"] if s["id"] == SERVICE)

            assert "lunedì mattina" not in asyncio.run(first_service())["summary"]
            answer = _patch(
                elia,
                f"{API}/service/{SERVICE}",
                {
                    "summary": "Alloggi di emergenza: chiamare il lunedì mattina.",
                    "how_to_apply": "Telefonare allo sportello sociale del proprio comune.",
                },
            )
            assert answer.status_code == 200
            shown = asyncio.run(first_service())
            assert shown["summary"] == "Alloggi di emergenza: chiamare il lunedì mattina."
            assert shown["how_to_apply"] == "Telefonare allo sportello sociale del proprio comune."
            elia.post(f"{API}/service/{SERVICE}/deactivate")
            dispatcher = CollectingDispatcher()
            tracker = make_tracker(
                text="non riesco a pagare l'affitto",
                intent="need_housing",
                slots={"comune": "Cuorgnè"},
            )
            asyncio.run(ActionSearchServices().run(dispatcher, tracker, load_domain()))
            ids = [s["id"] for p in customs(dispatcher) for s in p.get("services", [])]
            assert SERVICE not in ids
    finally:
        set_catalog(None)


def test_every_record_page_renders_and_escapes_html(app):
    with TestClient(app) as client:
        elia = _login(app, client, "elia")
        for path in (
            "/new/service",
            "/new/opportunity",
            "/ente_gestore/ciss38",
            f"/service/{SERVICE}",
        ):
            page = elia.client.get(f"/console/admin/catalog{path}")
            assert page.status_code == 200, path
            assert 'id="catalog-form"' in page.text and "/console/static/catalog.js" in page.text
        created = elia.post(f"{API}/opportunity", {
            "id": "ciss38-evento", "title": "Incontro <script>alert(1)</script>", "kind": "evento",
            "category": "family_minors", "organization": "ciss38", "summary": "Per le famiglie.",
            "valid_from": "2026-01-01", "area": {"comuni": ["Cuorgnè"]}, "source": "Locandina",
            "confidence": "medium", "verified": False,
        })  # fmt: skip
        assert created.status_code == 201, created.text
        page = elia.client.get("/console/admin/catalog/opportunity/ciss38-evento")
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        listing = elia.client.get("/console/admin/catalog?kind=opportunity&q=incontro")
        assert "ciss38-evento" in listing.text
        assert elia.client.get("/console/admin/catalog/new/ente_gestore").status_code == 404
        # The editor's form offers only its own enti as providers.
        form = elia.client.get("/console/admin/catalog/new/service").text
        assert 'value="ciss38"' in form and 'value="inrete"' not in form
