"""String pieces of the comune resolver: typo distance, deletion keys, spelling variants.

Pure Python (no third-party imports), shared by the index and by the generator of the guard
words (``nlu/spacy_it/guard_words.py``).
"""

from __future__ import annotations

import re


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).

    Args:
        a: first string.
        b: second string.
        limit: the caller only cares whether the distance is at most ``limit``; larger
            distances may be reported as ``limit + 1``.

    Returns:
        The distance, capped at ``limit + 1``.
    """
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
            best = min(best, cur[j])
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


def max_typos(token: str) -> int:
    """Typos tolerated in a token: 0 below 5 letters, 1 from 5, 2 from 8."""
    if len(token) >= 8:
        return 2
    if len(token) >= 5:
        return 1
    return 0


def deletes(word: str, depth: int) -> set[str]:
    """``word`` and every string obtained by deleting up to ``depth`` letters (SymSpell keys)."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt = set()
        for w in frontier:
            for i in range(len(w)):
                nxt.add(w[:i] + w[i + 1 :])
        out |= nxt
        frontier = nxt
    return out


def token_distance(query: str, target: str) -> int | None:
    """Typos between two tokens, or None when more than both tolerate (or first letters differ)."""
    if query == target:
        return 0
    limit = min(max_typos(query), max_typos(target))
    if not limit or query[0] != target[0]:
        return None
    dist = edit_distance(query, target, limit)
    return dist if dist <= limit else None


def variants(key: str) -> set[str]:
    """Spelling variants of a normalized name: glued words, "s" for "san", "d ivrea" forms.

    Args:
        key: a ``wecare.text.normalize``-d name ("san mauro torinese").

    Returns:
        The variants, without ``key`` itself ("sanmauro torinese", "s mauro torinese",
        "san mauro t se", …).
    """
    out = set()
    words = key.split()
    if len(words) > 1:
        out.add("".join(words))
    if words and words[0] in ("san", "sant", "santo", "santa"):
        out.add(" ".join(["s", *words[1:]]))
        out.add("s" + "".join(words[1:]))
        if len(words) > 2:
            out.add(" ".join([words[0] + words[1], *words[2:]]))
    if " d " in f" {key} ":
        out.add(key.replace(" d ", " di ").replace(" d ", " di "))
        out.add(re.sub(r"\bd (\w)", r"d\1", key))
        out.add(re.sub(r" d (\w)", r" \1", key))
    if " di " in key:
        out.add(key.replace(" di ", " "))
    if key.endswith(" torinese"):  # "Settimo T.se", "San Mauro Tse"
        out.add(key[: -len("torinese")] + "t se")
        out.add(key[: -len("torinese")] + "tse")
        out.add(key[: -len(" torinese")] + " to")
    out.discard(key)
    return {v for v in out if v}
