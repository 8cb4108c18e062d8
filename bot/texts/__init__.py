"""The texts of the gateway and its front ends: one YAML file per channel kind.

* ``citizen.yml`` — what the citizen reads that is not a bot reply: gateway and handoff
  notices, and the labels the channels (Telegram, web widget) put around structured replies;
* ``console.yml`` — the operator console (pages, labels, summaries).

Bot replies are Rasa domain responses (``bot/domain/``), never here. Python reads a file with
:func:`citizen_texts` / :func:`console_texts`; the front ends get it as JSON
(:meth:`Texts.as_json`): the widget embedded in ``/static/widget.js``, the console in its page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TEXTS_DIR = Path(__file__).resolve().parent
CITIZEN = "citizen"
CONSOLE = "console"


class Texts:
    """The texts of one YAML file, by dotted key (``"handoff.queued"``).

    Args:
        name: the file's name without ``.yml`` (``citizen``, ``console``).
        data: the parsed file: sections of ``key: text`` (or lists of texts).
    """

    def __init__(self, name: str, data: Mapping[str, Any]) -> None:
        self.name = name
        self._data = dict(data)

    def _find(self, key: str) -> Any:
        node: Any = self._data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise KeyError(f"no text {key!r} in {self.name}.yml")
            node = node[part]
        return node

    def text(self, key: str, **values: Any) -> str:
        """Return one text, with its ``{placeholders}`` filled from ``values`` when given.

        Raises:
            KeyError: no such key (or it is a section).
        """
        found = self._find(key)
        if isinstance(found, Mapping | list):
            raise KeyError(f"{key!r} in {self.name}.yml is a section, not a text")
        return str(found).format(**values) if values else str(found)

    def table(self, key: str) -> dict[str, str]:
        """Return a section as ``{key: text}`` (e.g. ``categories``)."""
        found = self._find(key)
        if not isinstance(found, Mapping):
            raise KeyError(f"{key!r} in {self.name}.yml is not a section")
        return {str(k): str(v) for k, v in found.items()}

    def words(self, key: str) -> list[str]:
        """Return a list of texts (e.g. ``hours.days``)."""
        found = self._find(key)
        if not isinstance(found, list):
            raise KeyError(f"{key!r} in {self.name}.yml is not a list")
        return [str(v) for v in found]

    def keys(self) -> set[str]:
        """Every dotted key of a text, a list or a section."""
        return set(_walk(self._data, ""))

    def as_json(self) -> str:
        """The whole file as JSON (ASCII only: safe to embed in a script or an attribute)."""
        return json.dumps(self._data, ensure_ascii=True, sort_keys=True)


def _walk(node: Mapping[str, Any], prefix: str) -> Iterator[str]:
    for key, value in node.items():
        dotted = f"{prefix}{key}"
        yield dotted
        if isinstance(value, Mapping):
            yield from _walk(value, dotted + ".")


@lru_cache(maxsize=4)
def load_texts(name: str) -> Texts:
    """Read ``bot/texts/<name>.yml`` once per process."""
    with open(TEXTS_DIR / f"{name}.yml", encoding="utf-8") as fh:
        return Texts(name, yaml.safe_load(fh) or {})


def citizen_texts() -> Texts:
    """Texts of the citizen channels (gateway notices, handoff, Telegram, widget)."""
    return load_texts(CITIZEN)


def console_texts() -> Texts:
    """Texts of the operator console."""
    return load_texts(CONSOLE)
