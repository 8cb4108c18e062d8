"""The cached ``jsonschema.validate`` installed in the Rasa environment (nlu/rasa_runtime.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"

CHECK = r"""
import jsonschema
assert jsonschema.validate.__module__ == "nlu.rasa_runtime", jsonschema.validate.__module__
schema = {"type": "object", "properties": {"events": {"type": "array",
          "items": {"type": "object", "required": ["event"]}}}}
jsonschema.validate({"events": [{"event": "slot"}]}, schema)
jsonschema.validate({"events": [{"event": "slot"}]}, dict(schema))  # equal schema, new object
try:
    jsonschema.validate({"events": [{}]}, schema)
except jsonschema.ValidationError as e:
    assert "'event' is a required property" in e.message, e.message
else:
    raise AssertionError("invalid instance accepted")
try:
    jsonschema.validate({}, {"type": 5})
except jsonschema.SchemaError:
    pass
else:
    raise AssertionError("invalid schema accepted")
from nlu import rasa_runtime
assert len(rasa_runtime._validators) == 1, rasa_runtime._validators.keys()
print("ok")
"""


@pytest.mark.rasa
def test_rasa_env_uses_the_cached_validator_with_unchanged_results() -> None:
    if not RASA_PY.exists():
        pytest.skip("no .venv-rasa (run make setup)")
    out = subprocess.run(
        [str(RASA_PY), "-c", CHECK], capture_output=True, text=True, timeout=120, cwd="/"
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def test_install_is_harmless_without_jsonschema() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "from nlu import rasa_runtime; rasa_runtime.install(); print('ok')"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
