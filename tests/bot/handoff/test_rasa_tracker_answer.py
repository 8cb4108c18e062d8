"""Rasa's answer to a message it already processed, read back from its tracker events."""

from __future__ import annotations

from bot.handoff.rasa_tracker import MESSAGE_ID_KEY, answer_after

EVENTS = [
    {"event": "action", "name": "action_session_start"},
    {"event": "user", "text": "ciao", "metadata": {"channel": "web", MESSAGE_ID_KEY: 7}},
    {"event": "bot", "text": "Ciao! Come posso aiutarti?", "data": {"buttons": None}},
    {"event": "user", "text": "affitto", "metadata": {"channel": "web", MESSAGE_ID_KEY: 9}},
    {"event": "action", "name": "action_search_services"},
    {
        "event": "bot",
        "text": None,
        "data": {"custom": {"type": "services", "items": []}, "buttons": None},
    },
    {
        "event": "bot",
        "text": "In quale comune abiti?",
        "data": {"buttons": [{"title": "Ivrea", "payload": "/inform"}]},
    },
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "Ivrea", "metadata": {"channel": "web", MESSAGE_ID_KEY: 11}},
]


def test_the_bot_events_between_the_message_and_the_next_one_are_its_answer():
    assert answer_after(EVENTS, 9) == [
        {"custom": {"type": "services", "items": []}},
        {"text": "In quale comune abiti?", "buttons": [{"title": "Ivrea", "payload": "/inform"}]},
    ]
    assert answer_after(EVENTS, 7) == [{"text": "Ciao! Come posso aiutarti?"}]


def test_a_message_rasa_never_processed_has_no_answer():
    assert answer_after(EVENTS, 8) is None
    assert answer_after(EVENTS, 11) == []  # processed, nothing said yet
    assert answer_after([], 1) is None
