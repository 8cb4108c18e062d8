"""Fixtures of the NLU inbox tests: a Rasa tracker store with events, a copy of nlu/data."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.browser import browser  # noqa: F401
from tests.fixtures.fake_rasa import create_tracker_store
from tests.fixtures.handoff import PASSWORD, add_operators, clock, fake_rasa, handoff_app, repos
from tests.fixtures.handoff import settings as handoff_settings  # noqa: F401
from wecare.settings import ROOT

__all__ = ["PASSWORD", "browser", "clock", "fake_rasa"]

#: A text of the training data (nlu/data/needs_economic_housing.yml): never in the inbox.
TRAINING_TEXT = "cerco una casa popolare"
#: A text of the held-out split (tests/nlu/test_nlu.yml): may not become training data.
HELD_OUT_TEXT = "mi è arrivata la lettera di sfratto dall'avvocato del proprietario"
T0 = 1_796_000_000.0  # 2026-11-30 UTC


class TrackerEvents:
    """Writes Rasa 3.6 ``events`` rows like the SQL tracker store does."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = create_tracker_store(path)
        self.ts = T0

    def _add(self, sender: str, type_name: str, data: dict[str, Any], **cols: Any) -> int:
        self.ts += 1
        data = {"event": type_name, "timestamp": self.ts, **data}
        with sqlite3.connect(self.path) as conn:
            cur = conn.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, "
                "data) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    sender,
                    type_name,
                    self.ts,
                    cols.get("intent"),
                    cols.get("action"),
                    json.dumps(data),
                ),
            )
            return int(cur.lastrowid or 0)

    def user(
        self, sender: str, text: str, intent: str, confidence: float, second: str = "greet"
    ) -> int:
        ranking = [{"name": intent, "confidence": confidence}]
        if intent == "nlu_fallback":
            ranking = [
                {"name": "nlu_fallback", "confidence": confidence},
                {"name": second, "confidence": round(confidence - 0.1, 2)},
                {"name": "out_of_scope", "confidence": 0.05},
            ]
        parse = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking,
            "entities": [],
        }
        data = {"text": text, "parse_data": parse, "input_channel": "rest"}
        data["metadata"] = {"channel": sender.split("-")[0]}
        return self._add(sender, "user", data, intent=intent)

    def action(self, sender: str, name: str) -> int:
        return self._add(sender, "action", {"name": name}, action=name)

    def handoff(self, sender: str, reason: str) -> int:
        custom = {"type": "handoff", "ente_gestore_id": None, "reason": reason}
        return self._add(sender, "bot", {"text": None, "data": {"custom": custom}})


@pytest.fixture
def tracker(tmp_path: Path) -> TrackerEvents:
    return TrackerEvents(tmp_path / "tracker.db")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of nlu/data without the inbox files (the tests write there, not in the repo)."""
    target = tmp_path / "nlu" / "data"
    shutil.copytree(ROOT / "nlu" / "data", target, ignore=shutil.ignore_patterns("inbox"))
    return target


@pytest.fixture
def settings(handoff_settings, tracker, data_dir):  # noqa: F811
    return replace(handoff_settings, rasa_tracker_store_url=tracker.url, nlu_data_dir=data_dir)


@dataclass
class Seeded:
    """Event ids of :func:`seed`."""

    phone: int
    unsure: int
    dup1: int
    dup2: int
    lost: list[int]


def seed(tracker: TrackerEvents) -> Seeded:
    """Every kind of inbox message, plus what must stay out of it."""
    phone = tracker.user(
        "web-alice",
        "il mio numero è 333 123 4567, scrivetemi a anna.rossi@example.org per la bolletta",
        "nlu_fallback",
        0.5,
        second="need_economic_support",
    )
    tracker.action("web-alice", "action_default_ask_affirmation")
    tracker.user("web-alice", "/out_of_scope", "out_of_scope", 1.0)
    unsure = tracker.user("web-bob", "boh forse la casa", "need_housing", 0.42)
    tracker.user("web-bob", "ho bisogno di una casa popolare urgente", "need_housing", 0.97)
    tracker.user("web-bob", TRAINING_TEXT, "nlu_fallback", 0.5)
    tracker.user("web-bob", "/greet", "greet", 1.0)
    dup1 = tracker.user("web-carla", "Non ho capito niente!!", "nlu_fallback", 0.5)
    dup2 = tracker.user("web-dario", "non ho capitoooo niente", "nlu_fallback", 0.5)
    lost = [
        tracker.user("web-elena", "abito in via Roma 12, mi serve la cosa", "nlu_fallback", 0.5),
        tracker.user("web-elena", "quella cosa del comune", "nlu_fallback", 0.5),
    ]
    tracker.handoff("web-elena", "fallback")
    return Seeded(phone, unsure, dup1, dup2, lost)


def admin_app(settings: Any, clock: Any) -> Any:
    """The gateway with the standard operators and the admin ``ada``."""
    app = handoff_app(settings, clock)
    add_operators(app)
    repos(app).accounts.add("ada", "Ada Admin", PASSWORD, role="admin")
    return app
