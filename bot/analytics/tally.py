"""Distinct-conversation counts from two disjoint sources: roll-up counters and raw ids.

A :class:`Tally` is the count matrix behind one table, keyed by ``(row, column)``. Rolled-up
conversations (``bot.analytics.rollup``: one day, one channel, one ente, one comune) arrive
as counts; the other conversations as ids, exactly as the report has always counted them.
The two sets of conversations never overlap, so every figure is a rolled-up count plus the
size of a union of raw sets. A rolled-up conversation may sit in several keys of the
*facet* axis (several need categories, services, reasons): for unions over that axis the
roll-up keeps its own ``*`` key (the conversation counted once); over the other axis (day,
comune, ente, channel: one value per rolled-up conversation) counts simply add up.
"""

from __future__ import annotations

from collections import defaultdict

#: Key of the facet axis under which a rolled-up conversation is counted once.
ANY = "*"
#: A selection of keys on one axis: one key, a list (their union) or None (every key).
Keys = str | list[str] | None


class Tally:
    """Conversations per ``(row, column)``.

    Args:
        facet: the axis (0 = rows, 1 = columns) whose keys a rolled-up conversation may hold
            several of; None when both axes are single-valued.
    """

    def __init__(self, facet: int | None = None) -> None:
        self.facet = facet
        self.counts: dict[tuple[str, str], int] = defaultdict(int)
        self.ids: dict[tuple[str, str], set[int]] = defaultdict(set)

    def add(self, row: str, col: str, conversation_id: int) -> None:
        """Count the raw conversation ``conversation_id`` in ``(row, col)``."""
        self.ids[(row, col)].add(conversation_id)

    def add_count(self, row: str, col: str, n: int) -> None:
        """Add ``n`` rolled-up conversations to ``(row, col)`` (``*`` on the facet axis)."""
        self.counts[(row, col)] += n

    def keys(self, axis: int) -> set[str]:
        """Every key of ``axis`` with at least one conversation (``*`` excluded)."""
        found = {k[axis] for k, members in self.ids.items() if members}
        found |= {k[axis] for k, n in self.counts.items() if n}
        return found - {ANY}

    def n(self, rows: Keys, cols: Keys) -> int:
        """Distinct conversations in the union of the selected cells."""
        return self._rolled(rows, cols) + len(self.members(rows, cols))

    def members(self, rows: Keys, cols: Keys) -> set[int]:
        """The raw conversations of the selected cells."""
        return set().union(
            *(m for (r, c), m in self.ids.items() if _picks(rows, r) and _picks(cols, c))
        )

    def _rolled(self, rows: Keys, cols: Keys) -> int:
        wanted: list[Keys] = []
        for axis, keys in enumerate((rows, cols)):
            if axis == self.facet and not isinstance(keys, str):
                wanted.append(ANY)  # a union over the facet: each conversation once
            else:
                wanted.append(keys)
        return sum(
            n
            for (r, c), n in self.counts.items()
            if _picks(wanted[0], r, rolled=True) and _picks(wanted[1], c, rolled=True)
        )


def _picks(keys: Keys, key: str, rolled: bool = False) -> bool:
    if keys is None:
        return not rolled or key != ANY
    if isinstance(keys, str):
        return key == keys
    return key in keys
