"""Where one Rasa reply's CPU goes: Rasa in process, timed span by span (run in .venv-rasa).

    .venv-rasa/bin/python scripts/rasa_profile.py --model models/wecare.tar.gz \
        --endpoints ENDPOINTS.yml --conversations 40 --out breakdown.json [--cprofile FILE]

``scripts/bench_profile.py`` (``make bench-profile``) starts the action server and runs this;
use that. The script loads the model with Rasa's own ``Agent`` and the given endpoints (the
action server, the SQL tracker store), replays the scripted conversations of
``scripts/bench_e2e.py`` one message at a time and records, for every message, the process CPU
time (``time.process_time``: the TensorFlow threads included) and the wall time of each span:

    reply            MessageProcessor.handle_message (everything but HTTP)
    tracker load     fetching the tracker and updating its session (the tracker store's retrieve)
    nlu              the NLU graph, and each component's node in it
    extract slots    action_extract_slots
    predict          every prediction round (how many per reply), and each policy's node
    actions          running the predicted actions: Rasa's side of the action-server calls
                     (request body, HTTP, response validation) and the action server's wait
    tracker save     the tracker store's save

Conversations run one after the other (no concurrency), so every span is attributed to the
message being handled. The first ``--warmup`` conversations are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_conversations import BARE_SCRIPTS, SCRIPTS  # noqa: E402

Totals = dict[str, list[float]]  # span -> [cpu s, wall s, calls]
_totals: Totals = defaultdict(lambda: [0.0, 0.0, 0])
_recording = False


def _add(name: str, cpu: float, wall: float) -> None:
    if _recording:
        entry = _totals[name]
        entry[0] += cpu
        entry[1] += wall
        entry[2] += 1


def _timed_async(name: str, func: Any) -> Any:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return await func(*args, **kwargs)
        finally:
            _add(name, time.process_time() - cpu, time.perf_counter() - wall)

    return wrapper


def _timed_sync(name: str, func: Any) -> Any:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            _add(name, time.process_time() - cpu, time.perf_counter() - wall)

    return wrapper


def instrument() -> None:
    """Wrap the spans listed in the module docstring (Rasa 3.6 internals)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.engine.graph import GraphNode

    spans_async = {
        "reply": "handle_message",
        "tracker load": "fetch_tracker_and_update_session",
        "nlu": "parse_message",
        "extract slots": "run_action_extract_slots",
        "actions": "_run_action",
        "tracker save": "save_tracker",
    }
    for span, attr in spans_async.items():
        setattr(MessageProcessor, attr, _timed_async(span, getattr(MessageProcessor, attr)))
    MessageProcessor.predict_next_with_tracker_if_should = _timed_sync(
        "predict", MessageProcessor.predict_next_with_tracker_if_should
    )
    RemoteAction.run = _timed_async("actions: action server calls", RemoteAction.run)
    RemoteAction._action_call_format = _timed_sync(
        "actions: request body (tracker + domain JSON)", RemoteAction._action_call_format
    )
    RemoteAction._validate_action_result = _timed_sync(
        "actions: response validation", RemoteAction._validate_action_result
    )

    original_call = GraphNode.__call__

    def node_call(self: Any, *inputs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return original_call(self, *inputs)
        finally:
            _add(f"node {self._node_name}", time.process_time() - cpu, time.perf_counter() - wall)

    GraphNode.__call__ = node_call


async def replay(agent: Any, scripts: list[list[str]], conversations: int, warmup: int) -> int:
    """Run the scripted conversations; return how many messages were counted."""
    global _recording
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    counted = 0
    for index in range(warmup + conversations):
        _recording = index >= warmup
        sender = f"profile-{uuid.uuid4().hex[:12]}"
        for text in scripts[index % len(scripts)]:
            message = UserMessage(text, CollectingOutputChannel(), sender, input_channel="rest")
            replies = await agent.handle_message(message)
            if not replies:
                raise SystemExit(f"no reply to {text!r} (is the action server up?)")
            counted += int(_recording)
    _recording = False
    return counted


def breakdown(messages: int) -> dict[str, Any]:
    """Per-reply averages (ms) of every span, and the prediction rounds per reply."""
    rows = {
        name: {
            "cpu_ms_per_reply": round(1000 * cpu / messages, 2),
            "wall_ms_per_reply": round(1000 * wall / messages, 2),
            "calls_per_reply": round(calls / messages, 2),
        }
        for name, (cpu, wall, calls) in sorted(_totals.items(), key=lambda kv: -kv[1][0])
    }
    return {"messages": messages, "spans": rows}


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # the log level of `rasa run` (INFO): debug logging would be most of the cost
    configure_logging_and_warnings(logging.INFO)
    configure_structlog(logging.INFO)

    endpoints = AvailableEndpoints.read_endpoints(args.endpoints)
    agent = await load_agent(model_path=args.model, endpoints=endpoints)
    instrument()
    profiler = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    scripts = BARE_SCRIPTS if args.bare else SCRIPTS
    messages = await replay(agent, scripts, args.conversations, args.warmup)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.cprofile)
    return breakdown(messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--endpoints", required=True)
    parser.add_argument("--conversations", type=int, default=42)
    parser.add_argument("--warmup", type=int, default=7)
    parser.add_argument("--out", required=True)
    parser.add_argument("--bare", action="store_true", help="the bare-Rasa reference's dialogues")
    parser.add_argument("--cprofile", default="", help="also write cProfile stats here")
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
