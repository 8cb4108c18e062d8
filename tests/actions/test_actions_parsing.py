"""Pure helpers of actions/parsing.py."""

from __future__ import annotations

import pytest

from actions.parsing import (
    INTENT_CATEGORY,
    category_for_intent,
    comune_candidate,
    looks_like_comune_answer,
    minor_involved,
    page_count,
)


def test_every_need_intent_has_a_fixed_category() -> None:
    assert set(INTENT_CATEGORY.values()) == {
        "economic_support",
        "housing",
        "employment",
        "family_minors",
        "elderly_care",
        "disability",
        "violence",
        "health",
        "social_inclusion",
    }
    assert category_for_intent("need_housing") == "housing"
    assert category_for_intent("greet") is None
    assert category_for_intent(None) is None


@pytest.mark.parametrize(
    "text",
    [
        "mio figlio ha paura del padre",
        "picchia la mia bambina",
        "ho 15 anni e mio padre mi picchia",
        "mia figlia di 12 anni",
        "è minorenne",
        "i bambini vedono tutto",
    ],
)
def test_minor_words(text: str) -> None:
    assert minor_involved(text)


@pytest.mark.parametrize(
    "text", ["mio marito mi picchia", "ho 35 anni e ho paura", "un piccolo problema", "", None]
)
def test_no_minor(text: str | None) -> None:
    assert not minor_involved(text)


def test_minor_from_slots_and_entities() -> None:
    assert minor_involved(None, ["minori"])
    assert minor_involved(None, [], ["16"])
    assert minor_involved(None, [None], [None, 9.0])
    assert not minor_involved(None, ["donne"], [40, "x", True])


@pytest.mark.parametrize("text", ["Cuorgnè", "san mauro torinese", "10082", "Sant'Ambrogio"])
def test_plausible_comune_answers(text: str) -> None:
    assert looks_like_comune_answer(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "???",
        "123",
        "vorrei sapere come si fa a pagare l'affitto a fine mese",
        "che tempo fa domani?",
        "non lo so",
        "ciao",
    ],
)
def test_implausible_comune_answers(text: str) -> None:
    assert not looks_like_comune_answer(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abito a Cuorgnè.", "Cuorgnè"),
        ("sono di Ivrea", "Ivrea"),
        ("vivo ad Alpette!", "Alpette"),
        ("San Mauro Torinese", "San Mauro Torinese"),
        ("10082", "10082"),
    ],
)
def test_comune_candidate(text: str, expected: str) -> None:
    assert comune_candidate(text) == expected


def test_page_count() -> None:
    assert [page_count(n, 5) for n in (0, 1, 5, 6, 11)] == [1, 1, 1, 2, 3]
    assert page_count(3, 0) == 1


def test_every_known_comune_name_is_a_plausible_answer() -> None:
    import csv
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "catalog_data"
    names = [r["name"] for r in csv.DictReader((data / "comuni.csv").open(encoding="utf-8"))]
    names += [
        r["name"] for r in csv.DictReader((data / "comuni_fuori_area.csv").open(encoding="utf-8"))
    ]
    rejected = [n for n in names if not looks_like_comune_answer(n)]
    assert not rejected
