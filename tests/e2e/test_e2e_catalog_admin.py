"""End-to-end: a catalog edit in the console reaches the live bot at once (issue 13's Proof).

The REAL stack of ``e2e_stack``: the gateway process serves the console and the admin catalog
API, the real Rasa server and action server answer the citizen over the REST channel, and the
action server and the gateway share one catalog database (``DATABASE_URL`` of the stack). The
editor account is created with the ``wecare operators add`` CLI, as an administrator would.
Nothing is restarted between the edit and the citizen's next answer.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ROOT, E2EStack
from tests.e2e.helpers import Chat, Replies, ente_id, services_payload
from wecare.run import app_python

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

API = "/console/api/admin/catalog"
PASSWORD = "una-password-lunga-e2e"
HOUSING_NEED = "abito a Cuorgnè e non riesco a pagare l affitto"
OTHER_SERVICE = "inrete-emergenza-abitativa"
_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
_CSRF_DATA = re.compile(r'data-csrf="([^"]+)"')


@dataclass
class Editor:
    """A logged-in console session of an editor on the stack's gateway."""

    client: httpx.Client
    csrf: str

    def get(self, path: str) -> httpx.Response:
        return self.client.get(f"{API}{path}")

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.client.post(f"{API}{path}", json=body or {}, headers=self._headers())

    def patch(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.client.patch(f"{API}{path}", json=body, headers=self._headers())

    def _headers(self) -> dict[str, str]:
        # what the console's pages send: the session's CSRF token, from the same origin
        return {"X-CSRF-Token": self.csrf, "Origin": str(self.client.base_url).rstrip("/")}


def _add_editor(app_database_url: str, username: str) -> None:
    """``wecare operators add <username> --role editor --enti ciss38`` on the stack's app DB."""
    env = {**os.environ, "APP_DATABASE_URL": app_database_url, "PYTHONPATH": str(ROOT)}
    cmd = [app_python(), "-m", "wecare.cli", "operators", "add", username]
    cmd += ["--name", "Elia Editor", "--role", "editor", "--enti", "ciss38", "--password-stdin"]
    proc = subprocess.run(  # noqa: S603 - fixed argument list
        cmd,
        cwd=ROOT,
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"added {username}" in proc.stdout, proc.stdout


@pytest.fixture(scope="module")
def editor(e2e_stack: E2EStack) -> Iterator[Editor]:
    """An editor of ``ciss38``, created with the CLI and logged in through the login form."""
    if not e2e_stack.gateway_url or not e2e_stack.app_database_url:
        pytest.skip("the reused stack has no gateway/app database of its own")
    username = f"elia{uuid.uuid4().hex[:6]}"
    _add_editor(e2e_stack.app_database_url, username)
    timeout = httpx.Timeout(60.0, connect=5.0)
    with httpx.Client(base_url=e2e_stack.gateway_url, timeout=timeout) as client:
        form = client.get("/console/login")
        token = _CSRF_FIELD.search(form.text)
        assert form.status_code == 200 and token, form.text[:500]
        login = client.post(
            "/console/login",
            data={"username": username, "password": PASSWORD, "csrf": token.group(1)},
        )
        assert login.status_code == 303, (login.status_code, login.text[:500])
        page = client.get("/console/admin/catalog")
        csrf = _CSRF_DATA.search(page.text)
        assert page.status_code == 200 and csrf, page.text[:500]
        yield Editor(client, csrf.group(1))


def _housing_services(chat: Chat) -> tuple[Replies, list[dict[str, Any]]]:
    replies = chat.say(HOUSING_NEED)
    payload = services_payload(replies)
    assert payload["category"] == "housing" and ente_id(payload) == "ciss38", chat.transcript()
    return replies, list(payload["services"])


def _open_opportunities(chat: Chat) -> list[dict[str, Any]]:
    chat.say("abito a Cuorgnè")
    replies = chat.say("ci sono bandi o corsi aperti in questo periodo?")
    if "opportunities" not in replies.kinds():  # utter_opportunities_none
        assert replies.texts, chat.transcript()
        return []
    return list(replies.custom("opportunities")["items"])


def test_an_edit_by_the_editor_shows_in_the_next_rest_answer(
    e2e_stack: E2EStack, http: httpx.Client, editor: Editor
) -> None:
    _, services = _housing_services(Chat(http, e2e_stack.rasa_url))
    # the first service of the answer that belongs to ciss38 (the editor's ente)
    target = None
    for service in services:
        answer = editor.get(f"/service/{service['id']}")
        if answer.status_code == 200 and answer.json()["record"]["organization"] == "ciss38":
            target = answer.json()["record"]
            break
    assert target is not None, services
    marker = uuid.uuid4().hex[:8]
    new_name = f"{target['name']} (aggiornato {marker})"
    new_summary = f"Chiamare lo sportello il lunedì mattina (verifica {marker})."
    original = {"name": target["name"], "summary": target["summary"]}
    changed = editor.patch(
        f"/service/{target['id']}",
        {"name": new_name, "summary": new_summary, "source": "Telefonata al CISS 38 (e2e)"},
    )
    assert changed.status_code == 200, changed.text
    try:
        chat = Chat(http, e2e_stack.rasa_url)
        _, after = _housing_services(chat)
        shown = next((s for s in after if s["id"] == target["id"]), None)
        assert shown is not None, chat.transcript()
        assert shown["name"] == new_name, chat.transcript()
        assert shown.get("summary") == new_summary, chat.transcript()
        history = editor.get(f"/service/{target['id']}").json()["history"]
        assert history[0]["action"] == "update" and "Elia Editor" in history[0]["actor"]
    finally:  # the stack is shared by the session: leave the catalog as it was
        assert editor.patch(f"/service/{target['id']}", original).status_code == 200


def test_the_editor_gets_403_on_an_inrete_service(editor: Editor) -> None:
    before = editor.client.get(f"{API}/service/{OTHER_SERVICE}")
    assert before.status_code == 403, before.text
    denied = editor.patch(f"/service/{OTHER_SERVICE}", {"summary": "Modifica non permessa."})
    assert denied.status_code == 403, denied.text
    assert "tuoi consorzi" in denied.json()["error"], denied.text
    assert editor.post(f"/service/{OTHER_SERVICE}/deactivate").status_code == 403


def test_an_opportunity_made_expired_disappears_from_the_bot(
    e2e_stack: E2EStack, http: httpx.Client, editor: Editor
) -> None:
    today = dt.date.today()
    opp_id = f"ciss38-e2e-{uuid.uuid4().hex[:8]}"
    title = f"Corso e2e per caregiver {opp_id[-8:]}"
    created = editor.post(
        "/opportunity",
        {
            "id": opp_id,
            "title": title,
            "kind": "corso",
            "category": "elderly_care",
            "organization": "ciss38",
            "summary": "Quattro incontri gratuiti a Cuorgnè.",
            "url": "https://www.ciss38.it/corso",
            "valid_from": (today - dt.timedelta(days=30)).isoformat(),
            "valid_to": (today + dt.timedelta(days=60)).isoformat(),
            "area": {"enti_gestori": ["ciss38"]},
            "source": "Locandina del CISS 38 (e2e)",
            "confidence": "high",
            "verified": True,
            "last_verified": today.isoformat(),
        },
    )
    assert created.status_code == 201, created.text
    shown = _open_opportunities(Chat(http, e2e_stack.rasa_url))
    assert opp_id in [o.get("id") for o in shown], shown
    expired = editor.patch(
        f"/opportunity/{opp_id}", {"valid_to": (today - dt.timedelta(days=1)).isoformat()}
    )
    assert expired.status_code == 200, expired.text
    chat = Chat(http, e2e_stack.rasa_url)
    after = _open_opportunities(chat)
    assert opp_id not in [o.get("id") for o in after], chat.transcript()
    assert title not in "\n".join(t for _, r in chat.history for t in r.texts)
