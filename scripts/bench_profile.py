"""Where a reply's CPU goes in Rasa, ours against a bare Rasa, in one run (``make bench-profile``).

    .venv/bin/python scripts/bench_profile.py [--conversations 42] [--no-write]

Starts the action server (the launcher of ``wecare run``, a temporary SQLite tracker store),
runs ``scripts/rasa_profile.py`` in the Rasa environment on the assistant's model, then on the
bare-Rasa reference (``scripts/bare_rasa.py``: ``rasa init``'s project), and writes the
breakdown (CPU and wall ms per reply of every span) to docs/benchmarks.md between
``<!-- BEGIN profile -->`` and ``<!-- END profile -->``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from bare_rasa import ensure_bare_model  # noqa: E402
from bench_e2e_report import write_block  # noqa: E402

from wecare.endpoints import ENDPOINTS  # noqa: E402
from wecare.run import MODEL, Stack, ensure_catalog, ensure_model, free_port  # noqa: E402

BEGIN, END = "<!-- BEGIN profile -->", "<!-- END profile -->"
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
# Spans shown first, in this order (the rest are the graph nodes, by CPU).
MAIN_SPANS = [
    "reply",
    "tracker load",
    "nlu",
    "extract slots",
    "predict",
    "actions",
    "actions: action server calls",
    "actions: request body (tracker + domain JSON)",
    "actions: response validation",
    "tracker save",
]


def say(message: str) -> None:
    print(f"[profile] {message}", flush=True)


def profile(
    model: Path, endpoints: Path, env: dict[str, str], args: argparse.Namespace, bare: bool
) -> dict:
    """Run scripts/rasa_profile.py and return its breakdown."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = [
            str(RASA_PY),
            str(ROOT / "scripts" / "rasa_profile.py"),
            "--model",
            str(model),
            "--endpoints",
            str(endpoints),
            "--out",
            out.name,
            "--conversations",
            str(args.conversations),
        ]
        extra = ["--bare"] if bare else (["--cprofile", args.cprofile] if args.cprofile else [])
        subprocess.run(cmd + extra, cwd=ROOT, env=env, check=True)  # noqa: S603
        return json.loads(Path(out.name).read_text(encoding="utf-8"))


def table(ours: dict, bare: dict) -> list[str]:
    """Markdown rows: every span of ours, the bare reference's where it has the same span."""
    rows = [
        "| span | ours CPU ms/reply | ours wall ms/reply | calls/reply | bare CPU ms/reply |",
        "|---|---|---|---|---|",
    ]
    names = [n for n in MAIN_SPANS if n in ours["spans"]]
    names += [n for n in ours["spans"] if n not in names]
    for name in names:
        span = ours["spans"][name]
        ref = bare["spans"].get(name)
        rows.append(
            f"| {name} | {span['cpu_ms_per_reply']:.2f} | {span['wall_ms_per_reply']:.2f}"
            f" | {span['calls_per_reply']:.2f} | "
            + ("-" if ref is None else f"{ref['cpu_ms_per_reply']:.2f}")
            + " |"
        )
    return rows


def report(ours: dict, bare: dict, command: str) -> str:
    cpu = ours["spans"]["reply"]["cpu_ms_per_reply"]
    ref = bare["spans"]["reply"]["cpu_ms_per_reply"]
    load = os.getloadavg()
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        BEGIN,
        "## Where a reply's CPU goes (Rasa in process)",
        "",
        f"Command: `{command}` (`make bench-profile`). Measured {stamp}"
        f" on {os.cpu_count()} CPUs ({platform.machine()}), load average {load[0]:.1f} at the end.",
        "",
        f"Rasa's `MessageProcessor.handle_message` in process (no HTTP), conversations one after "
        f"the other: {ours['messages']} replies of the scripted citizen conversations "
        f"(`scripts/bench_conversations.py`) against {bare['messages']} of the bare-Rasa "
        "reference (`rasa init`'s moodbot, default pipeline and policies). CPU = process CPU "
        "time (TensorFlow threads included); `node …` rows are graph nodes (NLU components, "
        "policies); `actions: action server calls` includes the wait for the action server "
        "(wall) but only Rasa's own CPU.",
        "",
        f"**Rasa CPU per reply: ours {cpu:.1f} ms, bare Rasa {ref:.1f} ms "
        f"(ratio ×{cpu / ref:.2f}).**",
        "",
        *table(ours, bare),
        END,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=42)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--cprofile", default="", help="write cProfile stats of ours here")
    args = parser.parse_args(argv)
    command = "scripts/bench_profile.py " + " ".join(argv if argv is not None else sys.argv[1:])
    ensure_catalog(say)
    ensure_model(MODEL, train=True, say=say)
    bare_model = ensure_bare_model(say)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        tracker_url = f"sqlite:///{Path(tmp) / 'tracker.db'}"
        stack = Stack(
            rasa_port=free_port(),
            action_port=free_port(),
            gateway_port=None,
            token=secrets.token_urlsafe(16),
            log_dir=Path(tmp) / "logs",
            tracker_store_url=tracker_url,
            rasa_instances=0,
        )
        with stack.running(300, say):
            env = {**stack.child_env()}
            ours = profile(MODEL, ENDPOINTS, env, args, bare=False)
            empty = Path(tmp) / "endpoints-bare.yml"
            empty.write_text("{}\n", encoding="utf-8")
            bare = profile(bare_model, empty, env, args, bare=True)
    block = report(ours, bare, command.strip())
    print(block)
    if not args.no_write:
        write_block(block, ROOT / "docs" / "benchmarks.md", BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
