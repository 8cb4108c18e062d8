"""The enti gestori the handoff and the console name (short names from ``catalog.reference``)."""

from __future__ import annotations

from collections.abc import Mapping


class EnteDirectory:
    """Display names of the enti gestori.

    Args:
        names: ``{ente id: short name}`` (``catalog.reference.ente_short_names``).
        generic: what to say when the ente is unknown (``handoff.generic_ente``).
    """

    def __init__(self, names: Mapping[str, str], generic: str) -> None:
        self.names = dict(names)
        self.generic = generic

    def name(self, ente_id: str | None) -> str:
        """Display name of an ente gestore (the generic phrase when unknown)."""
        return self.names.get(ente_id, self.generic) if ente_id else self.generic

    def __contains__(self, ente_id: object) -> bool:
        return ente_id in self.names
