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
    """Return the search words of ``text``: folded (no accents, lowercase), stopwords dropped.

    Args:
        text: free text typed by a citizen.

    Returns:
        Up to ``MAX_TERMS`` unique words, in the order they appear.
    """
    terms: list[str] = []
    for word in normalize(text).replace("'", " ").split():
        if word not in STOPWORDS and len(word) >= 2 and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def crude_stem(word: str) -> str:
    """Cut the final vowel of words of 5+ letters ("affitti" -> "affitt").

    Used as a prefix on SQLite (FTS5 has no Italian stemmer), so "affitti", "affitto" and
    "affittare" all match "affitt"; PostgreSQL uses its own 'italian' stemmer instead.
    """
    return word[:-1] if len(word) >= 5 and word[-1] in "aeiou" else word


def sqlite_match(terms: list[str]) -> str:
    """FTS5 MATCH expression: any of the stem prefixes (``"affitt"* OR "sfratt"*``)."""
    stems = dict.fromkeys(crude_stem(t) for t in terms)
    return " OR ".join(f'"{t}"*' for t in stems)


def postgres_tsquery(terms: list[str]) -> str:
    """``to_tsquery('italian', …)`` expression: any of the words, stemmed, as prefixes."""
    return " | ".join(f"{t}:*" for t in terms)


def area_token(scope: str, value: str) -> str:
    """Full-text token of an area (``ente_gestore``, ``ciss38`` -> ``zzaenteciss38``).

    Area and category tokens live in the ``facets`` column of the full-text index, so that a
    text search intersects "matches the words" with "available in this comune / category"
    inside FTS5 instead of probing every match.
    """
    return "zza" + (scope + normalize(value)).replace("_", "").replace(" ", "")


def category_token(category: str) -> str:
    """Full-text token of a category (``economic_support`` -> ``zzceconomicsupport``)."""
    return "zzc" + category.replace("_", "")


def category_area_token(category: str, scope: str, value: str) -> str:
    """Full-text token of a category in an area.

    ``health``, ``comune``, ``Cuorgnè`` -> ``zzxhealth0comunecuorgne`` (the ``0`` ends the
    category, whose names have no digits). Its posting list is one ``service_facet`` range
    (category, scope, value): a text search with a category and a comune asks FTS5 for the
    words AND one of the comune's ranges, so the engine returns only the services of the
    result instead of every match of the category in the region.
    """
    return "zzx" + category.replace("_", "") + "0" + area_token(scope, value)[3:]


def facets_document(categories: list[str], areas: list[tuple[str, str]]) -> str:
    """The ``facets`` text of a service: its category, area and category-in-area tokens."""
    tokens = [category_token(c) for c in categories] + [area_token(s, v) for s, v in areas]
    tokens += [category_area_token(c, s, v) for c in categories for s, v in areas]
    return " ".join(dict.fromkeys(tokens))
