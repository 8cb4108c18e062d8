"""The production profile for real: two Rasa servers and two gateways on PostgreSQL and Redis.

``wecare.stack.Stack(rasa_instances=2, gateways=2, redis_url=...)`` — what ``wecare run
--rasa-instances 2 --gateways 2`` starts — with the catalog, the app data and Rasa's tracker
store in PostgreSQL and Rasa's lock store in Redis, after ``wecare db migrate``. Citizens talk
through both gateways at once; each conversation is served by one Rasa instance; when one Rasa
instance stops mid-conversation its conversations go on on the other (shared tracker store),
every message answered once and in order. Needs TEST_POSTGRES_URL and TEST_REDIS_URL (.ci/run).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.gateway.rasa_client import RasaPool
from tests.e2e.conftest import _run, _skip_or_fail
from tests.e2e.widget import WidgetChat
from tests.fixtures.production import PgDatabases, require_env
from wecare.run import QUIET_ENV, RASA_BIN, Stack, StackError, ensure_catalog, free_port
from wecare.settings import ROOT
from wecare.stack import MODEL

pytestmark = [pytest.mark.rasa, pytest.mark.postgres, pytest.mark.slow]

TURNS = ["ciao", "cosa sai fare?", "grazie"]


def _consecutive_free(count: int) -> int:
    """A port with ``count - 1`` free ports after it."""
    from wecare.processes import port_is_free

    for _ in range(50):
        start = free_port()
        if all(port_is_free(start + i) for i in range(count)):
            return start
    raise RuntimeError("no consecutive free ports")


@pytest.fixture(scope="module")
def production_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not RASA_BIN.exists():
        _skip_or_fail("no .venv-rasa: run `make setup`")
    pg = PgDatabases(require_env("TEST_POSTGRES_URL", "PostgreSQL"))
    redis_url = require_env("TEST_REDIS_URL", "Redis")
    env = {**os.environ, **QUIET_ENV}
    # WECARE_E2E_MODEL: serve another archive (a quick check of the infrastructure by hand)
    model = Path(os.environ.get("WECARE_E2E_MODEL", "").strip() or MODEL)
    if model == MODEL:
        _run(["bash", "scripts/train.sh"], env, "scripts/train.sh", timeout=1800)
    catalog, app, tracker = pg.new("catalog"), pg.new("app"), pg.new("tracker")
    tmp = tmp_path_factory.mktemp("e2e-production")
    app_env = {
        "WECARE_PROFILE": "production",
        "WECARE_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(16),
        "DATABASE_URL": catalog,
        "APP_DATABASE_URL": app,
        "TELEGRAM_BOT_TOKEN": "",
        "WECARE_OPERATOR_HOURS": str(ROOT / "tests" / "e2e" / "hours_always_open.yaml"),
        "INBOX_RETRY_SECONDS": "1",
    }
    migrate = [str(ROOT / ".venv" / "bin" / "wecare"), "db", "migrate"]
    _run(migrate, {**env, **app_env}, "wecare db migrate", timeout=300)
    ensure_catalog(lambda _msg: None, database_url=catalog)
    stack = Stack(
        rasa_port=_consecutive_free(2),
        action_port=free_port(),
        gateway_port=_consecutive_free(2),
        token=secrets.token_urlsafe(16),
        env=app_env,
        model=model,
        log_dir=tmp / "logs",
        tracker_store_url=tracker.replace("+psycopg", ""),
        rasa_instances=2,
        gateways=2,
        redis_url=redis_url,
    )
    try:
        stack.start()
        stack.wait_ready(timeout=900)
    except StackError as exc:
        stack.stop()
        pg.drop_all()
        pytest.fail(f"the production stack did not start: {exc}")
    try:
        yield {"stack": stack, "app": app, "tracker": tracker}
    finally:
        stack.stop()
        pg.drop_all()


def _user_turns(tracker_url: str, sender: str) -> list[str]:
    engine = create_engine(tracker_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' "
                    "ORDER BY id"
                ),
                {"s": sender},
            ).all()
    finally:
        engine.dispose()
    import json

    return [json.loads(row[0])["text"] for row in rows]


def _app_log(app_url: str, sender: str) -> list[tuple[str, str, str]]:
    engine = create_engine(app_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT m.direction, m.sender_kind, m.text FROM message m JOIN conversation c "
                    "ON c.id = m.conversation_id WHERE c.sender_id = :s ORDER BY m.id"
                ),
                {"s": sender},
            ).all()
    finally:
        engine.dispose()
    return [(str(d), str(k), str(t)) for d, k, t in rows]


async def _converse(gateway_url: str, session: str, turns: list[str]) -> list[list[str]]:
    async with WidgetChat(gateway_url, session=session) as chat:
        return [(await chat.say(turn)).texts for turn in turns]


def _sessions(pool: RasaPool, per_instance: int) -> list[str]:
    """Sessions whose conversations go to each instance, ``per_instance`` each."""
    chosen: dict[str, list[str]] = {url: [] for url in pool.urls}
    n = 0
    while any(len(v) < per_instance for v in chosen.values()):
        session = f"prod{n:04d}{secrets.token_hex(8)}"
        home = pool.instance_for(f"web-{session}")
        if len(chosen[home]) < per_instance:
            chosen[home].append(session)
        n += 1
    return [s for pair in zip(*chosen.values(), strict=True) for s in pair]


async def test_two_rasa_two_gateways_every_message_answered_once_in_order(production_stack):
    stack: Stack = production_stack["stack"]
    pool = RasaPool(stack.rasa_urls)
    sessions = _sessions(pool, 2)  # 4 conversations, 2 per Rasa instance
    gateways = stack.gateway_urls
    answers = await asyncio.gather(
        *(_converse(gateways[n % 2], s, TURNS) for n, s in enumerate(sessions))
    )
    for session, replies in zip(sessions, answers, strict=True):
        assert all(replies), (session, replies)  # every message got an answer
        assert _user_turns(production_stack["tracker"], f"web-{session}") == TURNS
        log = _app_log(production_stack["app"], f"web-{session}")
        assert [t for d, _k, t in log if d == "in"] == TURNS
        assert log[0][0] == "in" and log[-1][0] == "out"
    await pool.aclose()


async def test_a_rasa_instance_stops_mid_conversation_the_other_goes_on(production_stack):
    stack: Stack = production_stack["stack"]
    pool = RasaPool(stack.rasa_urls)
    second = stack.rasa_urls[1]
    session = next(s for s in _sessions(pool, 2) if pool.instance_for(f"web-{s}") == second)
    gateway = stack.gateway_urls[1]
    async with WidgetChat(gateway, session=session) as chat:
        first_reply = await chat.say(TURNS[0])
        assert first_reply.texts
        child = next(c for c in stack.children if c.spec.name == "rasa-2")
        os.killpg(child.proc.pid, signal.SIGTERM)
        await asyncio.to_thread(child.proc.wait, 30)
        later = [await chat.say(turn) for turn in TURNS[1:]]
    assert all(r.texts for r in later)
    assert not any("registrato" in t for r in later for t in r.texts)  # answered, not queued
    # rasa-1 continued the same tracker (PostgreSQL): every turn once, in order
    assert _user_turns(production_stack["tracker"], f"web-{session}") == TURNS
    await pool.aclose()
