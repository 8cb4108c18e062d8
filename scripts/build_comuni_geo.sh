#!/usr/bin/env bash
# Regenerate catalog_data/comuni_geo.csv, comuni_confini.json and comuni_geo.meta.json from the
# ISTAT packages, in their own build environment .venv-geo (requirements/geo.lock).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-geo
stamp="$VENV/.wecare-lock"
want=$(sha256sum requirements/geo.lock | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "[geo] building $VENV from requirements/geo.lock ..."
    [ -x "$VENV/bin/python" ] || "$(.venv/bin/python -c 'import sys; print(sys._base_executable)')" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements/geo.lock
    "$VENV/bin/python" -m pip check
    echo "$want" > "$stamp"
fi
exec "$VENV/bin/python" scripts/build_comuni_geo.py "$@"
