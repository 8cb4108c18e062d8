"""Unit tests of the comune gazetteer (pure: runs in the app environment, no Rasa/spaCy)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from nlu import gazetteer
from nlu.gazetteer import ComuneRecord, Gazetteer, default_gazetteer, edit_distance

COMUNI_TEST = Path(__file__).parent / "comuni_test.yml"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def value(gaz: Gazetteer, text: str) -> str | None:
    found = gaz.find(text)
    return found[0].value if found else None


def test_module_is_pure() -> None:
    # the app env imports it: no Rasa, spaCy or TensorFlow behind it
    assert not {"rasa", "spacy", "tensorflow"} & set(sys.modules)
    source = Path(gazetteer.__file__).read_text(encoding="utf-8")
    assert "import rasa" not in source and "import spacy" not in source


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abito a cuorgne", "Cuorgnè"),
        ("CUORGNÈ", "Cuorgnè"),
        ("Cuorgnè", "Cuorgnè"),
        ("cuorgnè", "Cuorgnè"),
        ("Setimo", "Settimo Torinese"),
        ("vivo a setimo torinese", "Settimo Torinese"),
        ("SETTIMO TORINESE", "Settimo Torinese"),
        ("abito a settimo", "Settimo Torinese"),
        ("sono di san mauro", "San Mauro Torinese"),
        ("S. Mauro", "San Mauro Torinese"),
        ("sanmauro", "San Mauro Torinese"),
        ("albiano d ivrea", "Albiano d'Ivrea"),
        ("Albiano d’Ivrea", "Albiano d'Ivrea"),
        ("albiano divrea", "Albiano d'Ivrea"),
        ("borgofranco di ivrea", "Borgofranco d'Ivrea"),
        ("rivarolo", "Rivarolo Canavese"),
        ("vivo a rivarolo canavese", "Rivarolo Canavese"),
        ("castellamonte", "Castellamonte"),
        ("servizi sociali chivaso", "Chivasso"),
        ("abito a chivasso", "Chivasso"),
        ("cirie", "Ciriè"),
        ("CIRIE'", "Ciriè"),
        ("viu", "Viù"),
        ("settimo vittone", "Settimo Vittone"),
        ("sono di Settimo Rottaro", "Settimo Rottaro"),
        ("San Maurizio canavese", "San Maurizio Canavese"),
        ("san maurizio", "San Maurizio Canavese"),
        ("lanzo", "Lanzo Torinese"),
        ("abito a Grosso", "Grosso"),
        ("vivo a Front", "Front"),
        ("Rivodora", "Baldissero Torinese – frazione Rivodora"),
        ("mazze", "Mazzè"),
        ("Strambino", "Strambino"),
        ("ivrea", "Ivrea"),
        ("abito a ivrae", "Ivrea"),  # a lone 5-letter typo needs "a"/"di"/... before it
    ],
)
def test_finds_official_name(gaz: Gazetteer, text: str, expected: str) -> None:
    assert value(gaz, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ho un grosso problema con l'affitto",
        "sono al settimo mese di gravidanza",
        "faccio un corso di italiano",
        "le caselle del modulo",
        "mi serve un maglione per l'inverno",
        "lavoro al front office",
        "ho 10020 euro di debiti",
        "un forno a microonde",
        "la rocca del paese",
        "abito a Torino",
        "ho bisogno di aiuto",
        "ivrae e basta",
        "san francesco mi protegga",
        "ho un debito grosso",
    ],
)
def test_ordinary_italian_is_not_a_comune(gaz: Gazetteer, text: str) -> None:
    assert gaz.find(text) == []


def test_span_points_into_the_original_text(gaz: Gazetteer) -> None:
    text = "Buongiorno, abito a SAN MAURO T.se e cerco aiuto"
    (m,) = gaz.find(text)
    assert m.value == "San Mauro Torinese"
    assert text[m.start : m.end] == m.text == "SAN MAURO T.se"
    text = "vivo a Sant’Ambrogio di Torino"
    g = Gazetteer([ComuneRecord("Sant'Ambrogio di Torino")])
    (m,) = g.find(text)
    assert (m.value, text[m.start : m.end]) == (
        "Sant'Ambrogio di Torino",
        "Sant’Ambrogio di Torino",
    )
    assert g.find("abito a santambrogio di torino")[0].value == "Sant'Ambrogio di Torino"
    assert g.find("abito a s.ambrogio di torino")[0].value == "Sant'Ambrogio di Torino"


def test_longest_match_first(gaz: Gazetteer) -> None:
    (m,) = gaz.find("abito a caselle torinese")
    assert (m.value, m.text, m.kind) == ("Caselle Torinese", "caselle torinese", "exact")
    (m,) = gaz.find("settimo torinese")
    assert m.text == "settimo torinese"


def test_several_comuni(gaz: Gazetteer) -> None:
    found = gaz.find("mi sono trasferito da Ivrea a Cuorgnè")
    assert [m.value for m in found] == ["Ivrea", "Cuorgnè"]


def test_cap_maps_only_when_unique(gaz: Gazetteer) -> None:
    (m,) = gaz.find("il mio cap è 10082")
    assert (m.value, m.kind, m.text) == ("Cuorgnè", "cap", "10082")
    assert gaz.find("cap 10080") == []  # shared by dozens of comuni
    assert "10080" in gaz.ambiguous_caps


def test_confidence_and_kind(gaz: Gazetteer) -> None:
    assert gaz.find("Ivrea")[0].confidence == 1.0
    assert gaz.find("rivarolo")[0].kind == "alias"
    typo = gaz.find("vivo a chivaso")[0]
    assert typo.kind == "fuzzy" and typo.confidence < 1.0


def test_guard_words_block_typo_correction() -> None:
    g = Gazetteer([ComuneRecord("Corio")], guard_words={"corso"})
    assert [m.value for m in g.find("il corso di Corio")] == ["Corio"]
    assert g.find("vado a corso") == []
    assert g.find("vado a corrio")[0].value == "Corio"


def test_edit_distance() -> None:
    assert edit_distance("setimo", "settimo") == 1
    assert edit_distance("cuorgne", "cuorgen") == 1  # transposition
    assert edit_distance("abc", "xyz", limit=1) == 2


def test_reads_the_catalog_columns(tmp_path: Path) -> None:
    csv = tmp_path / "comuni.csv"
    csv.write_text("name,istat_code,cap\nCuorgnè,001090,10082\n", encoding="utf-8")
    (rec,) = gazetteer.load_records(csv)
    assert rec == ComuneRecord("Cuorgnè", "10082", "001090")
    shared = tmp_path / "shared.csv"
    shared.write_text("comune,istat_code,cap\nIvrea,001125,10015\n", encoding="utf-8")
    assert gazetteer.load_records(shared)[0].name == "Ivrea"


def test_every_comune_finds_itself(gaz: Gazetteer) -> None:
    for rec in gaz.records:
        assert value(gaz, f"abito a {rec.name}") == rec.name, rec.name


def test_fast(gaz: Gazetteer) -> None:
    texts = [
        "buongiorno sono una signora di 78 anni che vive da sola a castellamonte e non riesco "
        "a pagare le bollette, mio figlio abita lontano, cosa posso fare?",
        "abito a setimo e cerco lavoro",
        "ciao",
    ] * 100
    gaz.find("riscaldamento")
    t0 = time.perf_counter()
    for t in texts:
        gaz.find(t)
    per_message_ms = (time.perf_counter() - t0) / len(texts) * 1000
    assert per_message_ms < 1.0


def _load_cases() -> list[dict[str, Any]]:
    if not COMUNI_TEST.exists():
        return []
    data = yaml.safe_load(COMUNI_TEST.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        for key in ("cases", "examples", "tests", "comuni"):
            if isinstance(data.get(key), list):
                return data[key]
        return []
    return data or []


def test_accuracy_on_comuni_test_set(gaz: Gazetteer) -> None:
    cases = _load_cases()
    if not cases:
        pytest.skip(f"{COMUNI_TEST} not written yet")
    wrong = []
    for case in cases:
        got = value(gaz, str(case["text"]))
        if got != case.get("comune"):
            wrong.append((case["text"], case.get("comune"), got))
    accuracy = 1 - len(wrong) / len(cases)
    assert accuracy >= 0.97, f"accuracy {accuracy:.3f}; wrong: {wrong[:20]}"
