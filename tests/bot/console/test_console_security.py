"""Console authentication, lockout, CSRF, cookies, role isolation and escaping."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from bot.console.accounts import MAX_FAILURES
from tests.fixtures.handoff import PASSWORD, Console, add_operators, handoff_app, repos

SESSION = "security-session-00001"


@pytest.fixture
def app(settings, clock):
    app = handoff_app(settings, clock)
    add_operators(app)
    return app


def _open_handoff(client: TestClient, session: str, consortium: str) -> None:
    with client.websocket_connect(f"/ws/chat?session={session}&consortium={consortium}") as ws:
        ws.receive_json()
        ws.send_json({"type": "message", "payload": "/request_human"})
        ws.receive_json()


def test_login_success_sets_a_hardened_session_cookie(app):
    with TestClient(app) as client:
        page = client.get("/console/login")
        assert page.status_code == 200
        assert page.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert 'for="username"' in page.text and 'for="password"' in page.text
        response = Console.of(app, client).login("anna")
        assert response.status_code == 303 and response.headers["location"] == "/console/"
        cookie = response.headers["set-cookie"]
        assert "wecare_console=" in cookie
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
        assert "Secure" not in cookie  # development over plain http


def test_session_cookie_is_secure_outside_development(settings, clock):
    app = handoff_app(replace(settings, env="production", secret_key="test-secret-key"), clock)
    add_operators(app)
    with TestClient(app, base_url="https://testserver") as client:
        response = Console.of(app, client, "https://testserver").login("anna")
        assert response.status_code == 303
        assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_unknown_user_and_disabled_account_are_refused(app):
    with TestClient(app) as client:
        console = Console.of(app, client)
        assert console.login("anna", "wrong-password!").status_code == 401
        assert console.login("nobody").status_code == 401
        repos(app).accounts.set_active("bruno", False)
        bad = console.login("bruno")
        assert bad.status_code == 401 and "Nome utente o password non validi" in bad.text
        assert console.get("/queue").status_code == 401


def test_lockout_after_repeated_failures_then_unlock(app, clock):
    with TestClient(app) as client:
        console = Console.of(app, client)
        for _ in range(MAX_FAILURES - 1):
            assert console.login("anna", "not-the-password").status_code == 401
        locked = console.login("anna", "not-the-password")
        assert locked.status_code == 423 and "bloccato" in locked.text
        # Even the right password is refused while locked.
        assert console.login("anna").status_code == 423
        clock.advance(minutes=16)
        assert console.login("anna").status_code == 303


def test_login_form_requires_its_csrf_token(app):
    with TestClient(app) as client:
        client.get("/console/login")
        data = {"username": "anna", "password": PASSWORD}
        assert client.post("/console/login", data=data).status_code == 403
        forged = client.post("/console/login", data={**data, "csrf": "forged"})
        assert forged.status_code == 403
        assert "wecare_console=" not in forged.headers.get("set-cookie", "")


def test_api_requires_session_and_csrf_on_state_changes(app):
    with TestClient(app) as client:
        _open_handoff(client, SESSION, "ciss38")
        anon = Console.of(app, client)
        assert anon.get("/queue").status_code == 401
        assert anon.post("/conversations/1/claim").status_code == 401
        anna = Console.of(app, client)
        anna.login("anna")
        conv_id = anna.get("/queue").json()["queued"][0]["conversation"]["id"]
        assert anna.post(f"/conversations/{conv_id}/claim", csrf="").status_code == 403
        assert anna.post(f"/conversations/{conv_id}/claim", csrf="x" * 43).status_code == 403
        cross = anna.client.post(
            f"/console/api/conversations/{conv_id}/claim",
            headers={"X-CSRF-Token": anna.csrf, "Origin": "https://evil.example"},
        )
        assert cross.status_code == 403
        # Nothing happened: still queued.
        assert anna.get(f"/conversations/{conv_id}").json()["handoff"]["status"] == "queued"
        assert anna.post(f"/conversations/{conv_id}/claim").status_code == 200
        # Logout needs the CSRF token too, then the session is gone.
        assert anna.client.post("/console/logout", data={"csrf": "nope"}).status_code == 403
        out = anna.client.post("/console/logout", data={"csrf": anna.csrf}, follow_redirects=False)
        assert out.status_code == 303
        assert anna.get("/queue").status_code == 401


def test_disabling_an_account_ends_its_sessions(app):
    with TestClient(app) as client:
        anna = Console.of(app, client)
        anna.login("anna")
        assert anna.get("/queue").status_code == 200
        repos(app).accounts.set_active("anna", False)
        assert anna.get("/queue").status_code == 401


def test_ciss38_operator_cannot_read_or_answer_an_inrete_conversation(app):
    with TestClient(app) as client:
        _open_handoff(client, SESSION, "inrete")
        conv = repos(app).conversations.find_conversation(f"web-{SESSION}")
        # The fake bot names ciss38 in its payload; this conversation belongs to inrete.
        repos(app).handoffs.set_conversation_ente(conv.id, "inrete")
        handoff = repos(app).handoffs.active_for(conv.id)
        repos(app).handoffs.transition(handoff.id, ("queued",), ente_gestore_id="inrete")
        anna, ivo, sara = (Console.of(app, client) for _ in range(3))
        anna.login("anna")
        ivo.login("ivo")
        sara.login("sara")
        cid = conv.id
        assert anna.get("/queue").json()["queued"] == []
        assert all(c["id"] != cid for c in anna.get("/bot-conversations").json()["conversations"])
        assert anna.get(f"/conversations/{cid}").status_code == 404
        for path, body in [
            ("claim", None),
            ("takeover", None),
            ("messages", {"text": "ciao"}),
            ("notes", {"text": "nota"}),
            ("handback", None),
            ("close", None),
            ("transfer", {"ente_gestore_id": "ciss38"}),
        ]:
            assert anna.post(f"/conversations/{cid}/{path}", body).status_code == 404, path
        # The UI page of anna does not leak it either.
        assert "inrete" not in anna.client.get("/console/").text.split("Trasferisci a")[0]
        # Accounts of other consortia are not listed to anna (transfer targets).
        names = {o["username"] for o in anna.get("/operators").json()["operators"]}
        assert names == {"anna", "bruno", "sara"}
        # The inrete operator and the supervisor see it; the inrete operator claims it.
        assert [r["conversation"]["id"] for r in ivo.get("/queue").json()["queued"]] == [cid]
        assert len(sara.get("/queue").json()["queued"]) == 1
        assert ivo.post(f"/conversations/{cid}/claim").status_code == 200
        # Once claimed, even a same-ente colleague cannot write in it.
        assert sara.post(f"/conversations/{cid}/messages", {"text": "x"}).status_code == 403


def test_live_updates_are_filtered_by_ente_and_need_a_session(app):
    with TestClient(app) as client:
        anna, ivo = Console.of(app, client), Console.of(app, client)
        anna.login("anna")
        ivo.login("ivo")
        with pytest.raises(Exception):  # noqa: B017 - the server closes the socket (1008)
            with client.websocket_connect("/console/ws") as ws:
                ws.receive_json()
        with (
            anna.client.websocket_connect("/console/ws") as anna_ws,
            ivo.client.websocket_connect("/console/ws") as ivo_ws,
        ):
            assert anna_ws.receive_json()["type"] == "ready"
            assert ivo_ws.receive_json()["type"] == "ready"
            _open_handoff(client, SESSION, "ciss38")
            seen = [anna_ws.receive_json() for _ in range(4)]
            assert {m["type"] for m in seen} >= {"message", "queue"}
            ivo.post("/conversations/999/notes", {"text": "x"})  # no event
            _open_handoff(client, "security-session-00002", "inrete")
            # ivo gets only the inrete conversation's events (no ciss38 message leaked).
            first = ivo_ws.receive_json()
            assert first["type"] == "message"
            conv2 = repos(app).conversations.find_conversation("web-security-session-00002")
            assert first["conversation_id"] == conv2.id


def test_citizen_text_and_names_are_escaped(app):
    repos(app).accounts.add("mallory", "<img src=x onerror=alert(1)>", PASSWORD, enti=["ciss38"])
    with TestClient(app) as client:
        page_client = Console.of(app, client)
        page_client.login("mallory")
        page = page_client.client.get("/console/")
        assert "<img src=x" not in page.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
        js = client.get("/console/static/console.js").text
        code = "\n".join(
            line for line in js.splitlines() if not line.lstrip().startswith(("/*", "*"))
        )
        assert "innerHTML" not in code and "insertAdjacentHTML" not in code
