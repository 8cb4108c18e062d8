"""End-to-end handoff in real Chromium: widget or Telegram citizen ↔ console operator ↔ bot.

The gateway runs in uvicorn on a local port with the fake Rasa server (tracker events and
pause included) and, for Telegram, the fake Bot API. ``WECARE_UPDATE_SCREENSHOT=1`` also
writes the console screenshot used by the README (``docs/img/console.png``).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.handoff.hours import OperatorHours
from bot.texts import citizen_texts
from tests.fixtures.fake_telegram import TOKEN, FakeBotAPI
from tests.fixtures.handoff import PASSWORD, add_operators, handoff_app, repos
from tests.fixtures.servers import ServerThread

pytestmark = [pytest.mark.browser, pytest.mark.slow]

from wecare.settings import ROOT  # noqa: E402

BACK_TO_BOT = citizen_texts().text("handoff.back_to_bot")
TIMEOUT = 20_000  # ms, generous: 2 shared cores


def expect() -> Any:
    from playwright.sync_api import expect as pw_expect

    pw_expect.set_options(timeout=TIMEOUT)
    return pw_expect


@pytest.fixture
def gateway(settings, clock) -> Iterator[tuple[str, Any]]:
    clock.now = datetime.now(timezone.utc)  # real time, so the screenshot reads naturally
    app = handoff_app(settings, clock, OperatorHours.always_open())
    add_operators(app)
    server = ServerThread(app).start()
    yield server.url, app
    server.stop()


def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def console_login(browser: Any, base: str, username: str) -> Any:
    """Open a console page in its own browser context and log in through the form."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{base}/console/")  # redirected to the login form
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect()(page.locator("#live")).to_have_text("aggiornamenti in tempo reale attivi")
    return page


def claim_first(page: Any) -> None:
    """Open the first conversation of the queue and claim it."""
    page.locator("#queue button.item").first.click()
    page.get_by_role("button", name="Prendi in carico").click()
    expect()(page.locator("#feedback")).to_have_text("Conversazione presa in carico.")


def operator_says(page: Any, text: str) -> None:
    page.get_by_label("Messaggio al cittadino").fill(text)
    page.get_by_role("button", name="Invia").click()
    expect()(page.locator("#transcript")).to_contain_text(text)


def save_screenshot(page: Any, tmp_path: Path) -> None:
    shot = tmp_path / "console.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    if os.environ.get("WECARE_UPDATE_SCREENSHOT") == "1":
        target = ROOT / "docs" / "img" / "console.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)


def test_widget_citizen_reaches_a_ciss38_operator_and_goes_back_to_the_bot(
    browser, gateway, fake_rasa, tmp_path
):
    """Done-when of issue 6, in one browser test."""
    base, app = gateway
    fake_rasa.default_ente = "ciss38"
    see = expect()

    citizen = browser.new_context(locale="it-IT").new_page()
    citizen.set_default_timeout(TIMEOUT)
    citizen.goto(f"{base}/")
    log = citizen.locator(".wcw-log")
    box = citizen.locator(".wcw-input")
    see(box).to_be_visible()

    # The citizen talks to the bot, then asks for a person.
    box.fill("ciao")
    box.press("Enter")
    see(log).to_contain_text("Ciao! Sono l'assistente WeCare")
    box.fill("ho un problema con l'affitto, abito a Cuorgnè")
    box.press("Enter")
    see(log).to_contain_text("Ecco i servizi per la casa a Cuorgnè")
    box.fill("vorrei parlare con un operatore")
    box.press("Enter")
    see(log).to_contain_text("Sei in coda: posizione 1")

    # An operator of the right consortium (CISS 38) sees it in the queue and claims it.
    anna = console_login(browser, base, "anna")
    see(anna.locator("#queue")).to_contain_text("CISS 38")
    claim_first(anna)
    see(log).to_contain_text("sono Anna Bianchi di CISS 38")
    transcript = anna.locator("#transcript")
    see(transcript).to_contain_text("Ciao! Sono l'assistente WeCare")  # the bot part
    see(anna.locator("#conv-info")).to_contain_text("Cuorgnè")  # extracted comune
    see(anna.locator("#conv-info")).to_contain_text("casa")  # and need

    # They chat, both ways, in real time.
    operator_says(anna, "Buongiorno, sono Anna. Come posso aiutarla?")
    see(log.locator(".wcw-msg-operator").last).to_contain_text("Anna Bianchi (operatore)")
    see(log).to_contain_text("Buongiorno, sono Anna. Come posso aiutarla?")
    box.fill("Ho ricevuto lo sfratto, cosa posso fare?")
    box.press("Enter")
    see(transcript).to_contain_text("Ho ricevuto lo sfratto, cosa posso fare?")
    assert "Ho ricevuto lo sfratto, cosa posso fare?" not in fake_rasa.messages()
    wait_until(lambda: "Ho ricevuto lo sfratto, cosa posso fare?" in fake_rasa.paused_messages)
    anna.get_by_label("Nuova nota interna").fill("Sfratto: proporre colloquio con l'AS")
    anna.get_by_role("button", name="Salva nota").click()
    see(anna.locator("#notes")).to_contain_text("Sfratto: proporre colloquio")
    save_screenshot(anna, tmp_path)

    # The operator hands back; the bot answers again.
    anna.get_by_role("button", name="Restituisci all'assistente").click()
    see(log).to_contain_text(BACK_TO_BOT)
    box.fill("ciao di nuovo")
    box.press("Enter")
    see(log.locator(".wcw-msg").last).to_contain_text("Ciao! Sono l'assistente WeCare")
    assert fake_rasa.messages()[-1] == "ciao di nuovo"
    sender = (
        repos(app)
        .conversations.find_conversation(next(s for s in fake_rasa.events if s.startswith("web-")))
        .sender_id
    )
    kinds = fake_rasa.event_kinds(sender)
    assert kinds[0] == "pause" and "bot" in kinds and kinds[-2:] == ["resume", "action"]


@pytest.fixture
def telegram_gateway(settings, clock) -> Iterator[tuple[str, Any, FakeBotAPI]]:
    api = FakeBotAPI()
    api_server = ServerThread(api.app, lifespan="off").start()
    tg_settings = replace(
        settings, telegram_bot_token=TOKEN, telegram_api_base_url=f"{api_server.url}/bot"
    )
    app = handoff_app(tg_settings, clock)
    add_operators(app)
    server = ServerThread(app).start()
    yield server.url, app, api
    server.stop()
    api_server.stop()


def test_telegram_citizen_reaches_an_operator_in_the_console_and_back(
    browser, telegram_gateway, fake_rasa
):
    base, app, api = telegram_gateway
    chat = 777001
    see = expect()

    def wait_text(fragment: str) -> None:
        api.wait_sent(lambda sent: any(fragment in m.get("text", "") for m in sent), chat_id=chat)

    api.push_text(chat, "/operatore")
    wait_text("Sei in coda: posizione 1")

    # A colleague of another consortium does not see it.
    ivo = console_login(browser, base, "ivo")
    see(ivo.locator("#queue")).to_contain_text("Nessuno in coda.")

    anna = console_login(browser, base, "anna")
    see(anna.locator("#queue")).to_contain_text("Telegram")
    claim_first(anna)
    wait_text("sono Anna Bianchi di CISS 38")
    operator_says(anna, "Buongiorno! Mi dica pure.")
    wait_text("Anna Bianchi: Buongiorno! Mi dica pure.")
    api.push_text(chat, "Mi serve aiuto per le bollette")
    see(anna.locator("#transcript")).to_contain_text("Mi serve aiuto per le bollette")
    see(ivo.locator("#queue")).to_contain_text("Nessuno in coda.")

    anna.get_by_role("button", name="Restituisci all'assistente").click()
    wait_text(BACK_TO_BOT)
    api.push_text(chat, "ciao")
    wait_text("Ciao! Sono l'assistente WeCare")
    kinds = fake_rasa.event_kinds(f"tg-{chat}")
    assert kinds[0] == "pause" and kinds[-2:] == ["resume", "action"]
