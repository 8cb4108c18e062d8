"""Fixtures of the gateway/channel tests: fake Rasa, fake Bot API, gateway settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.fake_rasa import FakeRasa
from tests.fixtures.fake_telegram import FakeBotAPI
from tests.fixtures.servers import gateway_test_settings, serve_fake
from wecare.settings import Settings


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    yield from serve_fake(FakeRasa())


@pytest.fixture
def fake_bot_api() -> Iterator[FakeBotAPI]:
    yield from serve_fake(FakeBotAPI())


@pytest.fixture
def gateway_settings(tmp_path: Path, fake_rasa: FakeRasa) -> Settings:
    """Settings for a gateway on a temporary app DB, talking to the fake Rasa, no Telegram."""
    return gateway_test_settings(tmp_path / "app.db", fake_rasa.url)  # type: ignore[attr-defined]
