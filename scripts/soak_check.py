"""The verdict of the soak run (scripts/soak.py): the stores, compared conversation by conversation.

* the gateway's message log (app database): every citizen message it accepted, with its
  status (``forwarded``: answered; ``failed``: Rasa answered nothing, the citizen got the
  ``gateway.empty_answer`` notice; ``received``/``queued``: still waiting);
* Rasa's tracker store: the ``user`` events, i.e. every message Rasa processed.

Per conversation, a message logged as answered (``forwarded`` or ``failed``) but absent from
the tracker, or still waiting once the inbox has drained, is **lost**; a tracker event beyond
what the log holds is **duplicated** (Rasa processed a message twice).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from procstats import group_rss_mb
from soak_load import Counts
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- BEGIN soak -->", "<!-- END soak -->"


def markers(profile: str) -> tuple[str, str]:
    """The block markers of a profile (``embedded``: the plain ``soak`` block)."""
    name = "soak" if profile == "embedded" else f"soak-{profile}"
    return BEGIN.replace("soak", name), END.replace("soak", name)


WAITING = ("received", "queued")
ANSWERED = ("forwarded", "failed")


def _engine_url(url: str) -> str:
    """Rasa's tracker URL uses psycopg2's scheme; the app environment has psycopg 3."""
    return (
        "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgresql:") else url
    )


class Memory:
    """Resident memory of each child's process group, sampled over the run."""

    def __init__(self, stack) -> None:  # noqa: ANN001 - wecare.stack.Stack
        self.stack = stack
        self.samples: dict[str, list[tuple[int, float]]] = defaultdict(list)

    def sample(self) -> None:
        """Record the RSS (MB) of every child group now."""
        for child in self.stack.children:
            if child.proc.poll() is None:
                self.samples[child.spec.name].append((child.proc.pid, group_rss_mb(child.proc.pid)))

    def report(self) -> dict[str, str]:
        """``name -> "first -> last MB (peak P)"`` for each life of each process (restarts)."""
        out = {}
        for name, samples in self.samples.items():
            lives: dict[int, list[float]] = {}
            for pid, mb in samples:
                lives.setdefault(pid, []).append(mb)
            parts = [f"{v[0]:.0f} → {v[-1]:.0f} MB (peak {max(v):.0f})" for v in lives.values()]
            out[name] = "; after its restart ".join(parts)
        return out


@dataclass
class SoakResult:
    """Counts of one soak run."""

    counts: Counts
    conversations: int = 0
    logged: int = 0
    answered: int = 0
    empty_notice: int = 0
    waiting: int = 0
    lost: int = 0
    duplicated: int = 0
    seconds: float = 0.0
    events: list[str] = field(default_factory=list)
    memory: dict[str, str] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing duplicated."""
        return self.lost == 0 and self.duplicated == 0 and self.logged > 0

    def block(self, command: str, profile: str, load: str) -> str:
        """The Markdown block of docs/benchmarks.md (``load``: conversations and think time)."""
        c = self.counts
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        lines = [
            markers(profile)[0], "",
            f"Command: `{command}` (measured {when}; {profile} profile, {load}, "
            f"{os.cpu_count()} cores shared, {self.seconds:.0f} s in all). "
            "Restarts (SIGKILL, 5 s down, then started again): "
            + ("; ".join(self.events) or "none") + ".", "",
            "| sent by the clients | accepted (logged) | answered | answered with the notice "
            "| lost | duplicated | conversations |",
            "|---|---|---|---|---|---|---|",
            f"| {c.sent} | {self.logged} | {self.answered} | {self.empty_notice} | {self.lost} "
            f"| {self.duplicated} | {self.conversations} |", "",
            f"On the sockets: {c.replies} replies at once, {c.no_reply} without a reply on the "
            f"same socket (answered late: pushed or in the history), {c.connect_errors} failed "
            "connections while a gateway was down. \"Answered with the notice\": Rasa answered "
            "nothing because the action server was down, the citizen read "
            "`gateway.empty_answer`.", "",
            "Memory (resident set of each process group, first → last sample): "
            + "; ".join(f"{k} {v}" for k, v in sorted(self.memory.items())) + ".", "",
            markers(profile)[1],
        ]  # fmt: skip
        return "\n".join(lines)


def verify(
    app_url: str,
    tracker_url: str,
    prefix: str,
    counts: Counts,
    drain_timeout: float,
    say: Callable[[str], None] = print,
) -> SoakResult:
    """Wait for the inbox to drain, then compare the message log with Rasa's tracker."""
    like = f"web-{prefix}%"
    app = create_engine(_engine_url(app_url))
    tracker = create_engine(_engine_url(tracker_url))
    logged_query = text(
        "SELECT c.sender_id, m.text, m.status FROM message m JOIN conversation c"
        " ON c.id = m.conversation_id WHERE m.direction = 'in' AND m.sender_kind = 'citizen'"
        " AND c.sender_id LIKE :like ORDER BY m.id"
    )
    deadline = time.monotonic() + drain_timeout
    while True:
        with app.connect() as conn:
            rows = conn.execute(logged_query, {"like": like}).all()
        waiting = [r for r in rows if r.status in WAITING]
        if not waiting or time.monotonic() > deadline:
            break
        say(f"[soak] {len(waiting)} message(s) still waiting for Rasa")
        time.sleep(5)
    with tracker.connect() as conn:
        events = conn.execute(
            text(
                "SELECT sender_id, data FROM events WHERE type_name = 'user'"
                " AND sender_id LIKE :like ORDER BY id"
            ),
            {"like": like},
        ).all()
    app.dispose()
    tracker.dispose()
    sent_to_rasa: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row.status in ANSWERED:
            sent_to_rasa[row.sender_id][row.text] += 1
    processed: dict[str, Counter[str]] = defaultdict(Counter)
    for sender, data in events:
        processed[sender][str(json.loads(data).get("text") or "")] += 1
    result = SoakResult(counts=counts, conversations=len({r.sender_id for r in rows}))
    result.logged = len(rows)
    result.answered = sum(r.status == "forwarded" for r in rows)
    result.empty_notice = sum(r.status == "failed" for r in rows)
    result.waiting = len(waiting)
    for sender in set(sent_to_rasa) | set(processed):
        missing = sent_to_rasa[sender] - processed[sender]
        extra = processed[sender] - sent_to_rasa[sender]
        result.lost += sum(missing.values())
        result.duplicated += sum(extra.values())
        result.examples += [f"lost {sender}: {t!r}" for t in missing]
        result.examples += [f"duplicated {sender}: {t!r}" for t in extra]
    result.lost += result.waiting
    result.examples += [f"waiting {r.sender_id}: {r.text!r} ({r.status})" for r in waiting]
    for line in result.examples[:20]:
        say(f"[soak] {line}")
    return result


def write_block(block: str, profile: str = "embedded") -> None:
    """Replace the profile's soak block of docs/benchmarks.md (append it when missing)."""
    begin, end = markers(profile)
    doc = DOC.read_text(encoding="utf-8")
    if begin in doc and end in doc:
        head, rest = doc.split(begin, 1)
        doc = head + block + rest.split(end, 1)[1]
    else:
        title = "10 minutes with a restart of each component"
        doc = doc.rstrip() + f"\n\n## Soak ({profile} profile): {title}\n\n" + block + "\n"
    DOC.write_text(doc, encoding="utf-8")
