"""Shared fixtures of the handoff and console tests (imported by both conftest files).

* :class:`TrackerFakeRasa` — the fake Rasa server plus the tracker events endpoint: it
  records ``pause``/``resume``/``bot``/``action`` events and, like Rasa's ``ConversationPaused``,
  stores webhook messages of a paused conversation as ``user`` events and answers nothing.
* :class:`Clock` — an injectable, movable clock.
* :class:`Console` — a logged-in console client on top of Starlette's ``TestClient``.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.handoff.hours import OperatorHours  # noqa: E402
from tests.fixtures.fake_rasa import FakeRasa  # noqa: E402
from tests.fixtures.servers import gateway_test_settings, serve_fake  # noqa: E402
from wecare.settings import Settings  # noqa: E402

ROME = ZoneInfo("Europe/Rome")
PASSWORD = "correct-horse-battery"
#: A Tuesday at 10:00 in Rome: inside the default hours.
OPEN_TIME = datetime(2026, 11, 24, 10, 0, tzinfo=ROME)
#: A Tuesday at 21:30 in Rome: outside the default hours.
CLOSED_TIME = datetime(2026, 11, 24, 21, 30, tzinfo=ROME)


class TrackerFakeRasa(FakeRasa):
    """Fake Rasa with ``POST /conversations/{sender}/tracker/events`` and pause semantics.

    Attributes:
        events: tracker events received, per sender.
        handoff_ente: ente gestore put in the ``handoff`` payload, per sender (default
            ``default_ente``; None = the bot does not know the comune).
    """

    def __init__(self) -> None:
        super().__init__()
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.paused: set[str] = set()
        self.paused_messages: list[str] = []
        self.default_ente: str | None = "ciss38"
        self.handoff_reason = "citizen_request"
        self.handoff_ente: dict[str, str | None] = {}
        self._tlock = threading.Lock()
        self.app.router.routes.append(
            Route("/conversations/{sender}/tracker/events", self.tracker_events, methods=["POST"])
        )

    async def tracker_events(self, request: Request) -> Response:
        sender = request.path_params["sender"]
        if request.query_params.get("execute_side_effects") != "false":
            return JSONResponse({"error": "side effects"}, status_code=400)
        body = await request.json()
        with self._tlock:
            for event in body:
                self.events.setdefault(sender, []).append(event)
                if event["event"] == "pause":
                    self.paused.add(sender)
                elif event["event"] == "resume":
                    self.paused.discard(sender)
        return JSONResponse({"sender_id": sender, "events": body})

    async def webhook(self, request: Request) -> Response:
        body = await request.json()
        sender, message = body["sender"], body["message"]
        if sender in self.paused:  # ConversationPaused: parsed and stored, no prediction
            with self._tlock:
                self.events.setdefault(sender, []).append({"event": "user", "text": message})
                self.paused_messages.append(message)
            return JSONResponse([])
        if message == "/request_human" or "operatore" in message.lower():
            with self._lock:
                self.received.append(body)
            ente = self.handoff_ente.get(sender, self.default_ente)
            return JSONResponse(
                [
                    {"recipient_id": sender, "text": "Ti metto in contatto con un operatore."},
                    {
                        "recipient_id": sender,
                        "custom": {
                            "type": "handoff",
                            "ente_gestore_id": ente,
                            "reason": self.handoff_reason,
                        },
                    },
                ]
            )
        return await super().webhook(request)

    def event_kinds(self, sender: str) -> list[str]:
        with self._tlock:
            return [e["event"] for e in self.events.get(sender, [])]

    def tracker(self, sender: str) -> list[dict[str, Any]]:
        with self._tlock:
            return list(self.events.get(sender, []))


class Clock:
    """A clock the test moves (``clock.now = ...`` or ``clock.advance(minutes=5)``)."""

    def __init__(self, now: datetime = OPEN_TIME) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now.astimezone(timezone.utc)

    def advance(self, **kwargs: float) -> None:
        self.now = self.now + timedelta(**kwargs)


@pytest.fixture
def fake_rasa() -> Iterator[TrackerFakeRasa]:
    yield from serve_fake(TrackerFakeRasa())


@pytest.fixture
def settings(tmp_path: Path, fake_rasa: TrackerFakeRasa) -> Settings:
    return gateway_test_settings(
        tmp_path / "app.db",
        fake_rasa.url,
        rasa_token="",  # type: ignore[attr-defined]
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


def configure(app: Any, clock: Clock, hours: OperatorHours | None = None) -> Any:
    """Inject the clock, the shipped (or given) hours and a cheap Argon2 into ``app``."""
    service = app.state.handoff
    service.clock = clock
    service.hours = hours or OperatorHours.load()
    app.state.accounts.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return app


def add_operators(app: Any) -> dict[str, Any]:
    """Create the standard test accounts; return them by username."""
    accounts = app.state.accounts
    return {
        "anna": accounts.add("anna", "Anna Bianchi", PASSWORD, enti=["ciss38"]),
        "bruno": accounts.add("bruno", "Bruno Verdi", PASSWORD, enti=["ciss38"]),
        "ivo": accounts.add("ivo", "Ivo Neri", PASSWORD, enti=["inrete"]),
        "sara": accounts.add("sara", "Sara Gallo", PASSWORD, role="supervisor"),
    }


_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
_CSRF_DATA = re.compile(r'data-csrf="([^"]+)"')


class Console:
    """A console session over a ``TestClient`` (its own cookie jar)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.csrf = ""

    @classmethod
    def of(cls, app: Any, running: Any, base_url: str = "http://testserver") -> Console:
        """A console client sharing the event loop of ``running`` (an entered TestClient)."""
        from fastapi.testclient import TestClient

        client = TestClient(app, base_url=base_url)
        client.portal = running.portal
        return cls(client)

    def login(self, username: str, password: str = PASSWORD) -> Any:
        page = self.client.get("/console/login")
        token = _CSRF_FIELD.search(page.text).group(1)
        response = self.client.post(
            "/console/login",
            data={"username": username, "password": password, "csrf": token},
            follow_redirects=False,
        )
        if response.status_code == 303:
            console = self.client.get("/console/")
            self.csrf = _CSRF_DATA.search(console.text).group(1)
        return response

    def get(self, path: str) -> Any:
        return self.client.get(f"/console/api{path}")

    def post(self, path: str, body: dict[str, Any] | None = None, csrf: str | None = None) -> Any:
        headers = {"X-CSRF-Token": self.csrf if csrf is None else csrf}
        return self.client.post(f"/console/api{path}", json=body or {}, headers=headers)
