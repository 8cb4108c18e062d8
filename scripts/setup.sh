#!/usr/bin/env bash
# Create (or refresh) the two locked Python 3.10 environments.
#   .venv-rasa  rasa[spacy]==3.6.21 + spacy-lookups-data (Rasa server, training, NLU components)
#   .venv       the app: actions (rasa-sdk), catalog, gateway, channels, consoles, tests
# Idempotent: an environment is rebuilt only when its lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

find_python310() {
    local candidates=("${PYTHON310:-}" python3.10)
    if command -v pyenv >/dev/null 2>&1; then
        local root; root=$(pyenv root)
        for d in "$root"/versions/3.10*/bin/python3.10; do candidates+=("$d"); done
    fi
    candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)
    for c in "${candidates[@]}"; do
        [ -n "$c" ] || continue
        if "$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
            command -v "$c" || echo "$c"
            return 0
        fi
    done
    return 1
}

if ! PY=$(find_python310); then
    echo "ERRORE / ERROR: Python 3.10 not found." >&2
    echo "  Rasa 3.6.21 requires Python 3.10. Install it (e.g. 'pyenv install 3.10' or" >&2
    echo "  'apt-get install python3.10 python3.10-venv') or set PYTHON310=/path/to/python3.10." >&2
    exit 1
fi

lock_hash() { sha256sum "$@" | sha256sum | cut -c1-16; }

make_env() {  # name lockfile [extra lock files for the stamp]
    local venv=$1 lock=$2
    local stamp="$venv/.wecare-lock"
    local want; want=$(lock_hash "$lock" pyproject.toml)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c '' 2>/dev/null; then
        echo "[setup] $venv up to date"
        return 0
    fi
    echo "[setup] building $venv from $lock (python: $PY) ..."
    [ -x "$venv/bin/python" ] || "$PY" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade "pip<25" wheel
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$lock"
    "$venv/bin/python" -m pip check
    echo "$want" > "$stamp"
}

make_env .venv-rasa requirements/rasa.lock
# The project's own NLU components (nlu/) run inside the Rasa server: put the repo on its path.
site=$(.venv-rasa/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
# Second line: nlu/rasa_runtime.py caches jsonschema validators (Rasa re-checks its action
# response schema on every custom action call: ~35 ms of CPU each; see docs/running.md).
printf '%s\nimport nlu.rasa_runtime; nlu.rasa_runtime.install()\n' "$ROOT" > "$site/wecare-project.pth"

make_env .venv requirements/app.lock
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . >/dev/null

mkdir -p var
echo "[setup] ok: .venv-rasa ($(.venv-rasa/bin/python -c 'import rasa; print("rasa", rasa.__version__)')), .venv ($(.venv/bin/python -c 'import sqlalchemy, telegram; print("SQLAlchemy", sqlalchemy.__version__, "python-telegram-bot", telegram.__version__)'))"
