"""The web widget in real headless Chromium (Playwright + Debian's chromium), fake Rasa behind.

The gateway runs with uvicorn on a free port; pages are the gateway's demo page (``/``) and a
"consortium site" on another origin (served by Playwright's router) that embeds the widget with
one ``<script>`` tag. Without Chromium these tests skip, except under
``WECARE_REQUIRE_ALL_TESTS=1`` (CI), where they fail.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.fixtures.browser import launch_chromium, missing_reason, require_browser
from tests.fixtures.fake_rasa import FakeRasa
from tests.fixtures.gateway_server import GatewayServer
from tests.fixtures.servers import ServerThread

pytestmark = pytest.mark.browser

TIMEOUT = 15_000

if missing_reason() is None:
    from playwright.sync_api import Locator, Page, expect, sync_playwright
else:  # keep the module importable; the fixture skips (or fails in CI)
    Locator = Page = Any  # type: ignore[misc,assignment]


def _site_html(gateway_url: str, extra: str = "") -> str:
    return f"""<!doctype html><html lang="it"><head><meta charset="utf-8">
<title>Consorzio di prova</title></head><body>
<h1>Consorzio dei servizi sociali</h1><p><a href="#contatti">Contatti</a></p>
<script src="{gateway_url}/static/widget.js" defer data-title="Assistente CISS 38"
        data-consortium="ciss38" {extra}></script>
</body></html>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser()
    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield chromium
        chromium.close()


@pytest.fixture
def gateway(gateway_settings, fake_rasa: FakeRasa) -> Iterator[GatewayServer]:
    server = GatewayServer(gateway_settings).start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, gateway: GatewayServer) -> Iterator[Page]:
    context = browser.new_context(locale="it-IT")
    context.set_default_timeout(TIMEOUT)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, errors


class ConsortiumSite:
    """A page on another origin (its own local server) that embeds the widget."""

    def __init__(self) -> None:
        self.html = ""
        self.server = ServerThread(Starlette(routes=[Route("/", self.index)]), lifespan="off")

    async def index(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self.html)


@pytest.fixture(scope="module")
def site() -> Iterator[ConsortiumSite]:
    site = ConsortiumSite()
    site.server.start()
    yield site
    site.server.stop()


def _open_site(page: Page, site: ConsortiumSite, gateway: GatewayServer, extra: str = "") -> None:
    # Chromium refuses pages from public addresses loading loopback scripts, so the "consortium
    # site" is a second local server: same address space, another origin (port).
    site.html = _site_html(gateway.url, extra)
    page.goto(site.server.url + "/")


def _log(page: Page) -> Locator:
    return page.get_by_role("log", name="Conversazione")


def _send(page: Page, text: str) -> None:
    page.get_by_label("Messaggio").fill(text)
    page.get_by_role("button", name="Invia").click()


def _session(page: Page) -> str:
    return page.evaluate(
        "() => Object.entries(localStorage).find(([k]) => k.startsWith('wecare-chat-session'))[1]"
    )


def test_conversation_with_service_cards_and_emergency(page: Page, gateway, fake_rasa):
    page.goto(gateway.url + "/")
    expect(page.get_by_role("heading", name="Assistente WeCare")).to_be_visible()
    _send(page, "ciao")
    log = _log(page)
    expect(log.get_by_text("Ciao! Sono l'assistente WeCare. Di cosa hai bisogno?")).to_be_visible()
    page.get_by_role("button", name="Casa", exact=True).click()
    expect(log.get_by_text("Ecco i servizi per la casa a Cuorgnè:")).to_be_visible()
    cards = log.locator("article")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).get_by_role("heading")).to_have_text("1. Sostegno all'emergenza abitativa")
    expect(log.get_by_text("Servizi – casa a Cuorgnè")).to_be_visible()
    expect(log.get_by_text("Ente gestore: CISS 38 Cuorgnè")).to_be_visible()
    expect(cards.nth(0).get_by_text("Documenti: ISEE, contratto d'affitto")).to_be_visible()
    more = cards.nth(0).get_by_role("link", name=re.compile("Maggiori informazioni"))
    expect(more).to_have_attribute("href", "https://example.org/casa")
    expect(more).to_have_attribute("rel", "noopener noreferrer")
    expect(cards.nth(1).get_by_role("link", name="Sito web")).to_be_visible()
    expect(log.get_by_text(re.compile("^Da verificare"))).to_have_count(1)
    expect(log.get_by_text("Risultati 1–2 di 7.")).to_be_visible()
    expect(page.get_by_role("button", name="Altri risultati")).to_be_visible()
    expect(page.get_by_role("button", name="Lavoro")).to_have_count(0)  # old replies removed
    # the citizen's button shows as their message, the payload reaches Rasa
    expect(log.get_by_text("Casa", exact=True)).to_be_visible()
    assert fake_rasa.messages() == ["ciao", "/need_housing"]

    _send(page, "mio marito mi picchia")
    banner = log.locator(".wcw-emergency")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("link", name="Chiama il 1522")).to_have_attribute("href", "tel:1522")
    expect(banner.get_by_role("link", name="Chiama il 112")).to_have_attribute("href", "tel:112")
    expect(log.get_by_text("Non sei sola. Vuoi parlare con un operatore?")).to_be_visible()


def test_office_card_shows_the_contacts_and_marks_the_uncertain_one(page: Page, gateway):
    page.goto(gateway.url + "/")
    _send(page, "orari degli uffici")
    log = _log(page)
    card = log.locator("article").first
    expect(card.get_by_role("heading")).to_have_text("CISS 38 Cuorgnè")
    expect(card.get_by_text("Sede: Via Ivrea 100")).to_be_visible()
    phone = card.get_by_role("link", name="0124/657931")
    expect(phone).to_have_attribute("href", "tel:0124657931")
    uncertain = card.locator(".wcw-caveat")
    expect(uncertain).to_have_count(1)
    expect(uncertain).to_contain_text("Secondo numero: 0124/651796 (da verificare)")
    expect(card.get_by_role("link", name="https://example.org")).to_be_visible()


def test_service_card_shows_the_contacts_of_its_ente(page: Page, gateway):
    page.goto(gateway.url + "/")
    _send(page, "ciao")
    page.get_by_role("button", name="Casa", exact=True).click()
    first = _log(page).locator("article").first
    expect(first.get_by_text("Recapiti di CISS 38:")).to_be_visible()
    expect(first.get_by_role("link", name="0124/657931")).to_have_attribute(
        "href", "tel:0124657931"
    )
    expect(first.get_by_text("Sede: Via Ivrea 100, Cuorgnè")).to_be_visible()


def test_reload_keeps_the_conversation(page: Page, gateway):
    page.goto(gateway.url + "/")
    _send(page, "ciao")
    page.get_by_role("button", name="Casa", exact=True).click()
    expect(_log(page).locator("article")).to_have_count(2)
    session = _session(page)
    page.reload()
    log = _log(page)
    expect(log.get_by_text("ciao", exact=True)).to_have_count(1)
    expect(log.get_by_text("Ciao! Sono l'assistente WeCare. Di cosa hai bisogno?")).to_have_count(1)
    expect(log.locator("article")).to_have_count(2)
    expect(log.get_by_text("Casa", exact=True)).to_have_count(1)  # button title, not payload
    expect(page.get_by_role("button", name="Altri risultati")).to_be_visible()
    assert _session(page) == session
    # the conversation goes on in the same session after the reload
    _send(page, "grazie")
    expect(log.get_by_text("Hai scritto: grazie")).to_be_visible()
    expect(log.get_by_text("ciao", exact=True)).to_have_count(1)


def test_reconnects_after_a_gateway_restart(page: Page, gateway, fake_rasa):
    page.goto(gateway.url + "/")
    _send(page, "ciao")
    log = _log(page)
    expect(log.get_by_text("Ciao! Sono l'assistente WeCare. Di cosa hai bisogno?")).to_be_visible()
    gateway.stop()
    status = page.get_by_role("status")
    expect(status).to_have_text(re.compile("Connessione persa"))
    _send(page, "ho perso la casa")  # typed while the gateway is down: queued, sent later
    expect(status).to_have_text(re.compile("Non collegato"))
    gateway.start()
    expect(log.get_by_text("Ecco i servizi per la casa a Cuorgnè:")).to_be_visible(timeout=30_000)
    expect(status).to_have_text("")
    expect(log.get_by_text("ho perso la casa")).to_have_count(1)
    assert fake_rasa.messages() == ["ciao", "ho perso la casa"]
    _send(page, "grazie")
    expect(log.get_by_text("Hai scritto: grazie")).to_be_visible()


def test_keyboard_only_use(page: Page, gateway, site):
    _open_site(page, site, gateway)
    launcher = page.get_by_role("button", name="Assistente CISS 38")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    for _ in range(10):
        page.keyboard.press("Tab")
        if launcher.evaluate("(el) => el.getRootNode().activeElement === el"):
            break
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    message = page.get_by_label("Messaggio")
    expect(message).to_be_focused()
    page.keyboard.type("ciao")
    page.keyboard.press("Enter")
    casa = page.get_by_role("button", name="Casa", exact=True)
    expect(casa).to_be_visible()
    for _ in range(6):  # back from the input to the quick replies
        page.keyboard.press("Shift+Tab")
        if casa.evaluate("(el) => el.getRootNode().activeElement === el"):
            break
    expect(casa).to_be_focused()
    page.keyboard.press("Enter")
    expect(_log(page).locator("article")).to_have_count(2)
    expect(message).to_be_focused()
    page.keyboard.type("grazie")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Invia")).to_be_focused()
    page.keyboard.press("Enter")
    expect(_log(page).get_by_text("Hai scritto: grazie")).to_be_visible()
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(message).to_be_hidden()


def test_html_injection_is_shown_as_text(page: Page, gateway, fake_rasa):
    page.goto(gateway.url + "/")
    attack = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    _send(page, attack)
    log = _log(page)
    expect(log.get_by_text("Hai scritto: " + attack)).to_be_visible()
    expect(log.get_by_text(attack, exact=True)).to_have_count(1)  # the citizen's own bubble
    page.reload()
    expect(log.get_by_text("Hai scritto: " + attack)).to_be_visible()
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__pwned") is None
    assert log.locator("img, script").count() == 0
    assert fake_rasa.messages() == [attack]


def test_operator_message_shows_the_operator_name(page: Page, gateway):
    page.goto(gateway.url + "/")
    _send(page, "ciao")
    log = _log(page)
    expect(log.get_by_text("Ciao! Sono l'assistente WeCare. Di cosa hai bisogno?")).to_be_visible()
    page.get_by_role("button", name="Chiudi la chat").click()
    body = {"session": _session(page), "text": "Buongiorno, sono Anna del CISS 38.", "name": "Anna"}
    assert httpx.post(gateway.url + "/test/push", json=body).status_code == 200
    launcher = page.get_by_role("button", name="Assistente WeCare (nuovo messaggio)")
    expect(launcher).to_be_visible()
    launcher.click()
    bubble = log.locator(".wcw-msg-operator")
    expect(bubble).to_contain_text("Anna (operatore)")
    expect(bubble).to_contain_text("Buongiorno, sono Anna del CISS 38.")
    page.reload()
    expect(_log(page).locator(".wcw-msg-operator")).to_contain_text("Anna (operatore)")


CONTRAST_JS = """
(selectors) => {
  const root = document.querySelector('.wecare-widget').shadowRoot;
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const v = c.map((x) => {
      x /= 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  };
  const bg = (el) => {
    for (; el && el.nodeType === 1; el = el.parentNode || el.host) {
      const c = getComputedStyle(el).backgroundColor;
      if (c && !c.endsWith(', 0)') && c !== 'transparent') return c;
    }
    return 'rgb(255, 255, 255)';
  };
  const out = {};
  for (const sel of selectors) {
    const el = root.querySelector(sel);
    if (!el) { out[sel] = null; continue; }
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(rgb(bg(el)));
    out[sel] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }
  return out;
}
"""
CONTRAST_SELECTORS = [
    ".wcw-launcher",
    ".wcw-title",
    ".wcw-msg-in",
    ".wcw-msg-out",
    ".wcw-reply",
    ".wcw-send",
    ".wcw-card h3",
    ".wcw-provider",
    ".wcw-caveat",
    ".wcw-card a",
    ".wcw-emergency a",
    ".wcw-status",
]


@pytest.mark.parametrize(
    "extra",
    ["", 'data-color="#ffd700" data-text-color="#ffffff"'],  # 2nd: a pair below 4.5:1
    ids=["default", "consortium-colours"],
)
def test_wcag_aa_contrast(page: Page, gateway, site, extra: str):
    _open_site(page, site, gateway, extra + ' data-open="true"')
    expect(page.get_by_role("heading", name="Assistente CISS 38")).to_be_visible()
    _send(page, "mi picchia")
    expect(_log(page).locator(".wcw-emergency")).to_be_visible()
    _send(page, "ciao")
    page.get_by_role("button", name="Casa", exact=True).click()
    expect(page.get_by_role("button", name="Altri risultati")).to_be_visible()
    page.evaluate(
        "() => { const s = document.querySelector('.wecare-widget').shadowRoot"
        ".querySelector('.wcw-status'); s.textContent = 'prova'; }"
    )
    ratios = page.evaluate(CONTRAST_JS, CONTRAST_SELECTORS)
    low = {sel: ratio for sel, ratio in ratios.items() if ratio is None or ratio < 4.5}
    assert not low, ratios


def test_embedded_on_another_origin_with_its_consortium(page: Page, gateway, site, fake_rasa):
    _open_site(page, site, gateway, 'data-color="#7b1fa2"')
    page.get_by_role("button", name="Assistente CISS 38").click()
    _send(page, "ciao")
    expect(_log(page).get_by_text("Ciao! Sono l'assistente WeCare.", exact=False)).to_be_visible()
    sender = fake_rasa.received[0]["sender"]
    assert sender.startswith("web-")
    history = httpx.get(
        f"{gateway.url}/api/chat/history", params={"session": sender.removeprefix("web-")}
    )
    assert history.json()["messages"][0]["text"] == "ciao"
    header = page.locator(".wcw-header")
    expect(header).to_have_css("background-color", "rgb(123, 31, 162)")


def test_rasa_down_gets_a_polite_notice_then_the_late_answer(page: Page, gateway, fake_rasa):
    fake_rasa.down = True
    page.goto(gateway.url + "/")
    _send(page, "mi serve aiuto con le bollette")
    notice = _log(page).locator(".wcw-msg-system")
    expect(notice).to_contain_text("Il tuo messaggio è stato registrato")
    expect(notice).to_contain_text("ti risponderò qui appena possibile")
    fake_rasa.down = False
    _send(page, "ciao")
    # the kept message is answered first, with the late note, then the new one
    expect(_log(page).get_by_text("Scusa il ritardo", exact=False)).to_be_visible()
    late = _log(page).get_by_text("Hai scritto: mi serve aiuto con le bollette")
    expect(late).to_be_visible()
    expect(_log(page).get_by_text("Ciao! Sono l'assistente WeCare.", exact=False)).to_be_visible()
    texts = _log(page).locator(".wcw-msg").all_inner_texts()
    late_at = next(i for i, t in enumerate(texts) if "Hai scritto: mi serve aiuto" in t)
    hello_at = next(i for i, t in enumerate(texts) if "Ciao! Sono l'assistente" in t)
    assert late_at < hello_at
    assert fake_rasa.messages() == ["mi serve aiuto con le bollette", "ciao"]


def test_new_chat_starts_a_new_session(page: Page, gateway, fake_rasa):
    page.goto(gateway.url + "/")
    _send(page, "ciao")
    expect(_log(page).get_by_text("Ciao! Sono l'assistente WeCare.", exact=False)).to_be_visible()
    first = _session(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("^Nuova chat")).click()
    expect(_log(page).get_by_text("ciao", exact=True)).to_have_count(0)
    assert _session(page) != first
    _send(page, "grazie")
    expect(_log(page).get_by_text("Hai scritto: grazie")).to_be_visible()
    senders = [r["sender"] for r in fake_rasa.received]
    assert senders == [f"web-{first}", f"web-{_session(page)}"]
    page.reload()
    expect(_log(page).get_by_text("Hai scritto: grazie")).to_be_visible()
    expect(_log(page).get_by_text("ciao", exact=True)).to_have_count(0)


def test_message_sent_while_the_history_loads_is_sent_once(page: Page, gateway, fake_rasa):
    """A message typed while the history is on its way goes out once.

    The history is answered by the gateway (empty) before the message is sent, and reaches
    the widget after it, while Rasa still works on the message. The widget used to send every
    pending message again after the history, also those already sent on the current
    connection, so the gateway answered them twice (the flaky "Nuova chat" test).
    """
    held: list[Any] = []
    page.route("**/api/chat/history*", lambda route: held.append(route))
    page.goto(gateway.url + "/")
    deadline = time.monotonic() + TIMEOUT / 1000
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # dispatches Playwright events while waiting
    assert held, "the widget did not ask for the history"
    history = held[0].fetch()  # served now: the message below is not in it
    fake_rasa.gate.clear()
    _send(page, "grazie")
    while fake_rasa.messages() != ["grazie"] and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    held[0].fulfill(response=history)
    page.unroute("**/api/chat/history*")
    # the widget handles the history (and, before the fix, sent "grazie" again)
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 300))")
    fake_rasa.gate.set()
    expect(_log(page).get_by_text("Hai scritto: grazie")).to_be_visible()
    _send(page, "ancora")
    expect(_log(page).get_by_text("Hai scritto: ancora")).to_be_visible()
    assert fake_rasa.messages() == ["grazie", "ancora"]
    expect(_log(page).get_by_text("Hai scritto: grazie")).to_have_count(1)
