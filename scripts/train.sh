#!/usr/bin/env bash
# Train the Rasa model (NLU + dialogue) into models/<name>.tar.gz; `make train` runs this.
#
#   bash scripts/train.sh [--config FILE] [--name NAME] [--nlu-only] [--force] [--cold]
#
# --cold trains with an empty, throw-away Rasa cache (RASA_CACHE_DIRECTORY), so the recorded time
# is a from-scratch training (docs/nlu_report.md quotes it); --force ignores the stamp below.
# Skips in about a second when models/<name>.tar.gz was trained from exactly the current inputs
# (a SHA-256 stamp over the config, domain, training data, the comune resolver's data files and
# code, and the custom NLU code);
# otherwise builds the project's Italian spaCy pipeline when the config uses it, then calls
# `rasa train` (whose own cache re-uses unchanged components). The wall time is written to
# models/<name>.train.json for docs/nlu_report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore

config=config.yml
name=wecare
nlu_only=0
force=0
cold=0
while [ $# -gt 0 ]; do
    case "$1" in
        --config) config=$2; shift 2 ;;
        --name) name=$2; shift 2 ;;
        --nlu-only) nlu_only=1; shift ;;
        --force) force=1; shift ;;
        --cold) cold=1; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "train.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

RASA_PY=.venv-rasa/bin/python
model="models/${name}.tar.gz"
stamp_file="models/${name}.stamp"
mkdir -p models
# One training at a time per model name (parallel test runs share models/).
exec 9>"models/${name}.lock"
flock 9

comuni_csv=catalog_data/comuni.csv
[ -f "$comuni_csv" ] || comuni_csv=../shared/data/comuni_asl_to4.csv

# The comune resolver (catalog/comuni) and its data files are snapshotted into the model.
comune_data=(catalog_data/comuni_fuori_area.csv catalog_data/comuni_nomi.yaml
             catalog_data/luoghi_fuori_area.yaml catalog_data/comuni_guard_words.txt)
inputs=("$config" nlu/data nlu/components nlu/gazetteer.py nlu/spacy_it nlu/risk wecare/text.py
        catalog/comuni "$comuni_csv" "${comune_data[@]}")
if [ "$nlu_only" = 0 ]; then
    inputs+=(bot/domain bot/data)
fi
stamp=$( { echo "nlu_only=$nlu_only"; find "${inputs[@]}" -type f \
    \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.csv' -o -name '*.txt' -o -name '*.json' \) \
    -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)

# Before the up-to-date check: the model does not contain the spaCy pipeline (SpacyNLP loads it
# from its path at run time), so it must exist even when no training is needed (idempotent).
if grep -qE '^\s*-\s*name:\s*SpacyNLP' "$config"; then
    echo "[train] checking the Italian spaCy pipeline used by $config"
    "$RASA_PY" -m nlu.spacy_it.build --check-config "$config"
fi

if [ "$force" = 0 ] && [ -f "$model" ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
    echo "[train] $model is up to date (inputs stamp $stamp): nothing to do"
    exit 0
fi

cache_dir=""
if [ "$cold" = 1 ]; then
    cache_dir=$(mktemp -d "${TMPDIR:-/tmp}/wecare-rasa-cache.XXXXXX")
    export RASA_CACHE_DIRECTORY="$cache_dir"
    trap 'rm -rf "$cache_dir"' EXIT
fi
load_start=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo null)
start=$(date +%s.%N)
if [ "$nlu_only" = 1 ]; then
    echo "[train] rasa train nlu --config $config -> $model"
    bash scripts/rasa.sh train nlu --config "$config" --nlu nlu/data \
        --out models --fixed-model-name "$name"
else
    echo "[train] rasa train --config $config -> $model (NLU + dialogue; 2-4 minutes from scratch)"
    bash scripts/rasa.sh train --config "$config" --domain bot/domain \
        --data nlu/data bot/data --out models --fixed-model-name "$name"
fi
end=$(date +%s.%N)
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
echo "$stamp" > "$stamp_file"
cat > "models/${name}.train.json" <<JSON
{"model": "$model", "config": "$config", "nlu_only": $nlu_only, "cold_cache": $([ "$cold" = 1 ] && echo true || echo false), "seconds": $seconds, "cpus": $(nproc), "loadavg_1min_start": $load_start, "loadavg_1min_end": $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo null), "finished_utc": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "stamp": "$stamp"}
JSON
echo "[train] done in ${seconds}s -> $model"
