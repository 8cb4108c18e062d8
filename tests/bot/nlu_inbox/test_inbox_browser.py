"""The NLU inbox page in real Chromium: log in as admin, see the masked text, annotate, add.

``WECARE_UPDATE_SCREENSHOT=1`` also writes the README's screenshot (``docs/img/inbox.png``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.bot.nlu_inbox.conftest import PASSWORD, admin_app, seed
from tests.fixtures.servers import ServerThread
from wecare.settings import ROOT

pytestmark = [pytest.mark.browser]
TIMEOUT = 20_000


@pytest.fixture
def server(settings, clock) -> Iterator[str]:
    thread = ServerThread(admin_app(settings, clock)).start()
    yield thread.url
    thread.stop()


def _admin_login(page: Any, server: str) -> None:
    """Log in as the admin ``ada`` and open the inbox."""
    page.goto(f"{server}/console/admin/inbox")  # redirected to the login form
    page.get_by_label("Nome utente").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.goto(f"{server}/console/admin/inbox")


def test_admin_annotates_and_adds_in_the_inbox_page(browser, server, tracker, data_dir):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    seed(tracker)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="it-IT")
    page: Any = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{server}/console/admin/inbox")  # redirected to the login form
    page.get_by_label("Nome utente").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.goto(f"{server}/console/admin/")
    page.get_by_role("navigation").get_by_role("link", name="Messaggi non capiti").click()
    rows = page.locator("#inbox tbody tr")
    expect(rows).to_have_count(5)  # 6 messages, two near-duplicates in one row
    phone = rows.filter(has_text="bolletta")
    expect(phone).to_contain_text("«telefono»")
    expect(phone).not_to_contain_text("333")
    expect(rows.filter(has_text="ho capito")).to_contain_text("2 messaggi simili")
    if os.environ.get("WECARE_UPDATE_SCREENSHOT") == "1":
        page.screenshot(path=str(ROOT / "docs" / "img" / "inbox.png"), full_page=True)
    unsure = rows.filter(has_text="boh forse la casa")
    unsure.locator("select.row-intent").select_option("need_housing")
    unsure.get_by_role("button", name="Annota").click()
    expect(page.locator("#inbox-result")).to_have_text("Fatto: 1 messaggi aggiornati.")
    expect(rows).to_have_count(4)  # no longer new
    rows.filter(has_text="ho capito").get_by_role("button", name="Ignora").click()
    expect(rows).to_have_count(3)
    page.locator("#f-status").select_option("annotated")
    page.get_by_role("button", name="Filtra").click()
    annotated = page.locator("#inbox tbody tr")
    expect(annotated).to_have_count(1)
    expect(annotated).to_contain_text("annotato")
    annotated.locator(".pick").check()
    page.get_by_role("button", name="Aggiungi ai dati di addestramento").click()
    expect(page.locator("#inbox-result")).to_have_text(
        "Aggiunti 1 esempi ai dati di addestramento."
    )
    expect(page.locator("#inbox-empty")).to_be_visible()
    assert "- boh forse la casa" in (data_dir / "inbox" / "need_housing.yml").read_text()
    page.locator("#f-status").select_option("added")
    page.get_by_role("button", name="Filtra").click()
    expect(page.locator("#inbox tbody tr")).to_contain_text("nlu/data/inbox/need_housing.yml")
    context.close()


def test_an_operator_flags_a_message_and_the_admin_sees_it(browser, server, settings):
    from playwright.sync_api import expect

    from bot.store import ConversationRepository, create_store_engine

    expect.set_options(timeout=TIMEOUT)
    engine = create_store_engine(settings.app_database_url)
    repo = ConversationRepository(engine)
    conv = repo.get_or_create_conversation("web", "web-flag-browser-01", ente_gestore_id="ciss38")
    repo.log_message(
        conv,
        direction="in",
        sender_kind="citizen",
        text="mi serve il coso per la bolletta, il mio cell è 347 1234567",
        status="forwarded",
    )
    engine.dispose()
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="it-IT")
    page: Any = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{server}/console/")
    page.get_by_label("Nome utente").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.locator("#botconvs button.item").first.click()
    page.get_by_role("button", name="Segnala come non capito").click()
    expect(page.locator("#feedback")).to_have_text(
        "Segnalato agli amministratori (messaggi non capiti)."
    )
    context.close()
    admin = browser.new_context(locale="it-IT")
    page = admin.new_page()
    page.set_default_timeout(TIMEOUT)
    _admin_login(page, server)
    row = page.locator("#inbox tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("il mio cell è «telefono»")
    expect(row).to_contain_text("segnalato da un operatore")
    admin.close()


def test_admin_marks_the_entities_of_an_annotation(browser, server, tracker, data_dir):
    """Optional entities: words of the shown text, a target_group value from the domain."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    tracker.user("web-fede", "cerco aiuto per i miei bimbi di 6 anni", "nlu_fallback", 0.5)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="it-IT")
    page: Any = context.new_page()
    page.set_default_timeout(TIMEOUT)
    _admin_login(page, server)
    row = page.locator("#inbox tbody tr").filter(has_text="bimbi")
    row.locator("select.row-intent").select_option("need_family_minors")
    row.get_by_text("Entità (facoltative)").click()
    row.get_by_label("Gruppo di persone: parole del messaggio").fill("bambini")
    row.get_by_role("button", name="Annota").click()  # not words of the message: refused
    expect(page.locator("#inbox-result")).to_contain_text('"bambini" non è nel testo')
    row.get_by_label("Gruppo di persone: parole del messaggio").fill("bimbi")
    row.get_by_label("valore").select_option("minori")
    row.get_by_label("Età: parole del messaggio").fill("6 anni")
    row.get_by_role("button", name="Annota").click()
    expect(page.locator("#inbox-result")).to_have_text("Fatto: 1 messaggi aggiornati.")
    page.locator("#f-status").select_option("annotated")
    page.get_by_role("button", name="Filtra").click()
    annotated = page.locator("#inbox tbody tr")
    expect(annotated).to_have_count(1)
    annotated.locator(".pick").check()
    page.get_by_role("button", name="Aggiungi ai dati di addestramento").click()
    expect(page.locator("#inbox-result")).to_have_text(
        "Aggiunti 1 esempi ai dati di addestramento."
    )
    written = (data_dir / "inbox" / "need_family_minors.yml").read_text()
    assert (
        '- cerco aiuto per i miei [bimbi]{"entity": "target_group", "value": "minori"} di '
        "[6 anni](age)" in written
    ), written
    context.close()
