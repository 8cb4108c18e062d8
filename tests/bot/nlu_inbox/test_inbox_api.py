"""The NLU inbox through the console: collected from Rasa's tracker, masked, annotated, added."""

from __future__ import annotations

import importlib.util
import sys

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.bot.nlu_inbox.conftest import HELD_OUT_TEXT, TRAINING_TEXT, admin_app, seed
from tests.fixtures.handoff import Console, repos
from wecare.settings import ROOT

API = "/admin/inbox"


@pytest.fixture
def app(settings, clock):
    return admin_app(settings, clock)


def login(app, client, username="ada") -> Console:
    console = Console.of(app, client)
    assert console.login(username).status_code == 303
    return console


def items(console: Console, status: str = "new") -> list[dict]:
    response = console.get(f"{API}?status={status}")
    assert response.status_code == 200, response.text
    return [i for g in response.json()["groups"] for i in g["items"]]


def by_text(found: list[dict], fragment: str) -> dict:
    return next(i for i in found if fragment in i["text"])


def test_the_inbox_holds_what_the_bot_did_not_understand(app, tracker):
    seed(tracker)
    with TestClient(app) as client:
        ada = login(app, client)
        found = items(ada)
        texts = [i["text"] for i in found]
        # Masked before storing: neither the phone number nor the e-mail is kept.
        phone = by_text(found, "bolletta")
        assert "333" not in phone["text"] and "anna.rossi" not in phone["text"]
        assert "«telefono»" in phone["text"] and "«email»" in phone["text"]
        assert phone["predicted_intent"] == "need_economic_support"
        assert phone["reasons"] == ["nlu_fallback", "rejected_suggestion"]
        assert phone["channel"] == "web"  # the gateway's metadata, not Rasa's "rest"
        unsure = by_text(found, "boh forse")
        assert unsure["reasons"] == ["low_confidence"] and unsure["confidence"] == 0.42
        # Confident messages, button payloads and training examples never appear.
        assert not any("urgente" in t or t == TRAINING_TEXT or t.startswith("/") for t in texts)
        lost = by_text(found, "via Roma")
        assert "via Roma «civico»" in lost["text"] and "12" not in lost["text"]
        assert "handoff_fallback" in lost["reasons"]
        assert "handoff_fallback" in by_text(found, "quella cosa")["reasons"]
        # The stored rows hold only the masked text.
        with repos(app).conversations.session() as session:
            from bot.store.models import NluInboxItem

            stored = [row.text for row in session.query(NluInboxItem).all()]
        assert not any("333" in t or "@" in t for t in stored)


def test_near_duplicates_are_one_group_and_a_second_read_adds_nothing(app, tracker):
    seed(tracker)
    with TestClient(app) as client:
        ada = login(app, client)
        groups = ada.get(API).json()["groups"]
        dup = next(g for g in groups if "capito" in g["items"][0]["text"])
        assert dup["count"] == 2
        assert ada.get(API).json()["counts"]["new"] == len(items(ada)) == 6


def test_filters_by_intent_date_and_status(app, tracker):
    seed(tracker)
    with TestClient(app) as client:
        ada = login(app, client)
        housing = ada.get(f"{API}?intent=need_housing").json()["groups"]
        assert [g["items"][0]["text"] for g in housing] == ["boh forse la casa"]
        assert ada.get(f"{API}?from=2026-11-30&to=2026-11-30").json()["groups"]
        assert not ada.get(f"{API}?from=2026-12-01").json()["groups"]
        assert ada.get(f"{API}?from=30/11/2026").status_code == 400
        assert ada.get(f"{API}?status=done").status_code == 400
        assert not items(ada, "annotated")


def test_annotate_ignore_and_add_to_the_training_data(app, tracker, data_dir):
    seed(tracker)
    with TestClient(app) as client:
        ada = login(app, client)
        found = items(ada)
        phone, unsure = by_text(found, "bolletta"), by_text(found, "boh forse")
        dups = [i["id"] for i in found if "capito" in i["text"]]
        answer = ada.post(
            f"{API}/annotate", {"ids": [phone["id"], unsure["id"]], "intent": "need_housing"}
        )
        assert answer.status_code == 200 and answer.json()["changed"] == sorted(
            [phone["id"], unsure["id"]]
        )
        assert ada.post(f"{API}/status", {"ids": dups, "status": "ignored"}).json()["changed"]
        assert {i["id"] for i in items(ada, "ignored")} == set(dups)
        added = ada.post(f"{API}/add", {"ids": [phone["id"], unsure["id"], dups[0]]}).json()
        assert {a["id"] for a in added["added"]} == {phone["id"], unsure["id"]}
        assert added["refused"] == [{"id": dups[0], "reason": "not_annotated"}]
        assert {i["id"] for i in items(ada, "added")} == {phone["id"], unsure["id"]}
        # Added items cannot be re-annotated.
        again = ada.post(f"{API}/annotate", {"ids": [phone["id"]], "intent": "greet"})
        assert again.json()["changed"] == []
    path = data_dir / "inbox" / "need_housing.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples = data["nlu"][0]["examples"]
    assert data["version"] == "3.1" and data["nlu"][0]["intent"] == "need_housing"
    assert "- boh forse la casa\n" in examples and "«telefono»" in examples
    assert "333" not in examples
    # The split check reads the inbox files too, and still finds no leak.
    checker = _split_checker()
    train = checker.load_train(data_dir)
    assert any(e.source == "need_housing.yml" and e.text == "boh forse la casa" for e in train)
    inbox_examples = [e for e in train if e.source == "need_housing.yml"]
    held_out = checker.load_examples(ROOT / "tests" / "nlu" / "test_nlu.yml")
    assert not checker.find_leaks(inbox_examples, held_out)


def test_a_held_out_example_is_never_added(app, tracker, data_dir):
    tracker.user("web-zoe", HELD_OUT_TEXT.upper() + "!", "need_housing", 0.3)  # known data
    tracker.user("web-zoe", "mi e arrivata la lettera di sfratto dall avvocato", "greet", 0.3)
    with TestClient(app) as client:
        ada = login(app, client)
        (near,) = items(ada)  # the held-out sentence itself never appears
        ada.post(f"{API}/annotate", {"ids": [near["id"]], "intent": "need_housing"})
        answer = ada.post(f"{API}/add", {"ids": [near["id"]]}).json()
        assert answer["refused"] == [{"id": near["id"], "reason": "held_out"}]
        assert [i["id"] for i in items(ada, "annotated")] == [near["id"]]
    assert not (data_dir / "inbox" / "need_housing.yml").exists()


def test_malformed_calls_get_a_clear_4xx(app, tracker):
    seed(tracker)
    with TestClient(app) as client:
        ada = login(app, client)
        first = items(ada)[0]["id"]
        cases = [
            ("/annotate", {"ids": [first], "intent": "nope"}),
            ("/annotate", {"ids": "1", "intent": "greet"}),
            ("/annotate", {"ids": [], "intent": "greet"}),
            ("/annotate", {"ids": [True], "intent": "greet"}),
            ("/annotate", {"ids": [first], "intent": "greet", "entities": [{"text": "x"}]}),
            ("/status", {"ids": [first], "status": "added"}),
            ("/add", {}),
        ]
        for path, body in cases:
            answer = ada.post(f"{API}{path}", body)
            assert answer.status_code == 400, (path, body, answer.text)
            assert answer.json()["error"]
        raw = ada.client.post(
            f"/console/api{API}/add",
            content=b"{not json",
            headers={"X-CSRF-Token": ada.csrf, "Content-Type": "application/json"},
        )
        assert raw.status_code == 400
        assert ada.post(f"{API}/add", {"ids": [first]}, csrf="wrong").status_code == 403
        assert ada.post(f"{API}/999999/reveal").status_code == 404


def test_reveal_is_audited(app, tracker):
    seed(tracker)
    with TestClient(app) as client:
        ada = login(app, client)
        phone = by_text(items(ada), "bolletta")
        answer = ada.post(f"{API}/{phone['id']}/reveal")
        assert answer.status_code == 200 and "333 123 4567" in answer.json()["text"]
    inbox = app.state.gateway.nlu_inbox
    (audit,) = inbox.repo.audits("inbox_reveal")
    assert audit["actor"] == "ada" and audit["target"] == str(phone["id"])
    assert "333" not in str(audit)


def test_operators_get_403_on_every_inbox_url_and_api(app, tracker):
    seed(tracker)
    with TestClient(app) as client:
        for username in ("anna", "sara"):
            op = login(app, client, username)
            page = op.client.get("/console/admin/inbox", follow_redirects=False)
            assert page.status_code == 403
            assert op.get(API).status_code == 403
            for path in ("/annotate", "/status", "/add", "/1/reveal"):
                assert op.post(f"{API}{path}", {"ids": [1], "intent": "greet"}).status_code == 403
        anonymous = client.get("/console/admin/inbox", follow_redirects=False)
        assert anonymous.status_code == 303


def test_an_operator_flags_a_message_from_the_transcript(app, tracker):
    gateway = app.state.gateway
    conv = gateway.repos.conversations.get_or_create_conversation(
        "web", "web-flag-0001", ente_gestore_id="ciss38"
    )
    logged = gateway.repos.conversations.log_message(
        conv,
        direction="in",
        sender_kind="citizen",
        text="mi chiamo Ugo, tel 0124 123456, voglio il coso",
        status="forwarded",
    )
    with TestClient(app) as client:
        anna = login(app, client, "anna")
        path = f"/conversations/{conv.id}/messages/{logged.id}/flag"
        answer = anna.post(path)
        assert answer.status_code == 200, answer.text
        ivo = login(app, client, "ivo")  # another consortium: may not see it
        assert ivo.post(path).status_code == 404
        assert anna.post(f"/conversations/{conv.id}/messages/999999/flag").status_code == 404
        ada = login(app, client)
        (item,) = items(ada)
        assert item["reasons"] == ["operator_flag"] and "«telefono»" in item["text"]


def test_erasure_and_retention_remove_inbox_items(app, tracker):
    from datetime import datetime, timedelta, timezone

    seed(tracker)
    with TestClient(app) as client:
        ada = login(app, client)
        assert len(items(ada)) == 6
    inbox = app.state.gateway.nlu_inbox
    eraser = app.state.gateway._erasure._eraser
    report = eraser.erase("web-alice", requested_by="admin")
    assert report.counts["nlu_inbox_item"] == 1
    assert not any("bolletta" in i.text for i in inbox.repo.items(_all()))
    assert inbox.purge(now=datetime(2026, 12, 1, tzinfo=timezone.utc)) == 0
    later = datetime(2026, 11, 30, tzinfo=timezone.utc) + timedelta(days=181)
    assert inbox.purge(now=later) == 5 and not inbox.repo.items(_all())


def _all():
    from bot.nlu_inbox.repo import InboxFilter

    return InboxFilter(status=None)


def _split_checker():
    spec = importlib.util.spec_from_file_location(
        "check_nlu_split", ROOT / "scripts" / "check_nlu_split.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_nlu_split"] = module
    spec.loader.exec_module(module)
    return module
