#!/usr/bin/env bash
# Rasa test stories (tests/stories/): every rule and form path of the dialogue.
# `make test-stories` and scripts/test.sh call this after training.
#
# Checks the dialogue predictions with the intents written in the stories (rasa test
# core does not run custom actions, so no action server is needed). Set
# STORIES_E2E=1 to also parse the user texts with the NLU and check the intents.
# Env: MODEL (default models/wecare.tar.gz, the model scripts/train.sh builds), STORIES (default tests/stories), OUT (results/stories).
# Exit status: 0 when every story passes, 1 when one fails (all failing stories are
# printed), 2 when there is no model.
set -euo pipefail
cd "$(dirname "$0")/.."

model="${MODEL:-models/wecare.tar.gz}"
stories="${STORIES:-tests/stories}"
out="${OUT:-results/stories}"
extra=()
if [ "${STORIES_E2E:-0}" = "1" ]; then
    extra+=(--e2e)
fi

if [ ! -e "$model" ] || { [ -d "$model" ] && ! ls "$model"/*.tar.gz >/dev/null 2>&1; }; then
    echo "no trained model in $model: run 'make train' first" >&2
    exit 2
fi

rm -rf "$out"
mkdir -p "$out"
status=0
bash scripts/rasa.sh test core --stories "$stories" --model "$model" \
    --fail-on-prediction-errors --no-plot --out "$out" "${extra[@]}" \
    >"$out/log.txt" 2>&1 || status=$?

if [ "$status" -eq 0 ]; then
    grep -E "Correct:|F1-Score" "$out/log.txt" | tail -n 2 || true
    echo "story tests passed ($(cat "$stories"/*.yml | grep -c -- '- story:') stories)"
    exit 0
fi

# --fail-on-prediction-errors stops at the first wrong prediction: run once more
# without it so that every failing story is listed.
echo "story tests FAILED (exit $status); details in $out/" >&2
grep -E -A12 "WrongPredictionException" "$out/log.txt" >&2 || tail -n 30 "$out/log.txt" >&2
bash scripts/rasa.sh test core --stories "$stories" --model "$model" \
    --no-plot --out "$out/all" "${extra[@]}" >"$out/all_log.txt" 2>&1 || true
if [ -s "$out/all/failed_test_stories.yml" ]; then
    echo "== all failing stories ($out/all/failed_test_stories.yml):" >&2
    cat "$out/all/failed_test_stories.yml" >&2
fi
exit 1
