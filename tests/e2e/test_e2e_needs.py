"""End-to-end: need intents -> comune -> ``services`` payload, over Rasa's REST webhook.

Every test is a whole conversation with the real Rasa server, action server and a catalog
loaded from ``catalog_data/``; assertions are on the ``custom`` payloads (SPEC §5).
"""

from __future__ import annotations

import pytest

from catalog.constants import ENTE_IDS
from tests.e2e.helpers import Chat, Replies, ente_id, services_payload

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

SCOPE_ORDER = {"local": 0, "distretto": 1, "regional": 2, "national": 3}
RESULT_BUTTONS = {"/ask_more_results", "/ask_documents", "/request_human"}


def assert_services(
    chat: Chat, replies: Replies, category: str, ente: str | None, comune: str | None = None
) -> dict:
    """Check a services reply: category, ente gestore, comune, ids, ranking, buttons."""
    try:
        payload = services_payload(replies)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- conversation:\n{chat.transcript()}") from None
    assert payload["category"] == category, chat.transcript()
    assert ente_id(payload) == ente, chat.transcript()
    if comune is not None:
        assert payload["comune"] == comune, chat.transcript()
    services = payload["services"]
    assert services, f"no services: {chat.transcript()}"
    ids = [s["id"] for s in services]
    assert len(ids) == len(set(ids)), ids
    assert payload["total"] >= len(services)
    # local ente gestore first, then distretto, regional, national
    scopes = [SCOPE_ORDER[s["scope"]] for s in services if s.get("scope") in SCOPE_ORDER]
    assert scopes == sorted(scopes), [s.get("scope") for s in services]
    # a local service is the citizen's consortium's or another local body's (job centre, CPIA,
    # anti-violence centre covering the comune), never another consortium's
    other_enti = set(ENTE_IDS) - {ente}
    for service in services:
        if service.get("scope") == "local" and ente is not None:
            assert service["provider"]["id"] not in other_enti, service
    return payload


def test_headline_cuorgne_rent(chat: Chat) -> None:
    """The issue's done-when message: comune and need in one sentence."""
    replies = chat.say("abito a Cuorgnè e non riesco a pagare l affitto")
    payload = assert_services(chat, replies, "housing", "ciss38", "Cuorgnè")
    assert payload["page"] == 1
    assert RESULT_BUTTONS <= set(replies.payloads), replies.buttons
    # the citizen's ente gestore comes first
    assert payload["services"][0]["provider"]["id"] == "ciss38", payload["services"][0]


# need first, the bot asks the comune, the citizen answers: one case per need intent, and
# between them every ente gestore of ASL TO4
NEED_THEN_COMUNE = [
    ("non ho soldi per pagare le bollette della luce", "Ivrea", "economic_support", "inrete"),
    ("mi hanno dato lo sfratto e non so dove andare", "Settimo Torinese", "housing", "unione_net"),
    ("ho perso il lavoro e cerco un impiego", "Chivasso", "employment", "ciss_chivasso"),
    (
        "ho bisogno di aiuto con mio figlio adolescente che non va più a scuola",
        "Ciriè",
        "family_minors",
        "cis_cirie",
    ),
    (
        "mia madre è anziana e non è più autosufficiente, serve assistenza a casa",
        "Caluso",
        "elderly_care",
        "cissac",
    ),
    (
        "mio fratello ha una disabilità e cerchiamo un centro diurno",
        "Gassino Torinese",
        "disability",
        "cisa_gassino",
    ),
    ("ho un problema con l'alcol e vorrei smettere", "Rivarolo Canavese", "health", "ciss38"),
    (
        "sono straniero e vorrei fare un corso di italiano",
        "San Mauro Torinese",
        "social_inclusion",
        "cisa_gassino",
    ),
]


@pytest.mark.parametrize(
    ("need", "comune", "category", "ente"),
    NEED_THEN_COMUNE,
    ids=[c[2] for c in NEED_THEN_COMUNE],
)
def test_need_then_comune(chat: Chat, need: str, comune: str, category: str, ente: str) -> None:
    first = chat.say(need)
    assert "services" not in first.kinds(), chat.transcript()
    assert "comune" in first.text.lower(), f"the bot should ask the comune:\n{chat.transcript()}"
    assert_services(chat, chat.say(comune), category, ente, comune)


COMUNE_THEN_NEED = [
    ("buongiorno, abito a Ivrea", "ho bisogno di un aiuto economico", "economic_support", "inrete"),
    (
        "sono di Volpiano",
        "mio padre ha 85 anni e non riesce più a stare da solo",
        "elderly_care",
        "unione_net",
    ),
    (
        "vivo a Lanzo Torinese",
        "mia figlia è disabile, cosa prevede la legge 104?",
        "disability",
        "cis_cirie",
    ),
    ("abito a Castellamonte", "sto cercando lavoro", "employment", "ciss38"),
]


@pytest.mark.parametrize(
    ("intro", "need", "category", "ente"),
    COMUNE_THEN_NEED,
    ids=[c[2] for c in COMUNE_THEN_NEED],
)
def test_comune_then_need(chat: Chat, intro: str, need: str, category: str, ente: str) -> None:
    """The comune given first is remembered: the need gets results without a question."""
    chat.say(intro)
    assert_services(chat, chat.say(need), category, ente)


def test_comune_and_need_in_one_message(chat: Chat) -> None:
    replies = chat.say("sono di Chivasso e cerco lavoro")
    assert_services(chat, replies, "employment", "ciss_chivasso", "Chivasso")


@pytest.mark.parametrize(
    ("answer", "comune", "ente"),
    [("cuorgne", "Cuorgnè", "ciss38"), ("Setimo", "Settimo Torinese", "unione_net")],
)
def test_comune_typo_in_form(chat: Chat, answer: str, comune: str, ente: str) -> None:
    """Typos and missing accents in the answer to "in quale comune abiti?"."""
    chat.say("non riesco a pagare l'affitto")
    assert_services(chat, chat.say(answer), "housing", ente, comune)


def test_comune_typo_in_sentence(chat: Chat) -> None:
    replies = chat.say("vivo a cirie e ho bisogno di un contributo per le bollette")
    assert_services(chat, replies, "economic_support", "cis_cirie", "Ciriè")


def test_comune_outside_asl_to4(chat: Chat) -> None:
    """A comune outside the area: said so, then regional/national resources only."""
    chat.say("cerco lavoro")
    replies = chat.say("Torino")
    assert "torino" in replies.text.lower(), chat.transcript()
    payload = services_payload(replies)
    assert payload["category"] == "employment", payload
    assert ente_id(payload) is None, chat.transcript()
    assert payload["services"], chat.transcript()
    assert all(s.get("scope") in ("regional", "national") for s in payload["services"]), (
        chat.transcript()
    )


def test_pagination_keeps_category_and_comune(chat: Chat) -> None:
    first = assert_services(
        chat, chat.say("abito a Cuorgnè e non riesco a pagare l affitto"), "housing", "ciss38"
    )
    assert first["total"] > len(first["services"]), f"only one page: {first}"
    second = assert_services(chat, chat.say("/ask_more_results"), "housing", "ciss38")
    assert second["page"] == 2, second
    assert second["total"] == first["total"]
    ids1 = {s["id"] for s in first["services"]}
    ids2 = {s["id"] for s in second["services"]}
    assert ids2 and not ids1 & ids2, (ids1, ids2)


def test_documents_after_results(chat: Chat) -> None:
    chat.say("abito a Cuorgnè e non riesco a pagare l affitto")
    replies = chat.say("/ask_documents")
    assert replies.texts, chat.transcript()
    assert "isee" in replies.text.lower(), chat.transcript()


def test_new_need_reuses_comune(chat: Chat) -> None:
    """A second need in the same conversation keeps the comune and changes the category."""
    assert_services(
        chat, chat.say("abito a Cuorgnè e non riesco a pagare l affitto"), "housing", "ciss38"
    )
    assert_services(chat, chat.say("e poi cerco anche un lavoro"), "employment", "ciss38")
