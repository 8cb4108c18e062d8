"""The report of ``scripts/bench_e2e.py``: the table, the targets, the ratios to a bare Rasa.

Written to docs/benchmarks.md between ``<!-- BEGIN e2e -->`` and ``<!-- END e2e -->``; the
rest of the file is left alone (:func:`write_block`).
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
MODEL = ROOT / "models" / "wecare.tar.gz"
BEGIN, END = "<!-- BEGIN e2e -->", "<!-- END e2e -->"
TARGET_P95_MS = 250.0
#: issue 11: >= 80 % of the bare-Rasa ceiling, <= 20 ms of Rasa CPU per reply, >= 40 msg/s
TARGET_SHARE_OF_BARE = 0.80
TARGET_CPU_MS = 20.0
TARGET_RATE = 40.0


def report(results: list[Any], command: str, started_stack: bool) -> str:
    """The Markdown block written between the e2e markers."""
    load = os.getloadavg()
    at20 = [r for r in results if r.concurrency == 20 and r.target != "bare"]
    verdicts = [
        f"{r.target} (think {r.think:g} s): p95 {r.pct(95):.0f} ms -> "
        + ("meets" if r.pct(95) <= TARGET_P95_MS else "MISSES")
        + f" the {TARGET_P95_MS:.0f} ms target"
        for r in at20
    ]
    model_info = ""
    train_json = MODEL.with_suffix("").with_suffix(".train.json")
    if train_json.exists():
        model_info = f", model stamp {json.loads(train_json.read_text()).get('stamp', '?')}"
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        BEGIN,
        "## End-to-end replies (REST webhook and gateway)",
        "",
        f"Command: `{command}` (`make bench-e2e`). Measured {when}"
        f" on {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), load average "
        f"{load[0]:.1f} at the end (shared machine){model_info}; "
        + (
            "stack started by the script (`wecare.run.Stack`)."
            if started_stack
            else "against the already running stack."
        ),
        "",
        "Closed loop: each simulated citizen sends the next message of a scripted conversation "
        "`think` seconds after the reply arrives (0 = at once: the stack's capacity; 1 = a "
        "fast human pace), a new conversation when one ends; latency = send until the whole "
        "reply (custom actions and catalog search included). `bare` = the bare-Rasa reference "
        "(`rasa init`'s project, Rasa's defaults, its own dialogues; scripts/bare_rasa.py) over "
        "the same REST webhook, measured in the same run; `rest` = Rasa's REST webhook; "
        "`gateway` = the web widget WebSocket (gateway, message log, Rasa, actions, catalog). "
        "The load generator runs on the same 2 CPUs. `Rasa CPU ms/reply` = CPU time of the "
        "Rasa process during the level / replies (robust to the machine's load): one Rasa "
        "process cannot serve more than about 1000 / that replies per second.",
        "",
        "| target | think s | concurrent | replies | p50 ms | p95 ms | p99 ms | mean ms | msg/s "
        "| Rasa CPU ms/reply | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *(r.row() for r in results),
        "",
        "Target (SPEC §8): p95 ≤ 250 ms at 20 concurrent conversations. "
        + ("; ".join(verdicts) + "." if verdicts else ""),
        *ratio_lines(results),
        END,
    ]
    return "\n".join(lines)


def write_block(block: str, path: Path = DOC, begin: str = BEGIN, end: str = END) -> None:
    """Replace the block between ``begin`` and ``end`` of ``path`` (append it if missing)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def ratio_lines(results: list[Any]) -> list[str]:
    """Our stack against the bare Rasa of the same run (issue 11's targets), as Markdown."""
    by_key = {(r.target, r.think, r.concurrency): r for r in results}
    bare_runs = [r for r in results if r.target == "bare" and r.think == 0]
    if not bare_runs:
        return []
    ceiling = max(bare_runs, key=lambda r: r.rate)
    lines = [
        "",
        f"Ratios to the bare Rasa of this run (its ceiling: {ceiling.rate:.1f} msg/s at "
        f"{ceiling.concurrency} concurrent, think 0 s; "
        + (f"{ceiling.rasa_cpu_ms:.1f}" if ceiling.rasa_cpu_ms else "?")
        + " ms of Rasa CPU per reply):",
        "",
        "| target | think s | concurrent | msg/s ÷ bare | Rasa CPU/reply ÷ bare |",
        "|---|---|---|---|---|",
    ]
    for (target, think, level), run in by_key.items():
        bare = by_key.get(("bare", think, level))
        if target == "bare" or bare is None or not bare.rate:
            continue
        cpu = (
            f"{run.rasa_cpu_ms / bare.rasa_cpu_ms:.2f}"
            if run.rasa_cpu_ms and bare.rasa_cpu_ms
            else "-"
        )
        lines.append(f"| {target} | {think:g} | {level} | {run.rate / bare.rate:.2f} | {cpu} |")
    for target in ("rest", "gateway"):
        ours = [r for r in results if r.target == target and r.think == 0]
        if not ours:
            continue
        best = max(ours, key=lambda r: r.rate)
        share = best.rate / ceiling.rate if ceiling.rate else 0.0
        cpu = best.rasa_cpu_ms or float("nan")
        lines.append(
            f"\n{target}: {best.rate:.1f} msg/s = {share:.0%} of the bare ceiling (target "
            f"≥ {TARGET_SHARE_OF_BARE:.0%}: "
            + ("meets" if share >= TARGET_SHARE_OF_BARE else "MISSES")
            + f"; ≥ {TARGET_RATE:.0f} msg/s: "
            + ("meets" if best.rate >= TARGET_RATE else "MISSES")
            + f"), Rasa CPU {cpu:.1f} ms/reply (target ≤ {TARGET_CPU_MS:.0f} ms: "
            + ("meets" if cpu <= TARGET_CPU_MS else "MISSES")
            + ")."
        )
    return lines
