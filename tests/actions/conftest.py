"""Fixtures of the action unit tests: the real SQLite catalog, the domain, trackers.

Actions run as in the action server: ``await Action().run(dispatcher, tracker, domain)``
with a ``Tracker.from_dict`` state, the merged domain of ``bot/domain/`` and the session
catalog of ``tests/conftest.py`` (``catalog_service``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import set_catalog

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"


def load_domain() -> dict[str, Any]:
    """Merge ``bot/domain/*.yml`` into one domain dict (as Rasa sends it)."""
    domain: dict[str, Any] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            if isinstance(value, dict):
                domain.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                domain.setdefault(key, []).extend(value)
            else:
                domain[key] = value
    return domain


def user_event(
    text: str, intent: str, entities: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A ``user`` event as Rasa serialises it."""
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": entities or [],
        },
    }


def make_tracker(
    text: str = "",
    intent: str = "inform",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    history: list[dict[str, Any]] | None = None,
    intent_ranking: list[dict[str, Any]] | None = None,
    trailing: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest message is ``text``/``intent`` after ``history`` events.

    ``trailing`` events come after the latest message (e.g. the SlotSet candidates that
    Rasa appends before calling a form validation action).
    """
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
        "intent_ranking": intent_ranking or [{"name": intent, "confidence": 0.99}],
    }
    events = [
        *(history or []),
        {"event": "action", "name": "action_listen"},
        user_event(text, intent, entities),
        *(trailing or []),
    ]
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": dict(slots or {}),
            "latest_message": latest,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def customs(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """The ``json_message`` payloads sent, in order."""
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    """What each message is: its response name, or ``custom:<type>`` for payloads."""
    return [
        m.get("response") or (f"custom:{m['custom'].get('type')}" if m.get("custom") else None)
        for m in dispatcher.messages
    ]


def slot_sets(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots set by ``events`` (last value wins)."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The merged domain of ``bot/domain/``."""
    return load_domain()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    """A fresh dispatcher."""
    return CollectingDispatcher()


@pytest.fixture(autouse=True)
def catalog(catalog_service: Any) -> Iterator[Any]:
    """Every action test reads the session's real SQLite catalog."""
    set_catalog(catalog_service)
    yield catalog_service
    set_catalog(None)


@pytest.fixture(params=["empty", "unopenable"])
def catalog_down(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A catalog whose database cannot be read.

    ``empty``: a SQLite file without the catalog tables (never loaded); ``unopenable``: the
    database path is a directory, so SQLite cannot open it at all.
    """
    from catalog.db import make_engine
    from catalog.service import CatalogService

    if request.param == "empty":
        path = tmp_path / "empty.db"
    else:
        path = tmp_path / "a-directory"
        path.mkdir()
    engine = make_engine(f"sqlite:///{path}")
    service = CatalogService(engine)
    set_catalog(service)
    yield service
    set_catalog(None)
    engine.dispose()
