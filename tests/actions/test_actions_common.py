"""The actions package as a whole: registration, domain responses, catalog errors."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from rasa_sdk.executor import ActionExecutor

from actions.common import CatalogDown, catalog

ACTIONS_DIR = Path(__file__).resolve().parents[2] / "actions"


def test_every_domain_action_is_registered_and_nothing_else(domain) -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    # an entry is a name, or {name: {send_domain: true}} (selective domain, bot/endpoints.yml)
    names = {next(iter(a)) if isinstance(a, dict) else a for a in domain["actions"]}
    assert set(executor.actions) == names


def test_every_response_sent_by_an_action_is_in_the_domain(domain) -> None:
    used: set[str] = set()
    for path in ACTIONS_DIR.glob("*.py"):
        used |= set(re.findall(r'"(utter_[a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    used.discard("utter_emergency_numbers_fallback")  # + "_minor", both checked below
    used |= {"utter_emergency_numbers_fallback", "utter_emergency_numbers_fallback_minor"}
    missing = sorted(name for name in used if name not in domain["responses"])
    assert not missing


def test_action_texts_use_only_known_parameters(domain) -> None:
    """Each {placeholder} of an action response is one the actions pass (or a slot)."""
    passed = {"comune", "ente_name", "page", "pages", "service", "documents", "cap", "date"}
    passed.add("need_label")  # utter_offer_resume_need (actions/safety.py)
    for name, variants in domain["responses"].items():
        for variant in variants:
            for key in re.findall(r"{(\w+)}", variant.get("text") or ""):
                assert key in passed or key in domain["slots"], (name, key)


async def test_catalog_down_is_logged_without_arguments(catalog_down, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="actions.catalog_client"):
        with pytest.raises(CatalogDown):
            await catalog().find_for_citizen("violence", text="mio marito mi picchia")
    assert "catalog unavailable in find_for_citizen" in caplog.text
    assert "picchia" not in caplog.text


def test_action_buttons_point_to_domain_intents(domain) -> None:
    intents = set(domain["intents"])
    for name, variants in domain["responses"].items():
        for variant in variants:
            for button in variant.get("buttons") or []:
                intent = button["payload"].lstrip("/").split("{")[0]
                assert intent in intents, (name, button)


async def test_raw_sqlalchemy_operational_error_is_catalog_down(caplog) -> None:
    from sqlalchemy.exc import OperationalError

    from actions.common import set_catalog
    from catalog.service import CatalogService

    class Broken(CatalogService):
        def resolve_comune(self, text: str) -> None:  # type: ignore[override]
            raise OperationalError("SELECT 1", {"q": text}, Exception("disk I/O error"))

    set_catalog(Broken(None))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="actions.catalog_client"):
        with pytest.raises(CatalogDown):
            await catalog().resolve_comune("Ivrea")
    assert "disk I/O error" in caplog.text and "Ivrea" not in caplog.text
