"""Full-reply latency of the running stack: p50/p95 and messages/s at 1, 10, 20 conversations.

    .venv/bin/python scripts/bench_e2e.py [--levels 1,10,20] [--duration 15] [--think 0,1]
                                          [--targets rest,gateway] [--no-write]

``make bench-e2e`` runs this. Each simulated citizen runs scripted multi-turn conversations
(need -> comune -> more results -> documents ...) back to back, waiting for every reply
before sending the next message (closed loop). ``--think`` lists the pauses between a reply
and the next message to measure: 0 s saturates the stack (its capacity in messages/s), 1 s is
a (fast) human pace. Latency = send -> whole reply received, custom actions and catalog
search included.

Targets:
  rest     Rasa's REST webhook (POST /webhooks/rest/webhook), what the gateway calls;
  gateway  the web widget WebSocket of the gateway (/ws/chat): gateway -> message log ->
           Rasa -> actions -> catalog, i.e. the full path of SPEC §8.

When nothing answers at RASA_URL, the script starts the stack itself with the launcher of
``wecare run`` (free ports, a temporary tracker store) and stops it at the end. Results and
this command are written to docs/benchmarks.md between ``<!-- BEGIN e2e -->`` and
``<!-- END e2e -->`` (the rest of the file is left alone).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bare_rasa import bare_rasa_server, ensure_bare_model  # noqa: E402
from bench_conversations import BARE_SCRIPTS, SCRIPTS  # noqa: E402
from bench_e2e_report import DOC, report, write_block  # noqa: E402
from procstats import listening_pid, process_cpu_seconds  # noqa: E402

from wecare.run import (  # noqa: E402
    MODEL,
    Stack,
    StackError,
    ensure_catalog,
    ensure_model,
    free_port,
)
from wecare.settings import get_settings  # noqa: E402

Send = Callable[[str], Awaitable[int]]


@dataclass
class LevelResult:
    """Latencies of one (target, concurrency) run."""

    target: str
    concurrency: int
    seconds: float
    think: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    total_replies: int = 0  # warm-up included, for the CPU share
    rasa_cpu_ms: float | None = None  # Rasa process CPU time per reply

    def pct(self, q: float) -> float:
        """Return the q-th percentile (0-100) in ms, nearest-rank."""
        data = sorted(self.latencies_ms)
        if not data:
            return float("nan")
        rank = max(0, min(len(data) - 1, round(q / 100 * len(data) + 0.5) - 1))
        return data[rank]

    @property
    def rate(self) -> float:
        """Replies per second over the measured window."""
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        """One Markdown table row."""
        mean = statistics.fmean(self.latencies_ms) if self.latencies_ms else float("nan")
        return (
            f"| {self.target} | {self.think:g} | {self.concurrency} | {len(self.latencies_ms)} | "
            f"{self.pct(50):.0f} | {self.pct(95):.0f} | {self.pct(99):.0f} | {mean:.0f} | "
            f"{self.rate:.1f} | "
            + ("-" if self.rasa_cpu_ms is None else f"{self.rasa_cpu_ms:.0f}")
            + f" | {self.errors} |"
        )


async def _citizen(
    open_conversation: Callable[[], Awaitable[tuple[Send, Callable[[], Awaitable[None]]]]],
    index: int,
    result: LevelResult,
    measure_from: float,
    stop_at: float,
    think: float,
    scripts: list[list[str]],
) -> None:
    turn = index
    while time.monotonic() < stop_at:
        script = scripts[turn % len(scripts)]
        turn += 1
        try:
            send, close = await open_conversation()
        except Exception:  # noqa: BLE001 - counted, the run goes on
            result.errors += 1
            await asyncio.sleep(0.5)
            continue
        try:
            for text in script:
                if time.monotonic() >= stop_at:
                    break
                t0 = time.monotonic()
                try:
                    await send(text)
                except Exception:  # noqa: BLE001
                    result.errors += 1
                    break
                result.total_replies += 1
                if t0 >= measure_from:
                    result.latencies_ms.append((time.monotonic() - t0) * 1000)
                if think:
                    await asyncio.sleep(think)
        finally:
            await close()


def rest_opener(
    client: httpx.AsyncClient, rasa_url: str
) -> Callable[[], Awaitable[tuple[Send, Callable[[], Awaitable[None]]]]]:
    """Conversations over Rasa's REST webhook."""

    async def open_conversation() -> tuple[Send, Callable[[], Awaitable[None]]]:
        sender = f"bench-{uuid.uuid4().hex[:16]}"

        async def send(text: str) -> int:
            response = await client.post(
                f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
            )
            response.raise_for_status()
            replies = response.json()
            if not replies:
                raise RuntimeError("empty reply")
            return len(replies)

        async def close() -> None:
            return None

        return send, close

    return open_conversation


def gateway_opener(
    gateway_url: str,
) -> Callable[[], Awaitable[tuple[Send, Callable[[], Awaitable[None]]]]]:
    """Conversations over the gateway's web widget WebSocket."""
    ws_base = gateway_url.replace("http://", "ws://").replace("https://", "wss://")

    async def open_conversation() -> tuple[Send, Callable[[], Awaitable[None]]]:
        session = f"bench{uuid.uuid4().hex}"
        ws = await websockets.connect(f"{ws_base}/ws/chat?session={session}", open_timeout=10)
        ready = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if ready.get("type") != "ready":
            raise RuntimeError(f"unexpected first frame {ready}")

        async def send(text: str) -> int:
            frame: dict[str, str] = {"type": "message"}
            frame["payload" if text.startswith("/") else "text"] = text
            await ws.send(json.dumps(frame))
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if event.get("type") == "messages":
                    return len(event.get("items") or [])

        async def close() -> None:
            await ws.close()

        return send, close

    return open_conversation


async def run_level(
    target: str,
    opener: Callable[[], Awaitable[tuple[Send, Callable[[], Awaitable[None]]]]],
    concurrency: int,
    duration: float,
    warmup: float,
    think: float,
    rasa_pid: int | None = None,
    scripts: list[list[str]] = SCRIPTS,
) -> LevelResult:
    """Run ``concurrency`` citizens for ``warmup + duration`` seconds; measure the last part."""
    cpu0 = process_cpu_seconds(rasa_pid)
    start = time.monotonic()
    result = LevelResult(target, concurrency, duration, think)
    measure_from, stop_at = start + warmup, start + warmup + duration
    await asyncio.gather(
        *(
            _citizen(opener, i, result, measure_from, stop_at, think, scripts)
            for i in range(concurrency)
        )
    )
    # the window ends when the last in-flight reply arrived
    result.seconds = max(duration, time.monotonic() - measure_from)
    cpu1 = process_cpu_seconds(rasa_pid)
    if cpu0 is not None and cpu1 is not None and result.total_replies:
        result.rasa_cpu_ms = (cpu1 - cpu0) * 1000 / result.total_replies
    return result


async def bench(
    rasa_url: str,
    gateway_url: str | None,
    targets: list[str],
    levels: list[int],
    duration: float,
    warmup: float,
    thinks: list[float],
    rasa_pid: int | None = None,
    bare: tuple[str, int | None] | None = None,
) -> list[LevelResult]:
    """Run every (target, level) pair in turn and print a line for each."""
    results: list[LevelResult] = []
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=60.0, limits=limits) as client:
        for target in targets:
            if target == "gateway" and not gateway_url:
                print("[bench] no gateway: skipping the gateway target", flush=True)
                continue
            if target == "bare" and not bare:
                print("[bench] no bare Rasa: skipping the bare target", flush=True)
                continue
            pid, scripts = rasa_pid, SCRIPTS
            if target == "bare" and bare:
                opener = rest_opener(client, bare[0])
                pid, scripts = bare[1], BARE_SCRIPTS
            elif target == "rest":
                opener = rest_opener(client, rasa_url)
            else:
                opener = gateway_opener(gateway_url or "")
            for think in thinks:
                for level in levels:
                    print(
                        f"[bench] {target}: {level} concurrent, think {think:g} s, "
                        f"{duration:.0f} s ...",
                        flush=True,
                    )
                    res = await run_level(
                        target, opener, level, duration, warmup, think, pid, scripts
                    )
                    print(
                        f"[bench] {target} x{level} think {think:g}: n={len(res.latencies_ms)} "
                        f"p50={res.pct(50):.0f} ms p95={res.pct(95):.0f} ms "
                        f"{res.rate:.1f} msg/s errors={res.errors} Rasa CPU/reply="
                        + ("?" if res.rasa_cpu_ms is None else f"{res.rasa_cpu_ms:.0f} ms"),
                        flush=True,
                    )
                    results.append(res)
    return results


def start_bare(cleanup: ExitStack) -> tuple[str, int | None]:
    """Start the bare-Rasa reference (scripts/bare_rasa.py); return its URL and pid."""
    model = ensure_bare_model(lambda m: print(f"[bench] {m}", flush=True))
    tmp = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-bare-")))
    port = free_port()
    print("[bench] starting the bare Rasa reference (rasa init's moodbot)", flush=True)
    url = cleanup.enter_context(bare_rasa_server(model, tmp, port))
    return url, listening_pid(port)


def _reachable(url: str) -> bool:
    try:
        return httpx.get(f"{url}/", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, make sure a stack runs, benchmark, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rasa-url", default=get_settings().rasa_url)
    parser.add_argument("--gateway-url", default=f"http://127.0.0.1:{get_settings().gateway_port}")
    parser.add_argument("--targets", default="bare,rest,gateway")
    parser.add_argument("--levels", default="1,10,20")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds measured per level")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not measured")
    parser.add_argument("--think", default="0,1", help="pauses between messages to run (s)")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    thinks = [float(x) for x in args.think.split(",") if x.strip()]
    command = "scripts/bench_e2e.py " + " ".join(argv if argv is not None else sys.argv[1:])

    rasa_url, gateway_url = args.rasa_url.rstrip("/"), args.gateway_url.rstrip("/")
    started = False
    with ExitStack() as cleanup:
        if _reachable(rasa_url):
            print(f"[bench] using the running stack at {rasa_url}", flush=True)
            if not _reachable(gateway_url):
                gateway_url = ""
        else:
            print(f"[bench] nothing at {rasa_url}: starting the stack (wecare.run.Stack)")
            ensure_catalog(lambda m: print(f"[bench] {m}", flush=True))
            ensure_model(MODEL, train=True, say=lambda m: print(f"[bench] {m}", flush=True))
            tmp = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-e2e-")))
            stack = Stack(
                rasa_port=free_port(),
                action_port=free_port(),
                gateway_port=free_port() if "gateway" in targets else None,
                token=secrets.token_urlsafe(16),
                env={"APP_DATABASE_URL": f"sqlite:///{tmp / 'app.db'}"},
                log_dir=tmp / "logs",
                tracker_store_url=f"sqlite:///{tmp / 'tracker.db'}",
            )
            try:
                cleanup.enter_context(
                    stack.running(600, lambda m: print(f"[bench] {m}", flush=True))
                )
            except StackError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            rasa_url, gateway_url = stack.rasa_url, stack.gateway_url or ""
            started = True
        rasa_pid = listening_pid(urlsplit(rasa_url).port or 5005)
        if rasa_pid is None:
            print("[bench] Rasa's pid not found: no CPU figures", flush=True)
        bare = start_bare(cleanup) if "bare" in targets else None
        results = asyncio.run(
            bench(
                rasa_url,
                gateway_url,
                targets,
                levels,
                args.duration,
                args.warmup,
                thinks,
                rasa_pid,
                bare,
            )
        )
    block = report(results, command.strip(), started)
    print(block)
    if not args.no_write:
        write_block(block)
        print(f"[bench] written to {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
