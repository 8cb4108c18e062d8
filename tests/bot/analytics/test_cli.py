"""``wecare analytics``: the report on the command line, suppressed like the page."""

from __future__ import annotations

import csv
import io

from bot.store import create_store_engine, init_db
from tests.fixtures.analytics import SCENARIO, SECRET, seed
from wecare.cli import main
from wecare.settings import get_settings


def _seeded(tmp_path, monkeypatch, catalog_db_url):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("APP_DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_URL", catalog_db_url)
    get_settings.cache_clear()
    engine = create_store_engine(url)
    init_db(engine)
    seed(engine, SCENARIO)
    engine.dispose()


def test_text_and_csv_reports(tmp_path, monkeypatch, capsys, catalog_db_url):
    _seeded(tmp_path, monkeypatch, catalog_db_url)
    try:
        period = ["--from", "2026-11-16", "--to", "2026-11-29"]
        assert main(["analytics", *period, "--table", "activity"]) == 0
        text = capsys.readouterr().out
        assert text.startswith("Conversazioni e messaggi per canale")
        assert text.splitlines()[-1].split() == ["Totale", "20", "60", "6", "18", "26", "78"]
        out = tmp_path / "needs.csv"
        args = [*period, "--table", "needs_comune", "--format", "csv", "--out", str(out)]
        assert main(["analytics", *args]) == 0
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
        castellamonte = next(r for r in rows if r[0] == "Castellamonte")
        assert castellamonte[1] == "<5" and castellamonte[-1] == "<5"
        assert main(["analytics", *period, "--ente", "inrete", "--table", "activity"]) == 0
        assert capsys.readouterr().out.splitlines()[-1].split()[-2:] == ["6", "18"]
        assert main(["analytics", *period, "--format", "csv"]) == 0
        assert SECRET not in capsys.readouterr().out
    finally:
        get_settings.cache_clear()


def test_bad_arguments_are_explained(tmp_path, monkeypatch, capsys, catalog_db_url):
    _seeded(tmp_path, monkeypatch, catalog_db_url)
    try:
        assert main(["analytics", "--from", "ieri"]) == 2
        assert "AAAA-MM-GG" in capsys.readouterr().err
        assert main(["analytics", "--ente", "nessuno"]) == 2
        assert main(["analytics", "--table", "nessuna"]) == 2
        assert "activity" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


def test_rollup_command_is_idempotent(tmp_path, monkeypatch, capsys, catalog_db_url):
    _seeded(tmp_path, monkeypatch, catalog_db_url)
    try:
        assert main(["analytics", "rollup", "--since", "2026-11-16"]) == 0
        first = capsys.readouterr().out.split(" in ")[0]  # days: from 16 November to yesterday
        assert first.endswith("days rolled up (26 conversations read)")
        assert main(["analytics", "rollup", "--since", "2026-11-16"]) == 0
        assert capsys.readouterr().out.split(" in ")[0] == first
        assert main(["analytics", "--from", "2026-11-16", "--to", "2026-11-29"]) == 0
        assert capsys.readouterr().out.count("Totale") > 3
        assert main(["analytics", "rollup", "--since", "16/11/2026"]) == 2
    finally:
        get_settings.cache_clear()
