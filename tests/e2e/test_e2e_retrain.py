"""End-to-end: the admin's retraining path in Chromium, on a real stack (issue 12, Proof).

The stack is the one of ``wecare run`` (:class:`wecare.stack.Stack`: the real Rasa server,
the action server and the gateway serving the console) on SQLite, but it serves a tiny
fixture bot (``tests/e2e/tiny_bot/``: four intents of the real domain, whole-word features,
logistic regression, the RulePolicy) that the registry trains here, so the test needs no
production model and trains in seconds. The registry is pointed at the fixture through its
normal settings (``NLU_TRAIN_CONFIG``, ``NLU_DOMAIN``, ``NLU_DIALOGUE_DATA``,
``NLU_TEST_STORIES``, ``NLU_DATA_DIR``, ``NLU_TEST_FILE``, ``NLU_MODELS_DIR``).

The path: the base model is trained by the registry and deployed; three citizens write over
the REST channel about bills and electricity, words the base model never saw, so Rasa falls
back and the messages reach the NLU inbox; the admin logs in, annotates them
(``need_economic_support``) and adds them to the training data, starts a retraining on the
models page, watches it, opens the comparison with the deployed model (per-intent F1, both
confusion matrices and most-confused pairs), deploys it (the gate passes: the candidate is
better on the held-out bills examples), and the live bot now answers a citizen's bills message
with the economic-support response; a rollback from the page brings the old answer back. An
operator gets 403 on the admin pages and APIs of the real gateway.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.console.accounts import AccountRepository
from bot.nlu_models.deploy import Deployer
from bot.nlu_models.gate import Margins
from bot.nlu_models.inputs import Dialogue
from bot.nlu_models.registry import Registry
from bot.store import create_store_engine, init_db
from tests.e2e.conftest import _skip_or_fail
from tests.e2e.helpers import Chat
from tests.fixtures.browser import launch_chromium, require_browser
from wecare.run import RASA_BIN, Stack, StackError, ensure_catalog, free_port
from wecare.settings import ROOT

pytestmark = [pytest.mark.rasa, pytest.mark.slow, pytest.mark.browser]

TINY = ROOT / "tests" / "e2e" / "tiny_bot"
PASSWORD = "una-password-lunga-e2e"
TIMEOUT = 30_000
#: what the three citizens write: words of the base model's vocabulary are few, so it falls back
BILLS = (
    "mi hanno staccato la luce",
    "non riesco a pagare le bollette del gas",
    "bolletta della luce troppo cara aiuto",
)
PHASES = re.compile("addestramento|valutazione sul test set|storie di test")
OLD_ANSWER = "Non ho capito. (modello di prova)"
NEW_ANSWER = "Sostegno economico: ecco gli aiuti per le spese. (modello di prova)"


@dataclass
class TinyStack:
    """The running stack of the fixture bot and the registry it shares with the gateway."""

    stack: Stack
    registry: Registry
    base: str

    @property
    def gateway(self) -> str:
        """The gateway's base URL (console, admin pages)."""
        assert self.stack.gateway_url
        return self.stack.gateway_url


def _wait_trained(registry: Registry, version: str, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while (model := registry.get(version)) is not None and model.status == "training":
        assert time.monotonic() < deadline, f"training {version} still running"
        time.sleep(0.5)
    assert model is not None and model.status == "trained", model
    assert "macro_f1" in model.evaluation, model.evaluation


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyStack]:
    """Base model trained by the registry, served by a real stack, deployed (audited)."""
    if not RASA_BIN.exists():
        _skip_or_fail("no .venv-rasa: run `make setup`")
    require_browser()
    tmp = tmp_path_factory.mktemp("retrain")
    data = tmp / "nlu"
    shutil.copytree(TINY / "nlu", data)
    app_db = f"sqlite:///{tmp / 'app.db'}"
    catalog_db = f"sqlite:///{tmp / 'catalog.db'}"
    env = {
        "APP_DATABASE_URL": app_db,
        "DATABASE_URL": catalog_db,
        "PYTHONPATH": str(ROOT),  # the children load this checkout's code
        "WECARE_ENV": "development",
        "TELEGRAM_BOT_TOKEN": "",
        "NLU_TRAIN_CONFIG": str(TINY / "config.yml"),
        "NLU_DOMAIN": str(TINY / "domain"),
        "NLU_DIALOGUE_DATA": str(TINY / "data"),
        "NLU_TEST_STORIES": str(TINY / "stories"),
        "NLU_DATA_DIR": str(data),
        "NLU_TEST_FILE": str(TINY / "test_nlu.yml"),
        "NLU_MODELS_DIR": str(tmp / "registry"),
    }
    engine = create_store_engine(app_db)
    init_db(engine)
    dialogue = Dialogue(TINY / "domain", TINY / "data", TINY / "stories")
    registry = Registry(engine, data, tmp / "registry", app_db, TINY / "test_nlu.yml", dialogue)
    accounts = AccountRepository(engine)
    accounts.add("ada", "Ada Admin", PASSWORD, role="admin")
    accounts.add("anna", "Anna Operatrice", PASSWORD, role="operator", enti=["ciss38"])
    base = registry.start(TINY / "config.yml", "cli:e2e", "full")  # as `wecare model train`
    ensure_catalog(lambda _msg: None, database_url=catalog_db)
    _wait_trained(registry, base.version)
    archive = registry.get(base.version).model_path  # type: ignore[union-attr]
    stack = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        gateway_port=free_port(),
        token=secrets.token_urlsafe(16),
        env=env,
        model=Path(str(archive)),
        log_dir=tmp / "logs",
        tracker_store_url=f"sqlite:///{tmp / 'tracker.db'}",
    )
    try:
        stack.start()
        stack.wait_ready(timeout=600)
    except StackError as exc:
        stack.stop()
        pytest.fail(f"the stack of the tiny bot did not start: {exc}")
    try:
        # the model Rasa started with becomes the deployed one (`wecare model deploy`)
        Deployer(registry, [stack.rasa_url], stack.token, Margins()).deploy(base.version, "e2e")
        yield TinyStack(stack, registry, base.version)
    finally:
        stack.stop()
        engine.dispose()


def _login(page: Any, gateway: str, username: str) -> None:
    page.goto(f"{gateway}/console/login")
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(lambda url: "/console/login" not in url)


def _annotate_and_add(page: Any, expect: Any, gateway: str) -> None:
    """The three citizen messages are in the inbox: annotate each one, then add them."""
    page.goto(f"{gateway}/console/admin/inbox")
    rows = page.locator("#inbox tbody tr")
    expect(rows).to_have_count(3)
    for text in BILLS:
        row = rows.filter(has_text=text)
        expect(row).to_contain_text("non capito")  # the FallbackClassifier fired
        row.locator("select.row-intent").select_option("need_economic_support")
        row.get_by_role("button", name="Annota").click()
        expect(page.locator("#inbox-result")).to_have_text("Fatto: 1 messaggi aggiornati.")
    expect(rows).to_have_count(0)
    page.locator("#f-status").select_option("annotated")
    page.get_by_role("button", name="Filtra").click()
    expect(page.locator("#inbox tbody tr")).to_have_count(3)
    page.locator("#select-all").check()
    page.get_by_role("button", name="Aggiungi ai dati di addestramento").click()
    expect(page.locator("#inbox-result")).to_have_text(
        "Aggiunti 3 esempi ai dati di addestramento."
    )


def _retrain_and_compare(page: Any, expect: Any, tiny: TinyStack) -> str:
    """Start a training from the page, watch it, open the comparison; return its version."""
    page.goto(f"{tiny.gateway}/console/admin/models")
    expect(page.locator("#deployed")).to_have_text(f"Modello in servizio: {tiny.base}")
    page.get_by_role("button", name="Avvia un addestramento").click()
    expect(page.locator("#models-result")).to_contain_text("Addestramento ")
    # the newest model is the first row (the page may reload between two reads of the flash)
    version = page.locator("#models tbody tr").first.get_attribute("data-version")
    assert version and version != tiny.base, version
    row = page.locator(f'tr[data-version="{version}"]')
    expect(row.locator(".status")).to_contain_text("in addestramento")  # reloads every 3 s
    expect(row.locator(".progress .phase")).to_have_text(PHASES)  # training, evaluating...
    expect(row.locator(".status")).to_have_text("addestrato", timeout=600_000)
    candidate = tiny.registry.get(version)
    assert candidate is not None and candidate.progress["elapsed"] > 0, candidate
    assert candidate.evaluation["stories"] == "passed", candidate.evaluation  # fixture stories
    row.locator("summary").click()
    expect(row).to_contain_text(f"Confronto per intento con {tiny.base}")
    figures = row.locator(".confusion figure")
    expect(figures).to_have_count(2)
    for shown, pair in ((tiny.base, "need_economic_support → nlu_fallback"), (version, None)):
        figure = row.locator(f'figure[data-confusion="{shown}"]')
        expect(figure).to_contain_text(f"Matrice di confusione di {shown}")
        image = figure.locator("img")
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 100, shown
        if pair:
            expect(figure.locator("ol.pairs")).to_contain_text(pair)
    economic = row.locator("tr", has_text="need_economic_support")
    expect(economic).to_contain_text("0.500")  # the deployed model's F1 on it
    expect(economic).to_contain_text("1.000")  # the candidate's
    return version


def _answer(tiny: TinyStack, http: httpx.Client, text: str) -> str:
    return Chat(http, tiny.stack.rasa_url).say(text).text


def _operator_is_refused(tiny: TinyStack, version: str) -> None:
    with httpx.Client(base_url=tiny.gateway, timeout=30.0) as client:
        form = client.get("/console/login").text
        csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        login = client.post(
            "/console/login", data={"username": "anna", "password": PASSWORD, "csrf": csrf}
        )
        assert login.status_code == 303, login.text[:300]
        pages = ["/console/admin/", "/console/admin/inbox", "/console/admin/models"]
        pages += [f"/console/admin/models/{version}/confusion.png", "/console/admin/accounts"]
        for path in pages:
            assert client.get(path).status_code == 403, path
        assert client.get("/console/api/admin/models").status_code == 403
        assert client.get("/console/api/admin/inbox").status_code == 403
        token = client.get("/console/").text.split('data-csrf="', 1)[1].split('"', 1)[0]
        headers = {"X-CSRF-Token": token, "Origin": tiny.gateway}
        for path in ("models/train", "models/deploy", "models/rollback", "inbox/annotate"):
            body = {"version": version, "ids": [1], "intent": "greet"}
            response = client.post(f"/console/api/admin/{path}", json=body, headers=headers)
            assert response.status_code == 403, (path, response.status_code)


def test_admin_retrains_deploys_and_rolls_back_from_the_pages(tiny: TinyStack) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT)
    with httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
        for text in BILLS:  # three citizens the deployed model does not understand
            assert _answer(tiny, http, text) == OLD_ANSWER
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            try:
                page = browser.new_context(locale="it-IT").new_page()
                page.set_default_timeout(TIMEOUT)
                _login(page, tiny.gateway, "ada")
                _annotate_and_add(page, expect, tiny.gateway)
                version = _retrain_and_compare(page, expect, tiny)
                page.locator(f'tr[data-version="{version}"]').get_by_role(
                    "button", name="Distribuisci"
                ).click()
                expect(page.locator("#models-result")).to_have_text(
                    f"Modello {version} in servizio su 1 server Rasa."
                )
                expect(page.locator("#deployed")).to_have_text(f"Modello in servizio: {version}")
                assert _answer(tiny, http, BILLS[0]) == NEW_ANSWER
                assert _answer(tiny, http, "ciao") == "Ciao! (modello di prova)"
                page.get_by_role("button", name="Torna al modello precedente").click()
                expect(page.locator("#deployed")).to_have_text(f"Modello in servizio: {tiny.base}")
                expect(page.locator("#history")).to_contain_text(f"{version} → {tiny.base}")
                assert _answer(tiny, http, BILLS[0]) == OLD_ANSWER
            finally:
                browser.close()
    history = Deployer(tiny.registry, [], "", Margins()).history()
    assert [(h["action"], h["to"], h["override"]) for h in history] == [
        ("model_rollback", tiny.base, None),
        ("model_deploy", version, None),  # the gate passed: no override
        ("model_deploy", tiny.base, None),
    ]
    assert history[1]["actor"] == "ada" and history[1]["gate"] == []
    _operator_is_refused(tiny, version)
    if os.environ.get("WECARE_E2E_KEEP_LOGS"):
        print(tiny.stack.log_dir)
