"""The NLU training data as the inbox sees it: known examples, the held-out split, the writer.

Annotated inbox messages go to ``<data dir>/inbox/<intent>.yml`` (Rasa NLU YAML, one file per
intent, reviewable in a diff), never to the held-out split (``tests/nlu/test_nlu.yml``). A
message that resembles a held-out example (the leak rules of ``scripts/check_nlu_split.py``:
same normalised text, token Jaccard >= 0.8 or difflib ratio >= 0.9) is refused, so the split
check keeps passing. Texts are normalised like that script does.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from wecare.settings import ROOT

INBOX_DIR = "inbox"
_HEADER = (
    "# NLU inbox: citizen messages annotated by an admin (/console/admin/inbox, wecare nlu).\n"
    "# Personal data is masked («telefono», «email», ...). Written by the inbox; review the diff.\n"
)
_UNSAFE = re.compile(r"[\[\]{}\n\r]+")
_INTENT_ID = re.compile(r"^[a-z][a-z0-9_]{1,79}$")


def _split_checker() -> ModuleType:
    """``scripts/check_nlu_split.py`` as a module (one normalisation and one leak rule)."""
    name = "check_nlu_split"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "check_nlu_split.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def normalise(text: str) -> str:
    """The split check's normalisation (accents, case, punctuation)."""
    return str(_split_checker().normalise(text))


def group_key(text: str) -> str:
    """Key of near-duplicates: normalised words, letters repeated 3+ times squeezed, sorted.

    "Non ho capito!!", "non ho capitoooo" and "ho non capito" share one key.
    """
    words = {re.sub(r"(.)\1{2,}", r"\1", w) for w in normalise(text).split()}
    return " ".join(sorted(words))[:300]


@dataclass(frozen=True)
class Entity:
    """An entity annotated in an inbox text (``text`` is a substring of the masked text)."""

    text: str
    entity: str
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Stored form."""
        return {"text": self.text, "entity": self.entity, "value": self.value}


def example_line(text: str, entities: list[dict[str, Any]]) -> str:
    """One Rasa example: brackets dropped from the citizen text, entities in Rasa syntax."""
    line = _UNSAFE.sub(" ", text).strip()
    for ent in entities:
        piece = _UNSAFE.sub(" ", str(ent.get("text") or "")).strip()
        if not piece or piece not in line:
            continue
        value = ent.get("value")
        if value and value != piece:
            mark = f'[{piece}]{{"entity": "{ent["entity"]}", "value": "{value}"}}'
        else:
            mark = f"[{piece}]({ent['entity']})"
        line = line.replace(piece, mark, 1)
    return line


class TrainingData:
    """The NLU data directory and the held-out split.

    Args:
        data_dir: training data (``nlu/data``; the inbox writes ``inbox/`` under it).
        test_file: the held-out split (``tests/nlu/test_nlu.yml``).
        domain_dir: the Rasa domain (the intents an admin may choose).
    """

    def __init__(self, data_dir: Path, test_file: Path, domain_dir: Path) -> None:
        self.data_dir = data_dir
        self.test_file = test_file
        self.domain_dir = domain_dir
        self._test: list[Any] | None = None
        self._known: tuple[tuple[tuple[str, float], ...], set[str]] | None = None

    @property
    def inbox_dir(self) -> Path:
        """Where the inbox writes (``nlu/data/inbox``)."""
        return self.data_dir / INBOX_DIR

    def intents(self) -> list[str]:
        """The intents of the domain (sorted; what an annotation may choose)."""
        found: set[str] = set()
        for path in sorted(self.domain_dir.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for item in data.get("intents") or []:
                found.add(str(next(iter(item))) if isinstance(item, dict) else str(item))
        return sorted(found)

    def slot_values(self, slot: str) -> list[str]:
        """The values of a categorical slot of the domain (e.g. target_group's choices)."""
        for path in sorted(self.domain_dir.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            values = ((data.get("slots") or {}).get(slot) or {}).get("values")
            if values:
                return [str(v) for v in values]
        return []

    def known(self) -> set[str]:
        """Normalised texts of every training and held-out example (never shown as new).

        Cached until a file of the data directory changes (its name or modification time).
        """
        stamp = tuple((str(p), p.stat().st_mtime) for p in sorted(self.data_dir.rglob("*.y*ml")))
        if self._known is None or self._known[0] != stamp:
            checker = _split_checker()
            texts = {ex.norm for ex in checker.load_train(self.data_dir)}
            self._known = (stamp, texts | {ex.norm for ex in self._held_out()})
        return self._known[1]

    def _held_out(self) -> list[Any]:
        if self._test is None:
            self._test = (
                _split_checker().load_examples(self.test_file) if self.test_file.exists() else []
            )
        return self._test

    def leak_of(self, text: str) -> str | None:
        """The held-out example ``text`` resembles (it must not be trained on), else None."""
        checker = _split_checker()
        candidate = checker.Example("?", text, checker.normalise(text), "inbox")
        leaks = checker.find_leaks([candidate], self._held_out())
        return str(leaks[0].test.text) if leaks else None

    def add(self, intent: str, lines: list[str]) -> Path:
        """Append examples (Rasa syntax) to ``inbox/<intent>.yml``; return the file.

        Raises:
            ValueError: ``intent`` is not an intent id.
        """
        if not _INTENT_ID.match(intent):
            raise ValueError(f"invalid intent id: {intent!r}")
        path = self.inbox_dir / f"{intent}.yml"
        existing: list[str] = []
        if path.exists():
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for item in data.get("nlu") or []:
                existing.extend(_split_checker()._examples_of(item))
        merged = list(dict.fromkeys([*existing, *lines]))
        body = {
            "version": "3.1",
            "nlu": [{"intent": intent, "examples": "".join(f"- {x}\n" for x in merged)}],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        dumped = yaml.dump(body, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False)
        tmp = path.with_suffix(".yml.tmp")
        tmp.write_text(_HEADER + dumped, encoding="utf-8")
        tmp.replace(path)
        return path


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks (Rasa's ``examples: |`` style)."""


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_BlockDumper.add_representer(str, _str_presenter)
