"""Which conversations the daily roll-ups count, and what each adds to the counters (pure).

A conversation is *rolled up* when its whole log (citizen messages, analytics turns,
handoffs, contacts left) falls on one Europe/Rome day, on one channel, with one ente gestore
(the conversation's, its turns', handoffs' and contacts') and one comune (its turns'), every
handoff is final (its times and ente no longer change) and its need categories are the
catalog's. Such a conversation is in one cell of every dimension the report groups by (day,
channel, comune, ente, distretto), so its distinct counts simply add up across days, weeks,
months, areas and enti; where it can hold several keys (need categories, services, reasons,
risk kinds) it is also counted once under ``*``. Every other conversation (it spans
midnight, a Telegram chat that comes back another day, a comune that changed, a handoff
still open) is read from the log by the report, as before: the counters never hold it.
:func:`figures` gives exactly what :mod:`bot.analytics.report` would count for the
conversation from its rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.analytics.source import TurnRow, _local_day
from bot.analytics.tally import ANY
from bot.handoff.models import FINAL_STATUSES
from catalog.constants import CATEGORIES

#: Figures counted in conversations (the rest are sums, see ``AnalyticsDaily``).
SUMS = ("messages", "turns", "fallback_turns", "wait")


@dataclass(frozen=True)
class HandoffFact:
    """A handoff as the roll-up needs it."""

    reason: str
    status: str
    ente_gestore_id: str | None
    queued_at: datetime | None
    claimed_at: datetime | None


@dataclass
class ConversationLog:
    """Everything the analytics knows of one conversation, over its whole life."""

    ente_gestore_id: str | None
    days: set[date] = field(default_factory=set)
    channels: set[str] = field(default_factory=set)
    messages: int = 0
    turns: list[TurnRow] = field(default_factory=list)
    handoffs: list[HandoffFact] = field(default_factory=list)
    contacts: list[str | None] = field(default_factory=list)

    def saw(self, hour: str) -> None:
        """Note activity in the UTC hour ``YYYY-MM-DD HH``."""
        self.days.add(_local_day(hour))

    def place(self) -> tuple[date, str, str, str] | None:
        """``(day, ente, comune, channel)`` if the roll-up counts it; None: read raw."""
        enti = {
            self.ente_gestore_id,
            *(t.ente_gestore_id for t in self.turns),
            *(h.ente_gestore_id for h in self.handoffs),
            *self.contacts,
        }
        comuni = {t.comune for t in self.turns}
        if len(self.days) != 1 or len(self.channels) > 1 or len(enti) != 1 or len(comuni) > 1:
            return None
        if any(h.status not in FINAL_STATUSES for h in self.handoffs):
            return None
        if any(t.category and t.category not in CATEGORIES for t in self.turns):
            return None
        comune = next(iter(comuni), None)
        channel = next(iter(self.channels), "")
        return next(iter(self.days)), next(iter(enti)) or "", comune or "", channel


def figures(log: ConversationLog) -> Counter[tuple[str, str]]:
    """What one rolled-up conversation adds to its cell: ``(figure, key) -> n``."""
    out: Counter[tuple[str, str]] = Counter()

    def once(figure: str, keys: set[str], star: bool = True) -> None:
        for key in keys:
            out[(figure, key)] += 1
        if keys and star:
            out[(figure, ANY)] += 1

    if log.messages:
        out[("conv", "")] += 1
        out[("messages", "")] += log.messages
    if log.handoffs:
        out[("handoff", "")] += 1
        once("reason", {h.reason for h in log.handoffs})
        if log.messages:
            out[("handed", "")] += 1
    for h in log.handoffs:
        if h.claimed_at is not None and h.queued_at is not None:
            out[("wait", repr((h.claimed_at - h.queued_at).total_seconds() / 60))] += 1
    if log.contacts:
        out[("contact", "")] += 1
    turns = log.turns
    if turns:
        out[("turned", "")] += 1
        out[("turns", "")] += len(turns)
        misses = sum(1 for t in turns if t.fallback)
        if misses:
            out[("fallback", "")] += 1
            out[("fallback_turns", "")] += misses
    once("need", {str(t.category) for t in turns if t.category})
    once("missed", {str(t.misunderstood_intent) for t in turns if t.fallback and
                    t.misunderstood_intent}, star=False)  # fmt: skip
    once("service", {str(s) for t in turns for s in t.service_ids or []}, star=False)
    once("empty", {str(t.category) for t in turns if t.services_total == 0 and t.category})
    once("risk", {str(t.risk_kind) for t in turns if t.risk_kind})
    return out
