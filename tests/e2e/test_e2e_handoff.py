"""End-to-end: the handoff asks the comune through Rasa (issue 10), over the REST channel alone.

The real Rasa server and action server: ``action_handoff`` runs ``comune_form`` first when the
comune is unknown, so the ``handoff`` payload names the competent ente gestore; whoever does
not know the comune goes to the triage queue (``ente_gestore_id`` null); a person at risk is
never asked; a comune outside ASL TO4 gets the out-of-area answer and no handoff.
"""

from __future__ import annotations

import pytest

from tests.e2e.helpers import Chat

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def test_operator_then_cuorgne_hands_off_to_ciss38(chat: Chat) -> None:
    asked = chat.say("voglio parlare con un operatore")
    assert "handoff" not in asked.kinds(), chat.transcript()
    assert "operatore" in asked.text and "comune" in asked.text, chat.transcript()
    payload = chat.say("Cuorgnè").custom("handoff")
    assert payload == {
        "type": "handoff",
        "ente_gestore_id": "ciss38",
        "reason": "citizen_request",
        "priority": "normal",
    }, chat.transcript()


def test_a_cap_names_the_ente_too(chat: Chat) -> None:
    chat.say("/request_human")
    payload = chat.say("10015").custom("handoff")
    assert payload["ente_gestore_id"] == "inrete", chat.transcript()


def test_i_do_not_know_goes_to_the_triage_queue(chat: Chat) -> None:
    chat.say("posso parlare con una persona?")
    replies = chat.say("non lo so")
    payload = replies.custom("handoff")
    assert payload["ente_gestore_id"] is None and payload["priority"] == "normal"
    assert "consorzio giusto" in replies.text, chat.transcript()


def test_two_answers_that_are_not_a_comune_go_to_the_triage_queue(chat: Chat) -> None:
    chat.say("voglio parlare con un operatore")
    first = chat.say("Qwertyville")
    assert "handoff" not in first.kinds(), chat.transcript()
    assert chat.say("Asdfghville").custom("handoff")["ente_gestore_id"] is None, chat.transcript()


def test_a_comune_outside_asl_to4_gets_the_answer_and_no_handoff(chat: Chat) -> None:
    chat.say("voglio parlare con un operatore")
    replies = chat.say("Torino")
    assert "handoff" not in replies.kinds(), chat.transcript()
    assert "ASL TO4" in replies.text and "112" in replies.text, chat.transcript()


def test_a_person_at_risk_is_handed_off_without_a_comune_question(chat: Chat) -> None:
    chat.say("mio marito mi picchia e ho paura")
    replies = chat.say("/request_human")
    payload = replies.custom("handoff")
    assert payload["ente_gestore_id"] is None and payload["priority"] == "urgent"
    assert "comune" not in replies.text.lower(), chat.transcript()


def test_the_known_comune_is_not_asked_again(chat: Chat) -> None:
    chat.say("abito a Ivrea")
    payload = chat.say("voglio parlare con un operatore").custom("handoff")
    assert payload["ente_gestore_id"] == "inrete", chat.transcript()
