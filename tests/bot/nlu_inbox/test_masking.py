"""Masking of personal data in inbox texts (bot/nlu_inbox/masking.py)."""

from __future__ import annotations

import pytest

from bot.nlu_inbox.masking import mask

CASES = [
    ("chiamami al 333 123 4567 grazie", "chiamami al «telefono» grazie"),
    ("tel +39 011-1234567", "tel «telefono»"),
    ("il numero è 0124/657931", "il numero è «telefono»"),
    ("scrivi a mario.rossi@gmail.com!", "scrivi a «email»!"),
    ("il mio cf è RSSMRA80A01L219X", "il mio cf è «codice fiscale»"),
    ("codice fiscale rssmra80a01l21vx", "codice fiscale «codice fiscale»"),  # omocodia
    ("IBAN IT60 X054 2811 1010 0000 0123 456 ok", "IBAN «IBAN» ok"),
    ("iban IT60X0542811101000000123456", "iban «IBAN»"),
    ("abito in via Roma 12 a Ivrea", "abito in via Roma «civico» a Ivrea"),
    ("corso Vittorio Emanuele II, n. 5b", "corso Vittorio Emanuele II, n. «civico»"),
    ("piazza San Giovanni 3/2", "piazza San Giovanni «civico»"),
]
UNCHANGED = [
    "ho 75 anni e abito a 10015",  # age and CAP: the comune is read from the CAP
    "mia madre ha 80 anni, nel 2024 ha perso il lavoro",
    "chiamo il 1522?",
    "abito in via Roma",
    "vorrei informazioni sul bonus affitto",
]


@pytest.mark.parametrize(("text", "masked"), CASES)
def test_personal_data_is_masked(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize("text", UNCHANGED)
def test_other_text_is_left_alone(text):
    assert mask(text) == text


def test_masking_is_idempotent():
    once = mask("via Po 3, tel 3331234567, a@b.it")
    assert mask(once) == once
