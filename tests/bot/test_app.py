"""bot/app.py, the composition root: what it builds, and the rules the rooms keep."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.app import Overrides, build_gateway
from bot.console.hub import ConsoleHub
from bot.handoff.citizen import CitizenHandoff
from bot.telegram.sender import TelegramSender
from bot.web.deliverer import WebConnections
from tests.fixtures.fake_telegram import TOKEN
from wecare.settings import ROOT

BOT = ROOT / "bot"
#: The only modules where a call hops to a worker thread (the async facades).
THREAD_HOPS = {
    BOT / "store" / "facade.py",  # ThreadFacade, base of every repository facade
    BOT / "store" / "deletion.py",  # Erasure
    BOT / "gateway" / "safety.py",  # the catalog's emergency numbers (not an app repository)
    BOT / "gateway" / "spool.py",  # the spool file's writes and fsync (no database)
}


async def test_the_root_builds_every_part_with_its_dependencies(gateway_settings):
    gateway = build_gateway(gateway_settings, Overrides(telegram=False))
    try:
        assert isinstance(gateway.router.handoff, CitizenHandoff)
        assert gateway.router.outbox is gateway.outbox is gateway.handoff.ctx.outbox
        assert gateway.desk.ctx is gateway.handoff.ctx
        assert gateway.console.desk is gateway.desk
        assert gateway.outbox.deliverers == {"web": gateway.web}
        assert isinstance(gateway.web, WebConnections)
        assert isinstance(gateway.console.hub, ConsoleHub)
        assert gateway.telegram is None
    finally:
        await gateway.aclose()


async def test_telegram_gets_a_deliverer_at_construction(gateway_settings):
    settings = replace(gateway_settings, telegram_bot_token=TOKEN)
    gateway = build_gateway(settings)
    try:
        assert gateway.telegram is not None
        sender = gateway.outbox.deliverers["telegram"]
        assert isinstance(sender, TelegramSender) and gateway.telegram.sender is sender
        assert gateway.telegram.mode == "off"  # started by the app's lifespan only
    finally:
        await gateway.aclose()


def test_no_wiring_by_mutation_and_no_reaching_into_the_router():
    offenders = []
    pattern = re.compile(r"\.(handoff|listeners|store|deliverers)\s*(=|\.append\(|\[)")
    for path in BOT.rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and "self." not in line.split("=")[0]:
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
            if "router.store" in line or "router.handoff" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, offenders


def test_threads_are_hopped_only_in_the_facades():
    found = {
        path
        for path in BOT.rglob("*.py")
        if "to_thread" in path.read_text(encoding="utf-8") and path not in THREAD_HOPS
    }
    assert not found, sorted(str(p.relative_to(ROOT)) for p in found)


def test_the_environment_is_read_only_by_the_settings():
    readers = {
        path.relative_to(ROOT).as_posix()
        for folder in ("bot", "wecare", "actions")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"os\.environ\.get|os\.getenv|environ\[", path.read_text(encoding="utf-8"))
    }
    assert readers <= {"wecare/settings.py"}, readers


def test_the_repository_root_is_computed_once():
    computed = {
        path.relative_to(ROOT).as_posix()
        for folder in ("bot", "wecare", "actions")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"parents\[\d\]|\.parent\.parent", path.read_text(encoding="utf-8"))
    }
    assert computed <= {"wecare/settings.py"}, computed
