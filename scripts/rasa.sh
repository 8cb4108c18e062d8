#!/usr/bin/env bash
# Run the Rasa CLI of .venv-rasa from the repository root, quietly.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore
exec .venv-rasa/bin/rasa "$@"
