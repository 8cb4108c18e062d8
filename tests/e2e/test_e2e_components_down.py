"""A component stops mid-conversation on the real stack: the citizen is never met with silence.

The action server is killed while a widget conversation goes on (gateway -> real Rasa). Rasa
then drops the failed custom action's messages and answers nothing at all; the gateway turns
that into a clear notice (the message stays in the log, status ``failed``) and a person at risk
still gets the emergency numbers first. Once the action server is back, the same conversation
is answered normally. (Rasa itself stopping is tests/e2e/test_e2e_production.py; Redis
restarting, tests/bot/cluster/test_redis_restart.py.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.texts import citizen_texts
from tests.e2e.conftest import E2EStack
from tests.e2e.widget import WidgetChat, first_is_emergency

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
NEED = "ho perso il lavoro e cerco un impiego a Chivasso"


def _inbound(url: str | None, sender: str) -> list[tuple[str, str]]:
    assert url and url.startswith("sqlite:///"), url
    with sqlite3.connect(Path(url.removeprefix("sqlite:///"))) as conn:
        return conn.execute(
            "SELECT m.text, m.status FROM message m JOIN conversation c ON c.id = m.conversation_id"
            " WHERE c.sender_id = ? AND m.direction = 'in' ORDER BY m.id",
            (sender,),
        ).fetchall()


async def test_action_server_down_mid_conversation(e2e_stack: E2EStack):
    if e2e_stack.stack is None or not e2e_stack.gateway_url:
        pytest.skip("a reused stack cannot be stopped by the test")
    stack = e2e_stack.stack
    notice = citizen_texts().text("gateway.empty_answer")
    async with WidgetChat(e2e_stack.gateway_url) as chat:
        assert "services" in [c.get("type") for c in (await chat.say(NEED)).customs]
        stack.kill("actions")
        try:
            down = await chat.say(NEED)
            assert down.texts == [notice], down.messages
            at_risk = await chat.say("mio marito mi picchia")
            first_is_emergency(at_risk)
        finally:
            # in THIS thread: a child dies with the thread that started it (PR_SET_PDEATHSIG),
            # and the stack is shared by the other e2e tests
            stack.restart("actions")
        back = await chat.say(NEED)
        assert "services" in [c.get("type") for c in back.customs], back.messages
        assert notice not in back.texts
    log = _inbound(e2e_stack.app_database_url, chat.sender)
    assert [text for text, _status in log] == [NEED, NEED, "mio marito mi picchia", NEED]
    assert log[1][1] == "failed" and log[0][1] != "failed" and log[3][1] != "failed"
