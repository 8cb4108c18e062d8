#!/usr/bin/env bash
# The whole test suite: `make test` (the README test command) runs this after `make setup`.
# Steps: Rasa data validation -> train (cached) -> Rasa story tests -> pytest (everything else).
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1

if [ -d bot/domain ]; then
    echo "== rasa data validate"
    bash scripts/rasa.sh data validate --config config.yml --domain bot/domain --data nlu/data bot/data --fail-on-warnings
    echo "== train (cached when nothing changed)"
    bash scripts/train.sh
fi
if [ -f scripts/test_stories.sh ]; then
    echo "== rasa story tests"
    bash scripts/test_stories.sh
fi
echo "== pytest"
.venv/bin/python -m pytest "$@"
