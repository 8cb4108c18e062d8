"""The admin area shell: same login, roles decide what each account may open."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.handoff import PASSWORD, Console, add_operators, handoff_app, repos


@pytest.fixture
def app(settings, clock):
    app = handoff_app(settings, clock)
    add_operators(app)
    accounts = repos(app).accounts
    accounts.add("ada", "Ada Admin", PASSWORD, role="admin")
    accounts.add("elia", "Elia Editor", PASSWORD, role="editor", enti=["ciss38"])
    return app


def _session(app, client: TestClient, username: str) -> Console:
    console = Console.of(app, client)
    assert console.login(username).status_code == 303
    return console


def test_admin_sees_the_index_and_the_accounts(app):
    with TestClient(app) as client:
        ada = _session(app, client, "ada")
        index = ada.client.get("/console/admin/")
        assert index.status_code == 200
        assert 'href="/console/admin/accounts"' in index.text
        accounts = ada.client.get("/console/admin/accounts")
        assert accounts.status_code == 200
        assert "Elia Editor" in accounts.text and "Anna Bianchi" in accounts.text
        # The desk is still the admin's: the console page links to the admin area.
        desk = ada.client.get("/console/", follow_redirects=False)
        assert desk.status_code == 200 and 'href="/console/admin/"' in desk.text


def test_operator_and_supervisor_may_not_enter_the_admin_area(app):
    with TestClient(app) as client:
        for username in ("anna", "sara"):
            console = _session(app, client, username)
            for path in ("/console/admin/", "/console/admin/accounts"):
                page = console.client.get(path, follow_redirects=False)
                assert page.status_code == 403, (username, path)
            desk = console.client.get("/console/", follow_redirects=False)
            assert desk.status_code == 200 and 'href="/console/admin/"' not in desk.text


def test_editor_works_only_in_the_admin_area(app):
    with TestClient(app) as client:
        elia = _session(app, client, "elia")
        desk = elia.client.get("/console/", follow_redirects=False)
        assert desk.status_code == 303 and desk.headers["location"] == "/console/admin/"
        assert elia.client.get("/console/admin/").status_code == 200
        # Accounts are for admins only; the desk APIs are for the help desk only.
        assert elia.client.get("/console/admin/accounts").status_code == 403
        assert elia.get("/queue").status_code == 403


def test_admin_pages_need_a_login(app):
    with TestClient(app) as client:
        for path in ("/console/admin/", "/console/admin/accounts"):
            page = client.get(path, follow_redirects=False)
            assert page.status_code == 303 and page.headers["location"] == "/console/login"


def _routes(routes, prefix: str = ""):
    """(methods, path) of every route, through included routers (FastAPI nests them)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _routes(inner.routes, prefix + (getattr(context, "prefix", "") or ""))
        elif hasattr(route, "path"):
            yield set(getattr(route, "methods", None) or {"GET"}), prefix + route.path


#: The needs dashboard is open to every console role by design (each sees only its enti:
#: bot/console/admin/analytics.py); tests/bot/console/test_analytics_section.py checks that.
OPEN_TO_DESK = ("/console/admin/analytics", "/console/api/admin/analytics")


def _admin_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) of the admin pages and APIs, path parameters filled in."""
    found = []
    for methods, path in _routes(app.router.routes):
        if path.startswith(OPEN_TO_DESK):
            continue
        if path.startswith(("/console/admin", "/console/api/admin")):
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            found += [(method, concrete) for method in sorted(methods - {"HEAD"})]
    return found


def test_an_operator_gets_403_on_every_admin_page_and_api(app):
    routes = _admin_routes(app)
    paths = {path for _, path in routes}
    for section in ("inbox", "models", "catalog", "accounts"):
        assert any(f"/admin/{section}" in p for p in paths), (section, sorted(paths))
    assert any(p.startswith("/console/api/admin/") for p in paths)
    assert "/console/admin/models/1/confusion.png" in paths and len(routes) >= 20
    with TestClient(app) as client:
        for username in ("anna", "sara"):  # operator, supervisor
            console = _session(app, client, username)
            headers = {"X-CSRF-Token": console.csrf, "Origin": "http://testserver"}
            for method, path in routes:
                response = console.client.request(
                    method, path, json={}, headers=headers, follow_redirects=False
                )
                assert response.status_code == 403, (username, method, path, response.text[:200])
