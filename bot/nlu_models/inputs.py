"""What a registry training reads besides its config, and the checksum over it.

A full model reads the NLU data, the domain, the rules and stories and the project's NLU code;
an NLU-only model the NLU data and the code. The domain, the dialogue data and the test
stories are the production bot's by default (``bot/domain``, ``bot/data``, ``tests/stories``)
and configurable (``NLU_DOMAIN``, ``NLU_DIALOGUE_DATA``, ``NLU_TEST_STORIES``): the e2e
retraining test trains a tiny fixture bot through the normal path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wecare.settings import DIALOGUE_DATA_DIR, DOMAIN_DIR, ROOT, TEST_STORIES_DIR

#: Training inputs besides the config and the NLU data (as ``scripts/train.sh``).
CODE_INPUTS = ("nlu/components", "nlu/gazetteer.py", "nlu/risk", "nlu/spacy_it", "wecare/text.py")
_SUFFIXES = {".yml", ".yaml", ".py", ".csv", ".txt", ".json"}


def checksum(paths: Sequence[Path], extra: str = "") -> str:
    """SHA-256 of every training file under ``paths`` (names relative to each, and contents)."""
    digest = hashlib.sha256(extra.encode("utf-8"))
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            if path.suffix not in _SUFFIXES or "__pycache__" in path.parts:
                continue
            digest.update(f"{base.name}/{path.relative_to(base) if base.is_dir() else ''}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Dialogue:
    """The dialogue side of a full model: domain, rules/stories, test stories."""

    domain: Path = DOMAIN_DIR
    data: Path = DIALOGUE_DATA_DIR
    stories: Path = TEST_STORIES_DIR

    def env(self) -> dict[str, str]:
        """The same, for the training process's environment."""
        return {
            "NLU_DOMAIN": str(self.domain),
            "NLU_DIALOGUE_DATA": str(self.data),
            "NLU_TEST_STORIES": str(self.stories),
        }


def inputs(config: Path, data_dir: Path, kind: str, dialogue: Dialogue) -> list[Path]:
    """What a training of ``kind`` (``full`` or ``nlu``) reads."""
    paths = [config, data_dir, *(ROOT / p for p in CODE_INPUTS)]
    if kind == "full":
        paths += [dialogue.domain, dialogue.data]
    return [p for p in paths if p.exists()]
