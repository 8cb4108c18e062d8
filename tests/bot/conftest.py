"""Fixtures of the gateway/channel tests: fake Rasa, fake Bot API, gateway settings."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fixtures.fake_rasa import FakeRasa  # noqa: E402
from tests.fixtures.fake_telegram import FakeBotAPI  # noqa: E402
from tests.fixtures.servers import ServerThread  # noqa: E402
from wecare.settings import Settings, get_settings  # noqa: E402


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    rasa = FakeRasa()
    server = ServerThread(rasa.app, lifespan="off").start()
    rasa.url = server.url  # type: ignore[attr-defined]
    yield rasa
    server.stop()


@pytest.fixture
def fake_bot_api() -> Iterator[FakeBotAPI]:
    api = FakeBotAPI()
    server = ServerThread(api.app, lifespan="off").start()
    api.url = server.url  # type: ignore[attr-defined]
    yield api
    server.stop()


@pytest.fixture
def gateway_settings(tmp_path: Path, fake_rasa: FakeRasa) -> Settings:
    """Settings for a gateway on a temporary app DB, talking to the fake Rasa, no Telegram."""
    get_settings.cache_clear()
    return replace(
        get_settings(),
        env="development",
        app_database_url=f"sqlite:///{tmp_path / 'app.db'}",
        rasa_url=fake_rasa.url,  # type: ignore[attr-defined]
        telegram_bot_token="",
        telegram_webhook_url="",
        telegram_webhook_secret="",
        web_allowed_origins=(),
    )
