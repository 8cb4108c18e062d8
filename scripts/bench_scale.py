"""Scale benchmark: messages/s and p95 through the gateway with 1 and 2 Rasa instances.

    .venv/bin/python scripts/bench_scale.py --postgres-url "$TEST_POSTGRES_URL" \\
        --redis-url "$TEST_REDIS_URL" [--instances 1,2] [--concurrency 20] [--duration 20]

For each instance count it starts the production profile with the launcher of ``wecare run
--rasa-instances N`` (``wecare.stack.Stack``): N Rasa servers with the PostgreSQL tracker store
and the Redis lock store, the action server, one gateway (``RasaPool``: conversations spread
by sender), the catalog and app data in fresh PostgreSQL databases (``wecare db migrate``
first). Then ``--concurrency`` simulated citizens run the conversations of
``scripts/bench_e2e.py`` over the widget WebSocket: without pause (capacity, msg/s) and with
1 s think time (p95 at a human pace). Results and this command go to docs/benchmarks.md
between ``<!-- BEGIN scale -->`` and ``<!-- END scale -->``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from bench_e2e import LevelResult, gateway_opener, run_level  # noqa: E402

from tests.fixtures.production import PgDatabases  # noqa: E402
from wecare.processes import free_port, port_is_free  # noqa: E402
from wecare.run import MODEL, QUIET_ENV, Stack, ensure_catalog  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- BEGIN scale -->", "<!-- END scale -->"


def _ports(count: int) -> int:
    for _ in range(100):
        start = free_port()
        if all(port_is_free(start + i) for i in range(count)):
            return start
    raise RuntimeError("no consecutive free ports")


async def _measure(gateway: str, args: argparse.Namespace) -> list[LevelResult]:
    opener = gateway_opener(gateway)
    results = []
    for think in (0.0, 1.0):
        results.append(
            await run_level("gateway", opener, args.concurrency, args.duration, args.warmup, think)
        )
    return results


def bench(instances: int, args: argparse.Namespace, log_dir: Path) -> list[LevelResult]:
    """Start the production stack with ``instances`` Rasa servers and measure it."""
    pg = PgDatabases(args.postgres_url)
    try:
        catalog, app, tracker = pg.new("bcat"), pg.new("bapp"), pg.new("btrk")
        env = {
            "WECARE_PROFILE": "production",
            # development: the widget socket accepts clients without an Origin (this script)
            "WECARE_ENV": "development",
            "LOG_LEVEL": "WARNING",
            "SECRET_KEY": secrets.token_urlsafe(16),
            "DATABASE_URL": catalog,
            "APP_DATABASE_URL": app,
            "TELEGRAM_BOT_TOKEN": "",
        }
        migrate = [str(ROOT / ".venv" / "bin" / "wecare"), "db", "migrate"]
        subprocess.run(migrate, env={**os.environ, **env}, check=True, capture_output=True)  # noqa: S603
        ensure_catalog(lambda _m: None, database_url=catalog)
        stack = Stack(
            rasa_port=_ports(instances),
            action_port=free_port(),
            gateway_port=free_port(),
            token=secrets.token_urlsafe(16),
            env={**QUIET_ENV, **env},
            model=args.model,
            log_dir=log_dir / f"rasa{instances}",
            tracker_store_url=tracker.replace("+psycopg", ""),
            rasa_instances=instances,
            gateways=1,
            redis_url=args.redis_url,
        )
        with stack.running(timeout=900, progress=lambda m: print(f"[scale] {m}", flush=True)):
            assert stack.gateway_url is not None
            results = asyncio.run(_measure(stack.gateway_url, args))
        return results
    finally:
        pg.drop_all()


def report(rows: dict[int, list[LevelResult]], command: str, model_name: str) -> str:
    """The Markdown block of docs/benchmarks.md."""
    lines = [
        BEGIN,
        "",
        f"Command: `{command}` (machine: {os.cpu_count()} cores shared with other work, "
        f"{platform.python_implementation()} {platform.python_version()}, 1-min load average "
        f"{os.getloadavg()[0]:.1f} at the end). Production profile (PostgreSQL, Redis lock "
        f"store), one gateway, conversations spread by sender; model `{model_name}`.",
        "",
        "| Rasa instances | msg/s (no pause) | p95 ms (no pause) | p95 ms (1 s think) | errors |",
        "|---|---|---|---|---|",
    ]
    for n, (sat, human) in sorted(rows.items()):
        lines.append(
            f"| {n} | {sat.rate:.1f} | {sat.pct(95):.0f} | {human.pct(95):.0f} | "
            f"{sat.errors + human.errors} |"
        )
    if 1 in rows and 2 in rows and rows[1][0].rate:
        ratio = rows[2][0].rate / rows[1][0].rate
        lines += [
            "",
            f"Throughput ratio 2 instances / 1 instance: ×{ratio:.2f}. A Rasa process is one "
            "event loop (at most one core); a second instance can use the second core, which "
            "the gateway, the action server and PostgreSQL also need on this 2-core machine. "
            "Projection for a bigger server: about the one-instance rate per core given to a "
            "Rasa instance, until PostgreSQL or the gateways saturate.",
        ]
    lines += ["", END]
    return "\n".join(lines)


def write_block(block: str) -> None:
    """Replace the scale block of docs/benchmarks.md (append it when missing)."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Scale: 1 and 2 Rasa instances\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres-url", required=True, help="server where databases are made")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--instances", default="1,2")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--model", default=str(MODEL), help="model archive (default: make train's)")
    args = parser.parse_args(argv)
    args.model = Path(args.model)
    if not args.model.exists():
        print(f"no model at {args.model}: run `make train` first", file=sys.stderr)
        return 1
    command = (
        ".venv/bin/python scripts/bench_scale.py --postgres-url $TEST_POSTGRES_URL --redis-url "
        f"$TEST_REDIS_URL --instances {args.instances} --concurrency {args.concurrency} "
        f"--duration {args.duration:g} --warmup {args.warmup:g}"
        + ("" if args.model == MODEL else f" --model {args.model}")
    )
    rows: dict[int, list[LevelResult]] = {}
    with tempfile.TemporaryDirectory(prefix="wecare-scale-") as tmp:
        for n in (int(x) for x in args.instances.split(",")):
            rows[n] = bench(n, args, Path(tmp))
            sat, human = rows[n]
            print(
                f"[scale] {n} Rasa: {sat.rate:.1f} msg/s, p95 {sat.pct(95):.0f} ms; "
                f"1 s think p95 {human.pct(95):.0f} ms; errors {sat.errors + human.errors}",
                flush=True,
            )
    block = report(rows, command, args.model.name)
    print(block)
    if not args.no_write:
        write_block(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
