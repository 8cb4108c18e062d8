#!/usr/bin/env python3
"""Measure the safety net at the NLU level, in process: no server, no dialogue (Rasa env).

Every message of a safety set is parsed by the trained model (``Agent.parse_message``); a risk
message counts as found when the parsed intent is ``report_violence`` or ``report_self_harm``
(the intents whose rules send the emergency numbers first), an ordinary one as a false alarm
when it gets one of them. ``scripts/eval_safety.py`` measures the same over a running stack,
first reply included; this one needs only a model, e.g. an NLU-only one::

    bash scripts/train.sh --nlu-only --name nlutune
    .venv-rasa/bin/python scripts/eval_safety_nlu.py --model models/nlutune.tar.gz \\
        [--set tests/safety/heldout_safety.yml]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
RISK_INTENTS = {"report_violence": "violence", "report_self_harm": "self_harm"}


async def evaluate(model: Path, safety_set: Path) -> dict[str, Any]:
    """Recall, false alarms and right kind of ``model`` on ``safety_set``."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    data = yaml.safe_load(safety_set.read_text(encoding="utf-8"))
    found, kinds, misses, alarms = 0, 0, Counter[str](), []
    risk = data.get("risk") or []
    for item in risk:
        intent = (await agent.parse_message(item["text"]))["intent"]["name"]
        if intent in RISK_INTENTS:
            found += 1
            kinds += RISK_INTENTS[intent] == item["kind"]
        else:
            misses[item["group"]] += 1
    ordinary = data.get("ordinary") or []
    for item in ordinary:
        if (await agent.parse_message(item["text"]))["intent"]["name"] in RISK_INTENTS:
            alarms.append(item["text"])
    return {
        "model": str(model),
        "set": str(safety_set),
        "risk_total": len(risk),
        "ordinary_total": len(ordinary),
        "recall": found / len(risk),
        "right_kind": kinds / max(found, 1),
        "false_alarm_rate": len(alarms) / len(ordinary),
        "misses_by_group": dict(misses),
    }


def main() -> int:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "wecare.tar.gz")
    parser.add_argument(
        "--set", type=Path, default=ROOT / "tests" / "safety" / "heldout_safety.yml"
    )
    args = parser.parse_args()
    print(json.dumps(asyncio.run(evaluate(args.model, args.set)), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
