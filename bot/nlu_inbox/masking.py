"""Masking of personal data in citizen messages (inbox display and exported training data).

Pure functions, no third-party imports. What is masked, in this order (each placeholder is a
word between Italian guillemets, so it never looks like Rasa's ``[text](entity)`` syntax):

* e-mail addresses → ``«email»``;
* IBANs (two letters, two check digits, groups of letters/digits, spaces allowed) → ``«IBAN»``;
* codici fiscali (16 characters, omocodia letters included) → ``«codice fiscale»``;
* phone numbers: 6 or more digits, optionally ``+39``/``0039``, with spaces, dots, dashes or
  slashes between them → ``«telefono»`` (ages, years and 5-digit CAPs stay: the comune is
  read from the CAP);
* street numbers after an address word (``via``, ``corso``, ``piazza``...), up to four words
  later, optionally after ``n.``/``n°``/``numero`` → ``«civico»`` (the street name stays).
"""

from __future__ import annotations

import re

EMAIL = "«email»"
IBAN = "«IBAN»"
CODICE_FISCALE = "«codice fiscale»"
PHONE = "«telefono»"
CIVICO = "«civico»"

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: Country, check digits, then groups of four (each with a digit, so a following word is not
#: taken) and a last shorter group, with or without the spaces of the printed form.
_IBAN_RE = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[ ]?(?=[A-Z0-9]{0,3}\d)[A-Z0-9]{4}){2,7}"
    r"(?:[ ]?(?=[A-Z]{0,3}\d)[A-Z0-9]{1,4})?\b",
    re.IGNORECASE,
)
_OMO = "[0-9LMNPQRSTUV]"
_CF_RE = re.compile(
    rf"\b[A-Z]{{6}}{_OMO}{{2}}[ABCDEHLMPRST]{_OMO}{{2}}[A-Z]{_OMO}{{3}}[A-Z]\b", re.IGNORECASE
)
_PHONE_RE = re.compile(r"(?<![\w«])(?:\+|00)?\d(?:[ ./-]?\d){5,}(?![\w»])")
_STREET_WORDS = (
    r"via|viale|v\.le|corso|c\.so|piazza|p\.za|piazzale|largo|vicolo|strada|str\.|"
    r"borgata|borgo|frazione|fraz\.|regione|località|loc\."
)
_CIVICO_RE = re.compile(
    rf"(?P<street>\b(?:{_STREET_WORDS})\s+(?:[^\W\d][\w'’.]*\s+){{0,3}}[^\W\d][\w'’.]*"
    r",?\s*(?:n\.?\s*|n°\s*|numero\s+)?)(?P<number>\d{1,4}(?:[a-z]\b|/\d{1,3}|\s?bis\b)?)\b",
    re.IGNORECASE,
)


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _phone(match: re.Match[str]) -> str:
    return PHONE if _digits(match.group(0)) >= 6 else match.group(0)


def mask(text: str) -> str:
    """Return ``text`` with the personal data listed in the module docstring masked.

    Args:
        text: a citizen message.

    Returns:
        The same text with placeholders; text without personal data is unchanged.
    """
    out = _EMAIL_RE.sub(EMAIL, text)
    out = _IBAN_RE.sub(lambda m: IBAN if _digits(m.group(0)) >= 8 else m.group(0), out)
    out = _CF_RE.sub(CODICE_FISCALE, out)
    out = _PHONE_RE.sub(_phone, out)
    return _CIVICO_RE.sub(lambda m: m.group("street") + CIVICO, out)


def is_masked(text: str) -> bool:
    """Tell whether ``text`` holds one of the placeholders."""
    return any(p in text for p in (EMAIL, IBAN, CODICE_FISCALE, PHONE, CIVICO))
