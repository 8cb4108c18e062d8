"""Files the console is served with: canned replies and static assets."""

from __future__ import annotations

from pathlib import Path

import yaml

CONSOLE_DIR = Path(__file__).resolve().parent
CANNED_FILE = CONSOLE_DIR / "canned.yaml"
STATIC_DIR = CONSOLE_DIR / "static"


def load_canned(path: Path = CANNED_FILE) -> list[dict[str, str]]:
    """Read the canned replies (``[{title, text}]``)."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or []
    return [
        {"title": str(i["title"]), "text": str(i["text"])}
        for i in data
        if isinstance(i, dict) and i.get("title") and i.get("text")
    ]
