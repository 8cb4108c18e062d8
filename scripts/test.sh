#!/usr/bin/env bash
# The whole test suite (README test command `make test` runs this after setup).
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1

echo "== pytest"
.venv/bin/python -m pytest "$@"
