"""End-to-end: violence, operator, data deletion, fallback and information intents.

Whole conversations with the real Rasa server and action server over the REST webhook;
assertions on the ``custom`` payloads (SPEC §5) and on buttons.
"""

from __future__ import annotations

import pytest

from tests.e2e.helpers import Chat, ente_id

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def emergency_numbers(chat: Chat, text: str) -> list[str]:
    """Send ``text``; check that the FIRST bot message is the emergency payload."""
    replies = chat.say(text)
    assert replies.messages, chat.transcript()
    first = replies.messages[0]
    assert isinstance(first.get("custom"), dict), (
        f"first reply is not a payload:\n{chat.transcript()}"
    )
    assert first["custom"]["type"] == "emergency", chat.transcript()
    numbers = [str(n["number"]) for n in first["custom"]["numbers"]]
    assert numbers[0] == "1522", numbers
    assert "112" in numbers, numbers
    return numbers


def test_violence_numbers_first_then_operator(chat: Chat) -> None:
    emergency_numbers(chat, "mio marito mi picchia e ho paura di tornare a casa")
    replies = chat.say("sì")
    payload = replies.custom("handoff")
    assert "ente_gestore_id" in payload, payload


def test_violence_with_minor_includes_114(chat: Chat) -> None:
    numbers = emergency_numbers(chat, "il mio compagno picchia me e i miei bambini piccoli")
    assert "114" in numbers, numbers


def test_violence_during_comune_question(chat: Chat) -> None:
    """Danger interrupts the comune form: the numbers come first, no more questions."""
    chat.say("cerco lavoro")
    emergency_numbers(chat, "aiuto il mio ex mi perseguita e mi minaccia di morte")


def test_violence_with_comune_gives_local_resources(chat: Chat) -> None:
    numbers = emergency_numbers(chat, "abito a Ivrea e mio marito mi maltratta")
    assert numbers[0] == "1522"
    replies = chat.history[-1][1]
    # after the numbers: local anti-violence resources and/or the offer of an operator
    assert len(replies.messages) >= 2, chat.transcript()


def test_handoff_with_known_comune(chat: Chat) -> None:
    chat.say("abito a Cuorgnè e non riesco a pagare l affitto")
    payload = chat.say("vorrei parlare con un operatore").custom("handoff")
    assert payload["ente_gestore_id"] == "ciss38", payload


def test_handoff_button_after_results(chat: Chat) -> None:
    chat.say("sono di Chivasso e cerco lavoro")
    payload = chat.say("/request_human").custom("handoff")
    assert payload["ente_gestore_id"] == "ciss_chivasso", payload


def test_handoff_without_comune(chat: Chat) -> None:
    replies = chat.say("voglio parlare con una persona vera")
    assert "handoff" not in replies.kinds(), chat.transcript()  # the comune comes first
    assert "comune" in replies.text.lower(), chat.transcript()
    payload = chat.say("Caluso").custom("handoff")
    assert payload["ente_gestore_id"] == "cissac", payload


def test_data_deletion_confirmed(chat: Chat) -> None:
    chat.say("abito a Ivrea")
    ask = chat.say("voglio cancellare i miei dati")
    assert "data_deletion" not in ask.kinds(), "deleted without confirmation"
    assert "/affirm" in ask.payloads, ask.buttons
    done = chat.say("/affirm")
    assert "data_deletion" in done.kinds(), chat.transcript()


def test_data_deletion_cancelled(chat: Chat) -> None:
    ask = chat.say("cancellate la mia conversazione e tutti i miei dati per favore")
    assert "/affirm" in ask.payloads, chat.transcript()
    replies = chat.say("no")
    assert "data_deletion" not in replies.kinds(), chat.transcript()
    assert replies.texts, chat.transcript()


def test_out_of_scope(chat: Chat) -> None:
    replies = chat.say("chi ha vinto la partita della Juventus ieri sera?")
    assert replies.texts, chat.transcript()
    assert not {"services", "emergency", "handoff"} & set(replies.kinds()), chat.transcript()


LOW_CONFIDENCE = "boh"


def test_low_confidence_asks_intendevi(chat: Chat) -> None:
    """A message the NLU is unsure about gets "Intendevi …?" with buttons, not an answer."""
    replies = chat.say(LOW_CONFIDENCE)
    assert "intendevi" in replies.text.lower(), chat.transcript()
    assert replies.buttons, chat.transcript()
    assert not {"services", "emergency", "handoff"} & set(replies.kinds()), chat.transcript()
    # choosing a need among the suggestions goes on like a typed need: the comune question
    need = next((p for p in replies.payloads if p.startswith("/need_")), None)
    if need is not None:
        follow = chat.say(need)
        assert "comune" in follow.text.lower(), chat.transcript()
        assert "services" in chat.say("Cuorgnè").kinds(), chat.transcript()


def test_appointment_at_the_competent_ente(chat: Chat) -> None:
    first = chat.say("vorrei un appuntamento con l'assistente sociale")
    assert "comune" in first.text.lower(), chat.transcript()
    replies = chat.say("Cuorgnè")
    kinds = replies.kinds()
    assert "office" in kinds or "handoff" in kinds, chat.transcript()
    if "office" in kinds:
        assert ente_id(replies.custom("office")) == "ciss38", chat.transcript()
    else:
        assert replies.custom("handoff")["ente_gestore_id"] == "ciss38", chat.transcript()


def test_office_info(chat: Chat) -> None:
    chat.say("abito a Ivrea")
    payload = chat.say("dove si trova l'ufficio dei servizi sociali e che orari ha?").custom(
        "office"
    )
    assert ente_id(payload) == "inrete", payload
    assert "offices" in payload


def test_office_info_asks_comune(chat: Chat) -> None:
    first = chat.say("come posso contattare l'assistente sociale?")
    assert "comune" in first.text.lower(), chat.transcript()
    payload = chat.say("Settimo Torinese").custom("office")
    assert ente_id(payload) == "unione_net", payload


def test_opportunities_are_current(chat: Chat) -> None:
    chat.say("abito a Chivasso")
    replies = chat.say("ci sono bandi o corsi aperti in questo periodo?")
    payload = replies.custom("opportunities")
    assert isinstance(payload["items"], list), payload


def test_greet_and_bot_challenge(chat: Chat) -> None:
    assert chat.say("ciao").texts, chat.transcript()
    replies = chat.say("ma sei un robot?")
    assert replies.texts, chat.transcript()
    assert not replies.customs, chat.transcript()


def test_a_need_in_the_risk_message_is_searched_after_the_numbers(chat: Chat) -> None:
    """The numbers first; after "no" to a person, the housing asked for in the same message."""
    emergency_numbers(chat, "ho paura di mio marito, mi serve un alloggio di emergenza")
    offer = chat.say("no")
    assert "Vuoi che li cerchiamo" in offer.text and "casa e affitto" in offer.text, (
        chat.transcript()
    )
    replies = chat.say("sì")
    if "services" not in replies.kinds():  # the comune is asked first
        replies = chat.say("Ivrea")
    assert replies.custom("services")["category"] == "housing", chat.transcript()
