"""Pure parts of the handoff: operator hours and the comune fallback resolver."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.handoff.comuni import CatalogComuneResolver, CsvComuneResolver
from bot.handoff.hours import HOURS_FILE, OperatorHours

ROME = ZoneInfo("Europe/Rome")
ROOT = Path(__file__).resolve().parents[2]


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
    assert hours.describe("ciss38") == "lunedì–martedì 9:00–12:00"
    assert hours.describe("inrete") == "lunedì 9:00–12:00; sabato 10:00–11:30"
    assert hours.describe("unknown") == "lunedì–martedì 9:00–12:00"
    assert OperatorHours.from_mapping({}).describe("x") == "nessun orario configurato"
    assert OperatorHours.always_open().is_open("x", datetime(2026, 1, 1, 3, 0, tzinfo=ROME))


def test_csv_resolver_names_caps_sentences_and_out_of_area():
    resolver = CsvComuneResolver.from_dir(ROOT / "catalog_data")
    assert resolver.resolve("Cuorgnè").name == "Cuorgnè"
    assert resolver.resolve("abito a CUORGNE").ente_gestore_id == "ciss38"
    assert resolver.resolve("10015").name == "Ivrea"
    found = resolver.resolve("sto a san mauro torinese")
    assert found.name == "San Mauro Torinese"
    assert resolver.resolve("Torino").out_of_area is True
    assert resolver.resolve("boh").name is None


class _FakeCatalog:
    def __init__(self, result=None, fail=False):
        self.result, self.fail = result, fail

    def resolve_comune(self, text):
        if self.fail:
            raise RuntimeError("catalog down")
        return self.result


class _Match:
    def __init__(self, comune=None, suggestions=(), out_of_area=False):
        self.comune, self.suggestions, self.out_of_area = comune, list(suggestions), out_of_area
        self.ambiguous_cap: list[str] = []


class _Info:
    name = "Caluso"
    ente_gestore_id = "cissac"


def test_catalog_resolver_prefers_the_catalog_and_falls_back():
    fallback = CsvComuneResolver([("Ivrea", "10015", "inrete")], ["Torino"])
    assert CatalogComuneResolver(_FakeCatalog(_Match(_Info())), fallback).resolve("x").name == (
        "Caluso"
    )
    assert CatalogComuneResolver(_FakeCatalog(fail=True), fallback).resolve("Ivrea").name == "Ivrea"
    suggest = CatalogComuneResolver(_FakeCatalog(_Match(suggestions=["Ivrea"])), fallback)
    assert suggest.resolve("ivreaa").suggestions == ("Ivrea",)
    outside = CatalogComuneResolver(_FakeCatalog(_Match(out_of_area=True)), fallback)
    assert outside.resolve("Torino").out_of_area
