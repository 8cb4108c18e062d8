"""Soak run: conversations for a bounded time while each component is killed and restarted.

    .venv/bin/python scripts/soak.py [--duration 600] [--concurrency 20] [--think 1]
        [--restart rasa,actions,gateway] [--postgres-url URL --redis-url URL] [--no-write]

``make soak`` runs it for 10 minutes (issue 11, "nothing lost"). It starts the stack of ``wecare
run`` on free loopback ports (embedded profile: SQLite files in a temporary folder; with
``--postgres-url`` and ``--redis-url`` the production profile with two gateways), then
``--concurrency`` simulated citizens replay the conversations of ``scripts/bench_e2e.py``
over the widget WebSocket with ``--think`` seconds between a reply and the next message,
reconnecting when their gateway goes away. At evenly spaced moments each component of
``--restart`` is killed with SIGKILL (a crash), left down a few seconds, and started again.
When the time is up the citizens stop and the run waits until the durable inbox has answered
everything it kept (``bot.gateway.inbox``, late answers included).

The verdict comes from the stores, not from the clients: the gateway's message log (every
citizen message it accepted) against the user events of Rasa's tracker store (every message
Rasa processed), conversation by conversation (see :mod:`soak_check`). **Lost**: accepted but
never processed by Rasa or still waiting; **duplicated**: processed more often than it was
sent. The memory of each component (resident set of its process group) is sampled every 10 s.
Results and this command go to docs/benchmarks.md between ``<!-- BEGIN soak -->`` and
``<!-- END soak -->``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from soak_check import Memory, SoakResult, verify, write_block  # noqa: E402
from soak_load import Load  # noqa: E402

from wecare.run import QUIET_ENV, Stack, ensure_catalog, free_port  # noqa: E402

DOWN_SECONDS = 5.0


def run_soak(
    stack: Stack,
    gateway_urls: list[str],
    app_url: str,
    tracker_url: str,
    *,
    duration: float,
    concurrency: int,
    think: float,
    restart: list[str],
    drain_timeout: float = 300.0,
    say=print,
) -> SoakResult:
    """Drive ``stack`` (started by THIS thread) and return the verdict.

    The citizens run in a worker thread; kills and restarts happen here, because a child dies
    with the thread that started it (``wecare.stack.Stack.restart``).
    """
    prefix = f"soak{secrets.token_hex(3)}"
    load = Load(gateway_urls, concurrency, think, prefix)
    memory = Memory(stack)
    worker = threading.Thread(target=load.run, name="soak-load", daemon=True)
    start = time.monotonic()
    worker.start()
    memory.sample()
    events: list[str] = []
    moments = [start + duration * (i + 1) / (len(restart) + 1) for i in range(len(restart))]
    for name, moment in zip(restart, moments, strict=True):
        _sleep_until(moment, memory)
        say(f"[soak] {time.monotonic() - start:.0f} s: killing {name}")
        stack.kill(name)
        time.sleep(DOWN_SECONDS)
        stack.restart(name, timeout=600)
        events.append(
            f"{name} killed at {moment - start:.0f} s, back after {time.monotonic() - moment:.0f} s"
        )
        say(f"[soak] {events[-1]}")
    _sleep_until(start + duration, memory)
    load.stop()
    worker.join(120)
    say(f"[soak] load stopped: {load.counts.sent} sent; waiting for the inbox to drain")
    result = verify(app_url, tracker_url, prefix, load.counts, drain_timeout, say)
    result.events, result.memory = events, memory.report()
    result.seconds = time.monotonic() - start
    return result


def _sleep_until(moment: float, memory: Memory) -> None:
    while (left := moment - time.monotonic()) > 0:
        time.sleep(min(left, 10.0))
        memory.sample()


def _stack(args: argparse.Namespace, tmp: Path, cleanup: ExitStack) -> tuple[Stack, str, str]:
    """The stack to soak; its PostgreSQL databases (production profile) are dropped at exit."""
    env = {**QUIET_ENV, "LOG_LEVEL": "WARNING", "TELEGRAM_BOT_TOKEN": "",
           "INBOX_RETRY_SECONDS": "2", "INBOX_ORPHAN_SECONDS": "45"}  # fmt: skip
    gateways, redis = 1, ""
    if args.postgres_url:
        from tests.fixtures.production import PgDatabases

        pg = PgDatabases(args.postgres_url)
        cleanup.callback(pg.drop_all)
        catalog, app, tracker = pg.new("scat"), pg.new("sapp"), pg.new("strk")
        env |= {"WECARE_PROFILE": "production", "WECARE_ENV": "development",
                "SECRET_KEY": secrets.token_urlsafe(16), "DATABASE_URL": catalog,
                "APP_DATABASE_URL": app}  # fmt: skip
        migrate = [str(ROOT / ".venv" / "bin" / "wecare"), "db", "migrate"]
        subprocess.run(migrate, env={**os.environ, **env}, check=True)  # noqa: S603
        gateways, redis, tracker = 2, args.redis_url, tracker.replace("+psycopg", "")
    else:
        catalog, app = f"sqlite:///{tmp / 'catalog.db'}", f"sqlite:///{tmp / 'app.db'}"
        tracker = f"sqlite:///{tmp / 'tracker.db'}"
        env |= {"DATABASE_URL": catalog, "APP_DATABASE_URL": app}
    ensure_catalog(lambda m: print(f"[soak] {m}", flush=True), database_url=catalog)
    stack = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        gateway_port=free_port(),
        token=secrets.token_urlsafe(16),
        env=env,
        log_dir=tmp / "logs",
        tracker_store_url=tracker,
        gateways=gateways,
        redis_url=redis,
    )
    return stack, app, tracker


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, start the stack, soak it, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between messages")
    parser.add_argument("--restart", default="rasa,actions,gateway", help="components to kill")
    parser.add_argument("--postgres-url", default="", help="production profile (with Redis)")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    if bool(args.postgres_url) != bool(args.redis_url):
        parser.error("--postgres-url and --redis-url go together")
    command = "scripts/soak.py " + " ".join(argv if argv is not None else sys.argv[1:])
    with ExitStack() as cleanup:
        tmp = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="wecare-soak-"))
        stack, app, tracker = _stack(args, Path(tmp), cleanup)
        restart = [n.strip() for n in args.restart.split(",") if n.strip()]
        if args.postgres_url:  # two gateways: kill the first one
            restart = ["gateway-1" if n == "gateway" else n for n in restart]
        with stack.running(900, lambda m: print(f"[soak] {m}", flush=True)):
            result = run_soak(
                stack, stack.gateway_urls, app, tracker, duration=args.duration,
                concurrency=args.concurrency, think=args.think, restart=restart,
            )  # fmt: skip
    load = f"{args.concurrency} concurrent conversations, {args.think:g} s think time"
    profile = "production" if args.postgres_url else "embedded"
    block = result.block(command.strip(), profile, load)
    print(block)
    if not args.no_write:
        write_block(block, profile)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
