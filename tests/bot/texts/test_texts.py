"""bot/texts/*.yml: every key the code, the templates and the front ends use exists (and
every text is used), and the front ends receive the files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.telegram.cards import CONTACT_ICONS
from bot.telegram.handlers import COMMANDS
from bot.texts import CITIZEN, CONSOLE, load_texts
from catalog.constants import CATEGORIES
from tests.fixtures.handoff import Console, add_operators, handoff_app
from wecare.settings import ROOT

BOT = ROOT / "bot"
_PY_KEY = re.compile(r"""texts\.(?:text|table|words)\(\s*["']([a-z0-9_.]+)["']""")
_NOTICE_KEY = re.compile(r"""\b(?:notice|_button)\(\s*["']([a-z_]+)["']""")
_JS_KEY = re.compile(r'\bt\(\s*"([a-z0-9_.]+)"')
_JS_SECTION = re.compile(r"\bTEXTS\.([a-z_]+)\b")
_TEMPLATE_KEY = re.compile(r'texts\.text\(\s*"([a-z0-9_.]+)"\s*[,)]')


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def citizen_keys_used() -> set[str]:
    """Keys of citizen.yml used by the gateway, handoff, Telegram and the widget."""
    keys: set[str] = set()
    for path in BOT.rglob("*.py"):
        if "console" in path.relative_to(BOT).parts:
            continue
        source = _read(path)
        keys |= set(_PY_KEY.findall(source))
        if path.parent.name == "handoff":
            keys |= {f"handoff.{k}" for k in _NOTICE_KEY.findall(source)}
    keys |= {f"telegram.contact_{kind}" for kind in CONTACT_ICONS}  # f-string in cards.py
    keys |= {f"telegram.command_{name}" for name in COMMANDS}  # f-string in channel.py
    widget = _read(BOT / "web" / "static" / "widget.js")
    keys |= set(_JS_KEY.findall(widget)) | set(_JS_SECTION.findall(widget))
    return keys


def console_keys_used() -> set[str]:
    """Keys of console.yml used by the console's Python, templates and console.js."""
    keys: set[str] = set()
    for path in (BOT / "console").rglob("*.py"):
        keys |= set(_PY_KEY.findall(_read(path)))
    for path in (BOT / "console" / "templates").rglob("*.html"):
        keys |= set(_TEMPLATE_KEY.findall(_read(path)))
    for path in (BOT / "console" / "static").glob("*.js"):
        script = _read(path)
        keys |= set(_JS_KEY.findall(script)) | set(_JS_SECTION.findall(script))
    return keys


FILES = [(CITIZEN, citizen_keys_used), (CONSOLE, console_keys_used)]


@pytest.mark.parametrize(("name", "used"), FILES)
def test_every_key_used_exists(name, used):
    keys = load_texts(name).keys()
    missing = sorted(k for k in used() if k not in keys)
    assert not missing, f"keys used but missing in bot/texts/{name}.yml: {missing}"


FILES = [(CITIZEN, citizen_keys_used), (CONSOLE, console_keys_used)]


@pytest.mark.parametrize(("name", "used"), FILES)
def test_every_text_is_used(name, used):
    found = used()
    texts = load_texts(name)
    unused = sorted(
        key
        for key in texts.keys()
        if key not in found
        and not any(key.startswith(f"{k}.") for k in found)
        and not any(k.startswith(f"{key}.") for k in found)
    )
    assert not unused, f"texts of bot/texts/{name}.yml nobody uses: {unused}"


def test_categories_are_the_catalog_categories():
    assert set(load_texts(CITIZEN).table("categories")) == set(CATEGORIES)
    assert set(load_texts(CONSOLE).table("needs")) == set(CATEGORIES)


def test_placeholders_are_well_formed():
    for name in (CITIZEN, CONSOLE):
        texts = load_texts(name)
        for key in texts.keys():
            try:
                value = texts.text(key)
            except KeyError:
                continue  # a section or a list
            assert value.count("{") == value.count("}"), (name, key)
            assert re.fullmatch(r"[^{}]*(\{[a-z_]+\}[^{}]*)*", value), (name, key)


def test_the_widget_is_served_with_its_texts(gateway_settings):
    with TestClient(create_app(gateway_settings)) as client:
        response = client.get("/static/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "/*@texts*/" not in response.text
    embedded = re.search(r"var TEXTS = (\{.*?\});\n", response.text).group(1)
    data = json.loads(embedded)
    assert data["widget"]["send"] == "Invia" and data["categories"]["housing"] == "casa"


def test_the_console_page_carries_its_texts(settings, clock):
    app = handoff_app(settings, clock)
    add_operators(app)
    with TestClient(app) as client:
        console = Console.of(app, client)
        assert console.login("anna").status_code == 303
        page = console.client.get("/console/")
    found = re.search(r'data-texts="([^"]+)"', page.text).group(1)
    data = json.loads(found.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&"))
    assert data["statuses"]["queued"] == "in coda"
    assert "Prendi in carico" in page.text  # the template reads console.yml too
