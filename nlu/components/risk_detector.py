"""Rasa 3.6 component of the safety net: emergency first, whatever the classifier thinks.

Place it LAST in the NLU pipeline of ``config.yml``, after ``FallbackClassifier``::

    - name: nlu.components.risk_detector.RiskDetector

It runs ``nlu.risk.detector`` (lexicon + DIET's intent ranking + the scores of the dedicated
risk model ``nlu.risk.classifier``, fitted here at training time) on every message. When
the message is a risk it sets the intent to ``report_self_harm`` or ``report_violence`` (the
rules then send the emergency numbers first, in every dialogue state: first message, inside a
form, after "Intendevi…?"), puts that intent first in ``intent_ranking`` and adds ``risk`` to the
parse data (``kinds``, ``groups``, ``minor``, ``source``, and ``original_intent``, what the
classifier had said), which the actions read. Ordinary messages are left untouched (``risk`` is
``null``). Button payloads (``/intent``) are never reassessed: they are the citizen's choice.

The lexicon, the guard words and the fitted risk model are stored in the model at training
time; the fingerprint hashes the lexicon, the development sets the risk model also learns from
and the detector code (the training data is an input of the component), so changing the
lexicon retrains only this component.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.risk import classifier as risk_model
from nlu.risk import detector as risk
from nlu.risk.classifier import EXTRA_WEIGHT, RiskClassifier, extra_examples, labels_for

logger = logging.getLogger(__name__)

_LEXICON = "lexicon.yml"
_GUARDS = "guard_words.txt"
_MODEL = "risk_model.pkl"
#: Intent set for each main kind of risk.
KIND_INTENT = {risk.SELF_HARM: "report_self_harm", risk.VIOLENCE: "report_violence"}
RISK_KEY = "risk"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class RiskDetector(GraphComponent):
    """Override the intent with a risk intent when the message shows a danger."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``fallback_threshold``: as FallbackClassifier's, for a demoted intent.

        The rest of the behaviour is in ``nlu/risk/lexicon.yml``.
        """
        return {"fallback_threshold": 0.5}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Hash of the lexicon, the guard words and the detector code (training cache key)."""
        digest = hashlib.sha256()
        inputs = (risk.LEXICON_FILE, risk.GUARD_WORDS_FILE, risk.__file__, risk_model.__file__)
        for path in (*inputs, *risk_model.EXTRA_TRAINING):
            digest.update(open(path, "rb").read())
        return digest.hexdigest()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RiskDetector:
        """Create the component with the repository's lexicon (snapshotted by ``train``)."""
        return cls(model_storage, resource, risk.RiskDetector.from_files(), config)

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        detector: risk.RiskDetector,
        config: dict[str, Any] | None = None,
        model: RiskClassifier | None = None,
    ) -> None:
        """Keep the storage (for ``train``), the detector, its risk model and the config."""
        self._model_storage = model_storage
        self._resource = resource
        self._detector = detector
        self._model = model
        merged = {**self.get_default_config(), **(config or {})}
        self._fallback_threshold = float(merged["fallback_threshold"])

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the risk model on the training data; store it with the lexicon snapshot."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        texts = [self._detector.canonical(m.get(TEXT)) for m in examples]
        labels = labels_for(str(m.get(INTENT)) for m in examples)
        for text, label in extra_examples() * EXTRA_WEIGHT:
            texts.append(self._detector.canonical(text))
            labels.append(label)
        self._model = RiskClassifier.fit(texts, labels) if len(set(labels)) > 1 else None
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _LEXICON).write_bytes(risk.LEXICON_FILE.read_bytes())
            (directory / _GUARDS).write_bytes(risk.GUARD_WORDS_FILE.read_bytes())
            if self._model is not None:
                self._model.save(directory / _MODEL)
        logger.info("RiskDetector: risk model on %d examples", len(texts))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RiskDetector:
        """Load the lexicon snapshot of the model (the repository's when missing)."""
        model: RiskClassifier | None = None
        try:
            with model_storage.read_from(resource) as directory:
                lexicon = yaml.safe_load((directory / _LEXICON).read_text(encoding="utf-8"))
                lines = (directory / _GUARDS).read_text(encoding="utf-8").splitlines()
                if (directory / _MODEL).exists():
                    model = RiskClassifier.load(directory / _MODEL)
            guards = [w.strip() for w in lines if w.strip() and not w.startswith("#")]
            detector = risk.RiskDetector(lexicon or {}, guards)
        except (ValueError, FileNotFoundError):
            logger.warning("RiskDetector: no lexicon in the model, using the repository's")
            detector = risk.RiskDetector.from_files()
        return cls(model_storage, resource, detector, config, model)

    def process(self, messages: list[Message]) -> list[Message]:
        """Assess each message; override the intent of the risky ones."""
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        intent = message.get(INTENT) or {}
        if not text.strip() or text.lstrip().startswith("/"):
            message.set(RISK_KEY, None, add_to_output=True)
            return
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        scores = self._model.scores(self._detector.canonical(text)) if self._model else None
        found = self._detector.assess(text, ranking, scores=scores)
        evidence = {
            "scores": {k: round(v, 3) for k, v in (scores or {}).items()},
            "diet": [
                {"name": r.get("name"), "confidence": round(float(r.get("confidence") or 0), 3)}
                for r in ranking[:3]
            ],
        }
        if not found.at_risk or found.kind is None:
            # The detector decides the risk intents: DIET's own report_violence /
            # report_self_harm without enough evidence becomes the next intent.
            if intent.get("name") in self._detector.risk_intents:
                self._demote(message, ranking, {**evidence, "benign": found.benign})
            else:
                message.set(RISK_KEY, {"kinds": [], **evidence}, add_to_output=True)
            return
        name = KIND_INTENT[found.kind]
        data = {**found.as_dict(), **evidence}
        data["original_intent"] = {
            "name": intent.get("name"),
            "confidence": intent.get("confidence"),
        }
        confidence = max(float(intent.get("confidence") or 0.0), 0.99)
        if intent.get("name") == name:
            confidence = float(intent.get("confidence") or confidence)
        message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
        others = [r for r in ranking if r.get("name") != name]
        message.set(
            INTENT_RANKING_KEY,
            [{"name": name, "confidence": confidence}, *others],
            add_to_output=True,
        )
        message.set(RISK_KEY, data, add_to_output=True)

    def _demote(
        self, message: Message, ranking: list[dict[str, Any]], evidence: dict[str, Any]
    ) -> None:
        """A risk intent the detector does not confirm ("il sole picchia"): the next intent.

        The next non-risk intent of the ranking replaces it when it is confident enough (the
        fallback threshold); otherwise the message becomes ``nlu_fallback`` ("Intendevi…?").
        """
        others = [
            r
            for r in ranking
            if r.get("name") not in self._detector.risk_intents and r.get("name") != "nlu_fallback"
        ]
        best = others[0] if others else None
        if best is not None and float(best.get("confidence") or 0.0) >= self._fallback_threshold:
            chosen = {"name": best.get("name"), "confidence": best.get("confidence")}
        else:
            chosen = {"name": "nlu_fallback", "confidence": self._fallback_threshold}
        message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [chosen, *others], add_to_output=True)
        message.set(RISK_KEY, {"kinds": [], "demoted": True, **evidence}, add_to_output=True)
