"""The pure comune resolver (catalog/comuni): resolve, find, answers, data files, purity."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from catalog.comuni import (
    ComuneRecord,
    ComuneResolver,
    NameLists,
    Resolution,
    ResolverData,
    comune_candidate,
    default_resolver,
    looks_like_comune_answer,
)
from catalog.comuni.data import DATA_DIR, read_name_lists, read_resolver_data
from wecare.text import normalize

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def resolver() -> ComuneResolver:
    return default_resolver()


@pytest.mark.parametrize(
    ("text", "name", "how"),
    [
        ("Cuorgnè", "Cuorgnè", "exact"),
        ("CUORGNE'", "Cuorgnè", "exact"),
        ("  cuorgne ", "Cuorgnè", "exact"),
        ("Ciriè", "Ciriè", "exact"),
        ("cirie", "Ciriè", "exact"),
        ("mazze", "Mazzè", "exact"),
        ("Comune di Ivrea", "Ivrea", "exact"),
        ("san mauro t.se", "San Mauro Torinese", "exact"),
        ("albiano d’ivrea", "Albiano d'Ivrea", "exact"),
        ("10082", "Cuorgnè", "cap"),
        ("settimo", "Settimo Torinese", "alias"),
        ("S. Mauro", "San Mauro Torinese", "alias"),
        ("sanmauro", "San Mauro Torinese", "alias"),
        ("albiano divrea", "Albiano d'Ivrea", "alias"),
        ("rivarolo", "Rivarolo Canavese", "alias"),
        ("lanzo", "Lanzo Torinese", "alias"),  # the NLU's short form, not Monastero di Lanzo
        ("rivodora", "Baldissero Torinese – frazione Rivodora", "alias"),
        ("reale", "Ceresole Reale", "suffix"),  # the end of exactly one official name
    ],
)
def test_resolves_names_accents_short_forms_and_caps(
    resolver: ComuneResolver, text: str, name: str, how: str
) -> None:
    found = resolver.resolve(text)
    assert (found.name, found.how, found.query) == (name, how, text.strip())


@pytest.mark.parametrize(
    ("typo", "first"),
    [
        ("cuorgnee", "Cuorgnè"),
        ("Ivera", "Ivrea"),
        ("chivaso", "Chivasso"),
        ("setimo torinese", "Settimo Torinese"),
        ("castelamonte", "Castellamonte"),
        ("rivarolo canavse", "Rivarolo Canavese"),
        ("favria canavesee", "Favria"),  # what the NLU reads in it, before difflib's guess
    ],
)
def test_typos_give_suggestions_never_a_guess(
    resolver: ComuneResolver, typo: str, first: str
) -> None:
    found = resolver.resolve(typo)
    assert found.name is None and not found.out_of_area
    assert found.suggestions[0] == first and len(found.suggestions) <= 3


def test_suggestions_are_what_find_reads_then_close_names(resolver: ComuneResolver) -> None:
    assert resolver.resolve("monastero dri lanzo").suggestions[:2] == (
        "Lanzo Torinese",
        "Monastero di Lanzo",
    )


def test_shared_and_unknown_caps(resolver: ComuneResolver) -> None:
    shared = resolver.resolve("10040")
    assert shared.name is None and shared.ambiguous_cap == ("Leini", "Lombardore", "Rivarossa")
    assert resolver.resolve("99999") == Resolution(query="99999")


@pytest.mark.parametrize("text", ["Torino", "MONCALIERI", "comune di Chieri", "Pinerolo"])
def test_out_of_area_comuni(resolver: ComuneResolver, text: str) -> None:
    found = resolver.resolve(text)
    assert found.name is None and found.out_of_area and not found.suggestions


def test_look_alike_places_are_no_comune_of_the_area(resolver: ComuneResolver) -> None:
    assert resolver.find("abito a San Mauro Pascoli") == []
    assert resolver.find("vivo a Settimo Milanese") == []
    assert resolver.resolve("San Mauro Pascoli").name is None
    assert resolver.find("abito a Rivalta di Torino") == []  # comuni_fuori_area.csv


@pytest.mark.parametrize("text", ["", "   ", "xyzzy"])
def test_nothing(resolver: ComuneResolver, text: str) -> None:
    found = resolver.resolve(text)
    assert (found.name, found.suggestions, found.out_of_area, found.ambiguous_cap) == (
        None,
        (),
        False,
        (),
    )


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        ("abito a Cuorgnè.", "Cuorgnè"),
        ("sono di ivrea", "Ivrea"),
        ("vivo ad Alpette!", "Alpette"),
        ("io abito a settimo", "Settimo Torinese"),
        ("nel comune di San Giorgio Canavese", "San Giorgio Canavese"),
        ("sto a 10082", "Cuorgnè"),
    ],
)
def test_abito_a_answers(resolver: ComuneResolver, answer: str, name: str) -> None:
    candidate = comune_candidate(answer)
    assert looks_like_comune_answer(candidate)
    assert resolver.resolve(candidate).name == name


@pytest.mark.parametrize("answer", ["non lo so", "che tempo fa?", "12", "vorrei aiuto per casa"])
def test_sentences_are_not_answers(answer: str) -> None:
    assert not looks_like_comune_answer(comune_candidate(answer))


def test_find_in_free_text(resolver: ComuneResolver) -> None:
    (m,) = resolver.find("Buongiorno, abito a SAN MAURO T.se e cerco aiuto")
    assert (m.value, m.text, m.kind) == ("San Mauro Torinese", "SAN MAURO T.se", "alias")
    assert [m.value for m in resolver.find("mi sono trasferito da Ivrea a Cuorgnè")] == [
        "Ivrea",
        "Cuorgnè",
    ]
    assert resolver.find("ho un grosso problema con l'affitto") == []
    assert resolver.find("ho 10082 euro di debiti") == []


def test_built_from_its_data_only() -> None:
    data = ResolverData(
        records=(ComuneRecord("Corio", "10070"), ComuneRecord("Settimo Torinese", "10036")),
        fuori_area=("Torino",),
        lists=NameLists(short_forms={"settimo": "Settimo Torinese"}, needs_context=("settimo",)),
        guard_words=frozenset({"corso"}),
    )
    resolver = ComuneResolver(data)
    assert resolver.find("sono al settimo mese") == []  # needs a place context
    assert resolver.find("abito a settimo")[0].value == "Settimo Torinese"
    assert resolver.find("vado a corso") == []  # a guard word is never typo-corrected
    assert resolver.resolve("torino").out_of_area
    assert ResolverData.from_json(data.to_json()) == data


def test_data_files_refer_to_real_comuni() -> None:
    data = read_resolver_data()
    names = {r.name for r in data.records}
    lists = read_name_lists()
    assert lists.short_forms and lists.needs_context and lists.places
    assert not {v for v in lists.short_forms.values() if v not in names}
    assert not names & set(lists.places)
    keys = {key for key, _ in default_resolver().index.iter_aliases()}
    one_word = {normalize(n) for n in names}
    assert not [r for r in lists.needs_context if normalize(r) not in keys | one_word]
    for path in (DATA_DIR / "comuni_nomi.yaml", DATA_DIR / "luoghi_fuori_area.yaml"):
        assert path.read_text(encoding="utf-8").startswith("# "), path  # a header says what


def test_malformed_name_lists_are_reported(tmp_path: Path) -> None:
    (tmp_path / "comuni_nomi.yaml").write_text("short_forms: [settimo]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="comuni_nomi.yaml"):
        read_name_lists(tmp_path)


def test_importable_without_sqlalchemy_or_rasa() -> None:
    code = (
        "import sys, catalog.comuni, nlu.gazetteer; "
        "bad = {'sqlalchemy', 'rasa', 'spacy', 'tensorflow'} & set(sys.modules); "
        "assert not bad, bad; "
        "print(catalog.comuni.default_resolver().resolve('cuorgne').name)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "Cuorgnè"
