"""Operator hours (pure) and where the gateway reads them from."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.handoff.hours import HOURS_FILE, OperatorHours
from bot.texts import citizen_texts
from wecare.settings import get_settings

ROME = ZoneInfo("Europe/Rome")
TEXTS = citizen_texts()


def test_shipped_hours_cover_every_ente_and_say_they_are_a_default():
    hours = OperatorHours.load(HOURS_FILE)
    assert set(hours.enti) == {
        "cis_cirie", "ciss38", "inrete", "cissac", "unione_net", "ciss_chivasso", "cisa_gassino"
    }  # fmt: skip
    assert "NOT REAL OFFICE HOURS" in HOURS_FILE.read_text(encoding="utf-8")
    assert str(hours.tz) == "Europe/Rome"


def test_is_open_uses_rome_time_weekdays_and_holidays():
    hours = OperatorHours.load(HOURS_FILE)
    assert hours.is_open("ciss38", datetime(2026, 11, 24, 10, 0, tzinfo=ROME))  # Tuesday
    assert not hours.is_open("ciss38", datetime(2026, 11, 24, 13, 30, tzinfo=ROME))  # lunch
    assert not hours.is_open("ciss38", datetime(2026, 11, 27, 15, 0, tzinfo=ROME))  # Friday pm
    assert not hours.is_open("ciss38", datetime(2026, 11, 28, 10, 0, tzinfo=ROME))  # Saturday
    assert not hours.is_open("ciss38", datetime(2026, 12, 8, 10, 0, tzinfo=ROME))  # holiday
    # 08:30 UTC is 09:30 in Rome in winter: open.
    assert hours.is_open("ciss38", datetime.fromisoformat("2026-11-24T08:30:00+00:00"))
    # Summer time: 07:30 UTC is 09:30 CEST.
    assert hours.is_open("ciss38", datetime.fromisoformat("2026-07-07T07:30:00+00:00"))


def test_per_ente_override_and_description():
    hours = OperatorHours.from_mapping(
        {
            "default": {"mon": ["09:00-12:00"], "tue": ["09:00-12:00"]},
            "enti": {"inrete": {"tue": [], "sat": ["10:00-11:30"]}},
        }
    )
    assert hours.describe("ciss38", TEXTS) == "lunedì–martedì 9:00–12:00"
    assert hours.describe("inrete", TEXTS) == "lunedì 9:00–12:00; sabato 10:00–11:30"
    assert hours.describe("unknown", TEXTS) == "lunedì–martedì 9:00–12:00"
    assert OperatorHours.from_mapping({}).describe("x", TEXTS) == "nessun orario configurato"
    assert OperatorHours.always_open().is_open("x", datetime(2026, 1, 1, 3, 0, tzinfo=ROME))


def test_the_hours_file_comes_from_the_settings(monkeypatch, tmp_path):
    other = tmp_path / "hours.yaml"
    other.write_text("default:\n  sun: ['10:00-11:00']\n", encoding="utf-8")
    monkeypatch.setenv("WECARE_OPERATOR_HOURS", str(other))
    get_settings.cache_clear()
    try:
        path = get_settings().operator_hours_file
    finally:
        monkeypatch.delenv("WECARE_OPERATOR_HOURS")
        get_settings.cache_clear()
    assert path == other
    assert OperatorHours.load(path).describe("ciss38", TEXTS) == "domenica 10:00–11:00"
    assert get_settings().operator_hours_file == HOURS_FILE
