"""A dedicated risk classifier: P(violence), P(self-harm) of a message (Rasa environment).

DIET ranks 26 intents with a softmax that is often over-confident on words it saw only in risk
examples; this small model answers one question: is this message a risk, and of which kind. It
is a logistic regression over character 2-5-grams and word 1-2-grams (TF-IDF) of the
detector's canonical text (so typos and SMS spellings are folded the same way as for the
lexicon), trained at ``rasa train`` time by ``nlu.components.risk_detector`` on the NLU
training data: ``report_violence`` -> violence, ``report_self_harm`` -> self-harm, every other
intent (ordinary requests, hard negatives) -> none; plus the development sets of the lexicon
(:data:`EXTRA_TRAINING`: their risk messages under their kind, their ordinary ones as none), which
are written as citizens write and were never drawn from the held-out safety set
(``scripts/check_safety_split.py`` proves it). Classes are balanced; the seed is fixed.

It needs scikit-learn, which only the Rasa environment has; the gateway uses the lexicon alone.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from nlu.risk.detector import RISK_DIR, SELF_HARM, VIOLENCE

NONE = "none"
#: Label of each training intent (others are ordinary).
INTENT_LABELS = {"report_violence": VIOLENCE, "report_self_harm": SELF_HARM}
#: Safety development sets added to the training data (``risk`` / ``ordinary`` lists).
EXTRA_TRAINING = tuple(sorted(RISK_DIR.glob("dev_set*.yml")))
#: Each development example counts this many times (5-fold CV on the development sets,
#: docs/nlu.md "Safety net": 2 gave the best recall at <= 5% false alarms).
EXTRA_WEIGHT = 2


class RiskClassifier:
    """Binary-plus-kind risk model.

    Args:
        model: a fitted scikit-learn pipeline with ``predict_proba`` and ``classes_``.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.classes = [str(c) for c in model.classes_]
        self._fast = FastScorer.for_pipeline(model)

    @classmethod
    def fit(cls, texts: Iterable[str], labels: Iterable[str], c: float = 4.0) -> RiskClassifier:
        """Fit on canonical texts and their labels (``violence``, ``self_harm``, ``none``)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
        )
        model = make_pipeline(
            features,
            LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=42),
        )
        model.fit(list(texts), list(labels))
        return cls(model)

    def scores(self, canonical: str) -> dict[str, float]:
        """``{"violence": p, "self_harm": p}`` for one canonical text."""
        if self._fast is not None:
            probs = self._fast.proba(canonical)
        else:
            probs = self.model.predict_proba([canonical])[0]
        by_class = dict(zip(self.classes, (float(p) for p in probs), strict=True))
        return {VIOLENCE: by_class.get(VIOLENCE, 0.0), SELF_HARM: by_class.get(SELF_HARM, 0.0)}

    def save(self, path: Path) -> None:
        """Write the fitted model (pickle, inside the Rasa model archive)."""
        path.write_bytes(pickle.dumps(self.model))

    @classmethod
    def load(cls, path: Path) -> RiskClassifier:
        """Read a model written by :meth:`save` (only files of our own trained models)."""
        return cls(pickle.loads(path.read_bytes()))  # noqa: S301 - our own model archive


class FastScorer:
    """``predict_proba`` of the fitted pipeline for ONE text, without scikit-learn's overhead.

    scikit-learn's pipeline (two ``TfidfVectorizer`` in a ``FeatureUnion``, then a multinomial
    ``LogisticRegression``) spends about 1.5 ms of CPU on one short text, mostly in input checks
    and sparse-matrix plumbing; this computes the same numbers (the n-grams of each vectorizer's
    own analyzer, sublinear tf x idf, l2 norm, the linear scores, softmax) in about a tenth of
    that. Only for the pipeline :meth:`RiskClassifier.fit` builds: :meth:`for_pipeline` returns
    None for anything else, and the tests check that the probabilities are the same.
    """

    def __init__(self, parts: list[tuple[Any, dict[str, int], Any, int]], lr: Any) -> None:
        import numpy as np

        self._np = np
        self.parts = parts  # (analyzer, vocabulary, idf, column offset) per vectorizer
        self.coef = np.asarray(lr.coef_, dtype=float)
        self.intercept = np.asarray(lr.intercept_, dtype=float)

    @classmethod
    def for_pipeline(cls, model: Any) -> FastScorer | None:
        """The fast scorer of ``model``, or None when it is not the pipeline we build."""
        try:
            (_, union), (_, lr) = model.steps
            vectorizers = [v for _, v in union.transformer_list]
            multinomial = lr.multi_class == "multinomial" or (
                lr.multi_class == "auto" and lr.solver == "lbfgs" and len(lr.classes_) > 2
            )
            supported = (
                union.transformer_weights is None
                and multinomial
                and all(
                    v.use_idf and v.sublinear_tf and v.norm == "l2" and not v.binary
                    for v in vectorizers
                )
            )
        except (AttributeError, TypeError, ValueError):
            return None
        if not supported:
            return None
        parts, offset = [], 0
        for vectorizer in vectorizers:
            vocabulary = vectorizer.vocabulary_
            parts.append((vectorizer.build_analyzer(), vocabulary, vectorizer.idf_, offset))
            offset += len(vocabulary)
        return cls(parts, lr) if offset == lr.coef_.shape[1] else None

    def proba(self, text: str) -> Any:
        """Class probabilities of ``text`` (same order as the model's ``classes_``)."""
        np = self._np
        scores = self.intercept.copy()
        for analyzer, vocabulary, idf, offset in self.parts:
            counts: dict[int, int] = {}
            for gram in analyzer(text):
                column = vocabulary.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=float, count=len(counts))
            weights = (np.log(tf) + 1.0) * idf[columns]
            weights /= np.sqrt(np.dot(weights, weights))
            scores += self.coef[:, columns + offset] @ weights
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()


def labels_for(intents: Iterable[str]) -> list[str]:
    """Training labels of a list of intents."""
    return [INTENT_LABELS.get(i, NONE) for i in intents]


def extra_examples(files: Iterable[Path] = EXTRA_TRAINING) -> list[tuple[str, str]]:
    """``(text, label)`` of the development sets: risk items by kind, ordinary ones ``none``."""
    examples: list[tuple[str, str]] = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        examples += [(str(i["text"]), str(i["kind"])) for i in data.get("risk") or []]
        examples += [(str(i["text"]), NONE) for i in data.get("ordinary") or []]
    return examples
