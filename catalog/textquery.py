"""Turn citizen free text into full-text query terms (pure helpers, no database)."""

from __future__ import annotations

from wecare.text import normalize

MAX_TERMS = 12

# Italian function words and filler that would match almost every service.
STOPWORDS = frozenset(
    """
    a ad al allo alla ai agli alle anche ancora che chi ci come con cosa da dal dallo dalla dai
    dagli dalle del dello della dei degli delle di do e ed gli ha hai ho i il in io la le lo
    loro ma me mi mia mie miei mio ne nei negli nel nella nelle no non o per perche piu po
    poi qual quale quando questo questa quelli sa se sei si sia sono su sua sue sul sulla suo
    suoi ti tra tu tua tuo un una uno vi voglio vorrei posso puoi devo serve servono aiuto
    ciao buongiorno salve grazie cerco sto stato stata essere avere fare molto tanto
    """.split()
)


def query_terms(text: str) -> list[str]:
    """Return the search stems of ``text``: folded words, stopwords dropped, final vowel cut.

    The stems are used as prefixes, so "affitti", "affitto" and "affittare" all match
    "affitt" (a crude, dialect-neutral Italian stemmer that works the same way on SQLite FTS5
    and PostgreSQL).

    Args:
        text: free text typed by a citizen.

    Returns:
        Up to ``MAX_TERMS`` unique stems, in the order they appear.
    """
    terms: list[str] = []
    for word in normalize(text).split():
        if word in STOPWORDS or len(word) < 2:
            continue
        stem = word[:-1] if len(word) >= 5 and word[-1] in "aeiou" else word
        if stem not in terms:
            terms.append(stem)
    return terms[:MAX_TERMS]


def sqlite_match(terms: list[str]) -> str:
    """FTS5 MATCH expression: any of the prefixes (``"affitt"* OR "sfratt"*``)."""
    return " OR ".join(f'"{t}"*' for t in terms)


def postgres_tsquery(terms: list[str]) -> str:
    """``to_tsquery`` expression: any of the prefixes (``affitt:* | sfratt:*``)."""
    return " | ".join(f"{t}:*" for t in terms)
