"""Risk detector: violence, abuse and self-harm in citizen messages (pure Python).

The safety net of issue 9: a person in danger gets the emergency numbers first whatever the
intent classifier thinks. It reads the lexicon in ``nlu/risk/lexicon.yml`` (data, one group per
kind of danger, each commented) and is used in two places:

* inside Rasa, by ``nlu.components.risk_detector.RiskDetector`` (after the classifier, with its
  intent ranking), on every message in every dialogue state;
* in the gateway (app environment, no Rasa), for the messages Rasa does not decide: during a
  handoff, and when Rasa cannot be reached (lexicon only).

Matching works on a *canonical* form of the message: :func:`wecare.text.normalize` (case,
accents, apostrophes, punctuation), letters repeated three times or more squeezed
("piuuu" -> "piu"), SMS spellings expanded token by token ("nn" -> "non", "xke" -> "perche",
"ke" -> "che"), and typos corrected into the lexicon's keywords (one edit from 5 letters, two
from 8, same first letter) unless the token is a real Italian word (``guard_words.txt``, from
spaCy's Italian lookup tables). Patterns are regular expressions over that form, bounded by
word edges; ``~`` in a pattern stands for "up to three words in between".

Decision (documented in docs/nlu.md, measured in docs/nlu_report.md):

* a ``pattern`` of a group that no ``exclude`` of the group overlaps -> risk (in a message with
  a ``contexts`` match, study, fiction, games, news, patterns count as cues);
* a ``cue`` (weaker evidence) -> risk when a second, different cue matches or the classifier
  gives a risk intent at least ``classifier.cue_threshold`` within its top ``top_k``;
* no lexicon evidence -> risk when a risk intent is within the classifier's top 2 with at
  least ``classifier.alone_threshold``, or the risk model says so (``score_alone``), in a
  message of at least ``classifier.min_words_alone`` words;
* an ordinary phrase (an ``exclude``: "e morto", "il ponte di") and no other evidence: DIET is
  not trusted and the risk model needs ``classifier.score_benign`` ("da quando e morto mio
  marito penso solo a raggiungerlo" is still a risk).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from wecare.text import normalize

RISK_DIR = Path(__file__).resolve().parent
LEXICON_FILE = RISK_DIR / "lexicon.yml"
GUARD_WORDS_FILE = RISK_DIR / "guard_words.txt"

VIOLENCE = "violence"
SELF_HARM = "self_harm"
KINDS = (VIOLENCE, SELF_HARM)

_REPEATS = re.compile(r"([a-z])\1{2,}")
_GAP = "(?:\\S+ ){0,3}"


def squeeze(token: str) -> str:
    """Squeeze letters repeated three or more times ("aiutooo" -> "aiuto")."""
    return _REPEATS.sub(r"\1", token)


def max_typos(word: str) -> int:
    """Edits tolerated on a token of this length (0 below 5 letters, 2 from 8)."""
    if len(word) >= 8:
        return 2
    return 1 if len(word) >= 5 else 0


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps) distance, or ``limit + 1`` when above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@dataclass(frozen=True)
class Hit:
    """One lexicon match: the group, whether it is a cue, and the matched canonical text."""

    group: str
    kind: str
    cue: bool
    text: str


@dataclass(frozen=True)
class RiskAssessment:
    """What the detector concluded about one message.

    Attributes:
        kinds: ``violence`` and/or ``self_harm`` (empty: no risk).
        groups: lexicon groups that matched (``physical_violence``, ``self_harm``...).
        minor: a child or teenager is involved (the 114 line applies).
        source: ``lexicon``, ``lexicon+classifier`` or ``classifier`` (empty: no risk).
        benign: no risk, and a risk word was matched only inside a known ordinary phrase
            ("il sole picchia", "mi tocca pagare"): the classifier's risk intent is not trusted.
        hits: the matches, for tests and evaluation (never logged: they are the citizen's words).
    """

    kinds: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    minor: bool = False
    source: str = ""
    hits: tuple[Hit, ...] = field(default=(), repr=False)
    benign: bool = False

    @property
    def at_risk(self) -> bool:
        """True when the message must be answered with the emergency numbers first."""
        return bool(self.kinds)

    @property
    def kind(self) -> str | None:
        """The main kind: ``self_harm`` when present (its answer also covers violence)."""
        if SELF_HARM in self.kinds:
            return SELF_HARM
        return self.kinds[0] if self.kinds else None

    def as_dict(self) -> dict[str, Any]:
        """JSON form carried in Rasa's parse data (``risk``) and in logs (no text)."""
        return {
            "kinds": list(self.kinds),
            "kind": self.kind,
            "groups": list(self.groups),
            "minor": self.minor,
            "source": self.source,
        }


@dataclass
class _Group:
    name: str
    kind: str
    patterns: list[re.Pattern[str]]
    cues: list[re.Pattern[str]]
    excludes: list[re.Pattern[str]]


def _compile(pattern: str) -> re.Pattern[str]:
    body = pattern.replace("~", _GAP)
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


class RiskDetector:
    """Assess citizen messages against the risk lexicon (and the classifier's ranking).

    Args:
        lexicon: the parsed ``lexicon.yml``.
        guard_words: real Italian words never typo-corrected into a keyword.
    """

    def __init__(self, lexicon: Mapping[str, Any], guard_words: Iterable[str] = ()) -> None:
        self.sms: dict[str, str] = {str(k): str(v) for k, v in (lexicon.get("sms") or {}).items()}
        classifier = lexicon.get("classifier") or {}
        self.risk_intents: dict[str, str] = dict(classifier.get("intents") or {})
        self.top_k = int(classifier.get("top_k", 3))
        self.cue_threshold = float(classifier.get("cue_threshold", 0.1))
        self.alone_threshold = float(classifier.get("alone_threshold", 0.4))
        # the dedicated risk model (nlu/risk/classifier.py), when the caller has its scores
        self.score_alone = float(classifier.get("score_alone", 0.6))
        self.score_cue = float(classifier.get("score_cue", 0.2))
        self.score_floor = float(classifier.get("score_floor", 0.2))
        # an ordinary phrase ("e morto", "il ponte di") vetoes the risk model below this
        self.score_benign = float(classifier.get("score_benign", 1.01))
        # a classifier alone needs a message of at least this many words ("non voglio" is no risk)
        self.min_words_alone = int(classifier.get("min_words_alone", 1))
        self.groups = [
            _Group(
                name=str(name),
                kind=str(spec["kind"]),
                patterns=[_compile(p) for p in spec.get("patterns") or ()],
                cues=[_compile(p) for p in spec.get("cues") or ()],
                excludes=[_compile(p) for p in spec.get("exclude") or ()],
            )
            for name, spec in (lexicon.get("groups") or {}).items()
        ]
        minor = lexicon.get("minor") or {}
        self.minor_patterns = [_compile(p) for p in minor.get("patterns") or ()]
        self.minor_relatives = [_compile(p) for p in minor.get("relatives") or ()]
        self.minor_max_age = int(minor.get("max_age", 17))
        self._age = re.compile(minor.get("age_pattern") or r"(?!)")
        self.contexts = [_compile(p) for p in lexicon.get("contexts") or ()]
        self.keywords = sorted({normalize(str(k)) for k in lexicon.get("keywords") or ()})
        self.guard = frozenset(guard_words)
        self._by_first: dict[str, list[str]] = {}
        for word in self.keywords:
            self._by_first.setdefault(word[:1], []).append(word)
        self._known = frozenset(self.keywords) | self.guard

    @classmethod
    def from_files(
        cls, lexicon_file: Path = LEXICON_FILE, guard_file: Path = GUARD_WORDS_FILE
    ) -> RiskDetector:
        """Build a detector from the YAML lexicon and the guard-word list."""
        with open(lexicon_file, encoding="utf-8") as fh:
            lexicon = yaml.safe_load(fh) or {}
        guards: list[str] = []
        if guard_file.exists():
            lines = guard_file.read_text(encoding="utf-8").splitlines()
            guards = [w.strip() for w in lines if w.strip() and not w.startswith("#")]
        return cls(lexicon, guards)

    # -- canonical text -------------------------------------------------------------------

    def _correct(self, token: str) -> str:
        if token in self._known or not token.isalpha():
            return token
        limit = max_typos(token)
        if not limit:
            return token
        best, best_d = token, limit + 1
        for word in self._by_first.get(token[:1], ()):
            lim = min(limit, max_typos(word))
            if not lim:
                continue
            dist = edit_distance(token, word, lim)
            if dist > lim:
                continue
            if dist < best_d or (dist == best_d and word < best):
                best, best_d = word, dist
        return best if best_d <= limit else token

    def canonical(self, text: str) -> str:
        """The form the patterns are matched on (see the module docstring)."""
        words = normalize(text.replace("+", " piu ")).split()
        out: list[str] = []
        for raw in words:
            token = squeeze(raw)
            token = self.sms.get(token, token)
            if token.startswith("k"):  # SMS "kiuso", "kiedo"; not "stalker"
                token = re.sub(r"^k(?=[ei])", "ch", token)
                token = self.sms.get(token, token)
            out.extend(self._correct(t) for t in token.split())
        return " ".join(out)

    # -- assessment ----------------------------------------------------------------------

    def hits(self, canonical: str) -> list[Hit]:
        """Every pattern and cue match not overlapped by an exclusion of its group."""
        return self._matches(canonical)[0]

    def _matches(self, canonical: str) -> tuple[list[Hit], bool]:
        """The hits, and whether an ordinary phrase (an exclusion) cancelled some."""
        found: list[Hit] = []
        cancelled = False
        for group in self.groups:
            spans = [m.span() for ex in group.excludes for m in ex.finditer(canonical)]
            cancelled = cancelled or bool(spans)
            for cue, patterns in ((False, group.patterns), (True, group.cues)):
                for pattern in patterns:
                    for m in pattern.finditer(canonical):
                        start, end = m.span()
                        if any(s < end and start < e for s, e in spans):
                            continue
                        found.append(Hit(group.name, group.kind, cue, m.group(0)))
        return found, cancelled

    def is_minor(self, canonical: str) -> bool:
        """Tell whether a child or teenager is mentioned ("mio figlio", "ho 15 anni").

        "figlio"/"figlia" count unless the message gives an adult age ("di 30 anni").
        """
        if any(p.search(canonical) for p in self.minor_patterns):
            return True
        ages = [int(m.group(1)) for m in self._age.finditer(canonical)]
        if any(age <= self.minor_max_age for age in ages):
            return True
        return not ages and any(p.search(canonical) for p in self.minor_relatives)

    def assess(
        self,
        text: str,
        ranking: Sequence[Mapping[str, Any]] = (),
        *,
        minor_hint: bool = False,
        scores: Mapping[str, float] | None = None,
    ) -> RiskAssessment:
        """Assess one message.

        Args:
            text: what the citizen wrote.
            ranking: the classifier's ``intent_ranking`` (``[{"name", "confidence"}]``, best
                first); empty in the gateway (lexicon only).
            minor_hint: a minor is known to be involved from elsewhere (slots, entities).
            scores: ``{"violence": p, "self_harm": p}`` of the dedicated risk model, when the
                caller has it (the Rasa component); None in the gateway.

        Returns:
            The assessment (``at_risk`` False for ordinary messages).
        """
        canonical = self.canonical(text)
        hits, cancelled = self._matches(canonical)
        if any(c.search(canonical) for c in self.contexts):
            # study, fiction, games, news: risk words are weak evidence there
            hits = [Hit(h.group, h.kind, True, h.text) for h in hits]
        strong = [h for h in hits if not h.cue]
        cues = [h for h in hits if h.cue]
        classifier = self._classifier_kinds(ranking, self.top_k, self.cue_threshold)
        model_kind, p_risk = _top_kind(scores)
        confirmed = bool(classifier) or (scores is not None and p_risk >= self.score_cue)
        chosen: list[Hit] = list(strong)
        source = "lexicon" if strong else ""
        if cues and (len({h.text for h in cues}) >= 2 or confirmed):
            chosen.extend(cues)
            source = source or ("lexicon+classifier" if confirmed else "lexicon")
        kinds = {h.kind for h in chosen}
        benign = not chosen and not cues and cancelled
        if not chosen and len(canonical.split()) >= self.min_words_alone:
            alone = set() if benign else self._classifier_kinds(ranking, 2, self.alone_threshold)
            needed = self.score_benign if benign else self.score_alone
            if scores is not None and p_risk >= needed:
                kinds, source = {model_kind}, "classifier"
            elif alone and (scores is None or p_risk >= self.score_floor):
                kinds, source = set(alone), "classifier"
        if not kinds:
            return RiskAssessment(hits=tuple(hits), benign=benign)
        ordered = tuple(k for k in KINDS if k in kinds)
        groups = tuple(dict.fromkeys(h.group for h in chosen))
        minor = minor_hint or self.is_minor(canonical)
        return RiskAssessment(ordered, groups, minor, source, tuple(hits))

    def _classifier_kinds(
        self, ranking: Sequence[Mapping[str, Any]], top_k: int, threshold: float
    ) -> set[str]:
        kinds: set[str] = set()
        real = [r for r in ranking if r.get("name") != "nlu_fallback"]
        for entry in real[:top_k]:
            kind = self.risk_intents.get(str(entry.get("name")))
            if kind and float(entry.get("confidence") or 0.0) >= threshold:
                kinds.add(kind)
        return kinds


def _top_kind(scores: Mapping[str, float] | None) -> tuple[str, float]:
    """The likelier kind of the risk model's scores and the total risk probability."""
    if not scores:
        return VIOLENCE, 0.0
    violence, self_harm = float(scores.get(VIOLENCE, 0.0)), float(scores.get(SELF_HARM, 0.0))
    return (SELF_HARM if self_harm >= violence else VIOLENCE), violence + self_harm


@lru_cache(maxsize=1)
def default_detector() -> RiskDetector:
    """The detector of the shipped lexicon (cached per process)."""
    return RiskDetector.from_files()
