"""Fixtures of the handoff and console tests (defined in tests/handoff/support.py)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.handoff.browser import browser  # noqa: E402,F401
from tests.handoff.support import clock, fake_rasa, settings  # noqa: E402,F401
