"""The models page: the gate's comparison, a refused deploy, an audited override, rollback.

Rasa servers are HTTP fakes recording ``PUT /model`` (see test_deploy.py); the models are
registry rows with evaluations (the real training is tests/bot/nlu_models/test_registry.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.bot.nlu_models.test_deploy import GOOD, WEAK, FakeRasaServer
from tests.fixtures.handoff import PASSWORD, Console, add_operators, handoff_app, repos
from tests.fixtures.servers import ServerThread

API = "/admin/models"
TIMEOUT = 20_000


PAIRS = {
    "0001-base": [{"gold": "need_housing", "pred": "nlu_fallback", "count": 4}],
    "0002-weak": [{"gold": "greet", "pred": "goodbye", "count": 7}],
}


def _png(version: str) -> bytes:
    """A real PNG (one colour per model), so that the browser decodes it."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    width, height = 160, 120
    shade = 60 if version.startswith("0001") else 200
    rows = b"".join(b"\x00" + bytes([shade, 90, 160]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def rasa_servers():
    servers = [FakeRasaServer("secret"), FakeRasaServer("secret")]
    yield servers
    for server in servers:
        server.thread.stop()


@pytest.fixture
def app(settings, clock, rasa_servers, tmp_path):
    settings = replace(
        settings,
        rasa_urls=tuple(s.url for s in rasa_servers),
        rasa_token="secret",
        nlu_models_dir=tmp_path / "models",
    )
    app = handoff_app(settings, clock)
    add_operators(app)
    repos(app).accounts.add("ada", "Ada Admin", PASSWORD, role="admin")
    from bot.store.models import NluModel

    (tmp_path / "models").mkdir()
    with repos(app).conversations.session() as s:
        for version, evaluation in (("0001-base", GOOD), ("0002-weak", WEAK)):
            archive = tmp_path / f"{version}.tar.gz"
            archive.write_bytes(b"model")
            png = tmp_path / "models" / f"{version}-confusion.png"
            png.write_bytes(_png(version))
            pairs = PAIRS[version]
            s.add(
                NluModel(
                    version=version,
                    status="trained",
                    kind="full",
                    config="config.yml",
                    data_checksum=version,
                    started_by="ada",
                    model_path=str(archive),
                    evaluation={
                        **evaluation,
                        "fallbacks": 3,
                        "confident_errors": 2,
                        "confusion_pairs": pairs,
                        "confusion_png": png.name,
                    },
                )
            )
    return app


def test_api_gate_override_rollback_and_403(app, rasa_servers):
    with TestClient(app) as client:
        ada = Console.of(app, client)
        assert ada.login("ada").status_code == 303
        assert ada.get(API).json()["deployed"] is None
        assert ada.post(f"{API}/deploy", {"version": "0001-base"}).status_code == 200
        refused = ada.post(f"{API}/deploy", {"version": "0002-weak"})
        assert refused.status_code == 409 and refused.json()["overridable"]
        assert any("macro-F1 drops" in r["text"] for r in refused.json()["reasons"])
        assert refused.json()["reasons"][0]["code"] == "macro_f1"
        assert ada.post(f"{API}/deploy", {"version": 3}).status_code == 400
        forced = ada.post(f"{API}/deploy", {"version": "0002-weak", "override": "prova"})
        assert forced.status_code == 200 and forced.json()["overridden"]
        assert Path(rasa_servers[1].model).name == "0002-weak.tar.gz"
        back = ada.post(f"{API}/rollback")
        assert back.json()["version"] == "0001-base"
        page = ada.client.get("/console/admin/models")
        assert "Modello in servizio: 0001-base" in page.text and "forzata: prova" in page.text
        image = ada.client.get("/console/admin/models/0002-weak/confusion.png")
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content == _png("0002-weak")
        assert ada.client.get("/console/admin/models/0009-none/confusion.png").status_code == 404
        assert 'data-confusion="0001-base"' in page.text and "greet → goodbye (7)" in page.text
        anna = Console.of(app, client)
        assert anna.login("anna").status_code == 303
        assert anna.client.get("/console/admin/models").status_code == 403
        png = "/console/admin/models/0001-base/confusion.png"
        assert anna.client.get(png).status_code == 403
        assert anna.get(API).status_code == 403
        for path in ("/train", "/deploy", "/rollback"):
            assert anna.post(f"{API}{path}", {"version": "0001-base"}).status_code == 403


@pytest.mark.browser
def test_admin_sees_the_comparison_is_refused_and_overrides(browser, app, rasa_servers):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    thread = ServerThread(app).start()
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="it-IT")
        page: Any = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(f"{thread.url}/console/admin/models")
        page.get_by_label("Nome utente").fill("ada")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Accedi").click()
        page.goto(f"{thread.url}/console/admin/models")
        page.locator('tr[data-version="0001-base"]').get_by_role(
            "button", name="Distribuisci"
        ).click()
        expect(page.locator("#models-result")).to_have_text(
            "Modello 0001-base in servizio su 2 server Rasa."
        )
        weak = page.locator('tr[data-version="0002-weak"]')
        weak.locator("summary").click()
        expect(weak).to_contain_text("Confronto per intento con 0001-base")
        expect(weak).to_contain_text("0.500")
        # the deployed model's and the candidate's confusion matrices and pairs, side by side
        for version, pair in (
            ("0001-base", "need_housing → nlu_fallback (4)"),
            ("0002-weak", "greet → goodbye (7)"),
        ):
            figure = weak.locator(f'figure[data-confusion="{version}"]')
            expect(figure).to_contain_text(f"Matrice di confusione di {version}")
            expect(figure.locator("ol.pairs")).to_have_text(pair)
            image = figure.locator("img")
            image.scroll_into_view_if_needed()
            assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 160
        weak.get_by_role("button", name="Distribuisci").click()
        expect(page.locator("#gate-reasons")).to_contain_text(
            "il macro-F1 scende da 0.900 a 0.400 (margine 0.010)"
        )
        assert Path(rasa_servers[0].model).name == "0001-base.tar.gz"
        page.get_by_role("button", name="Distribuisci comunque").click()
        expect(page.locator("#models-result")).to_have_text("Scrivi il motivo della forzatura.")
        page.get_by_label("Motivo della forzatura (registrato)").fill("prova in comune pilota")
        page.get_by_role("button", name="Distribuisci comunque").click()
        expect(page.locator("#deployed")).to_have_text("Modello in servizio: 0002-weak")
        expect(page.locator("#history")).to_contain_text("forzata: prova in comune pilota")
        page.get_by_role("button", name="Torna al modello precedente").click()
        expect(page.locator("#deployed")).to_have_text("Modello in servizio: 0001-base")
        assert all(Path(s.model).name == "0001-base.tar.gz" for s in rasa_servers)
        if __import__("os").environ.get("WECARE_UPDATE_SCREENSHOT") == "1":
            from wecare.settings import ROOT

            page.locator('tr[data-version="0002-weak"] summary').click()
            page.screenshot(path=str(ROOT / "docs" / "img" / "models.png"), full_page=True)
        context.close()
    finally:
        thread.stop()
