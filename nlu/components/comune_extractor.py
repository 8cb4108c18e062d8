"""Rasa 3.6 entity extractor for ``comune`` built on the pure ``nlu.gazetteer``.

Use in ``config.yml`` after the tokenizer/featurizers and before ``EntitySynonymMapper``::

    - name: nlu.components.comune_extractor.ComuneExtractor

At training time the comuni (``catalog_data/comuni.csv``, or the shared source CSV) and the guard
words are copied into the model, so a trained model is self-contained; the fingerprint add-on
hashes those files and ``nlu/gazetteer.py``, so changing any of them invalidates Rasa's training
cache. Entities carry the official name as ``value``, the span in the original text,
``confidence_entity`` and ``extractor``. ``comune`` entities produced by any earlier extractor
(DIET should never learn them) are dropped, so the recogniser is the only source.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu import gazetteer

logger = logging.getLogger(__name__)

_DATA_FILE = "comune_gazetteer.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class ComuneExtractor(GraphComponent, EntityExtractorMixin):
    """Finds comuni (official names, short forms, typos, CAP codes) in user messages."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default configuration.

        ``entity``: entity name to emit. ``csv``: comuni CSV (None = catalog default).
        ``min_confidence``: drop matches below this confidence.
        """
        return {"entity": "comune", "csv": None, "min_confidence": 0.0}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Hash of the comuni CSV, the guard words and the gazetteer code (cache key)."""
        digest = hashlib.sha256()
        csv_path = Path(config["csv"]) if config.get("csv") else None
        if csv_path is None:
            csv_path = (
                gazetteer.CATALOG_CSV if gazetteer.CATALOG_CSV.exists() else gazetteer.SHARED_CSV
            )
        for path in (csv_path, gazetteer.GUARD_WORDS_FILE, Path(gazetteer.__file__)):
            digest.update(str(path.name).encode())
            digest.update(path.read_bytes() if path.exists() else b"-")
        return digest.hexdigest()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ComuneExtractor:
        """Create an untrained component (the gazetteer is built by ``train``)."""
        return cls(config, model_storage, resource)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Build the component.

        Args:
            config: merged configuration.
            model_storage: where the snapshot of the comuni is persisted.
            resource: this component's resource in the model storage.
            data: persisted snapshot ``{"records": [...], "guard_words": [...]}``, if loaded.
        """
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._data = data
        self._gazetteer: gazetteer.Gazetteer | None = None
        if data is not None:
            self._gazetteer = self._build(data)

    @staticmethod
    def _build(data: dict[str, Any]) -> gazetteer.Gazetteer:
        records = [gazetteer.ComuneRecord(**r) for r in data["records"]]
        return gazetteer.Gazetteer(records, data.get("guard_words", ()))

    def _snapshot(self) -> dict[str, Any]:
        csv = self._config.get("csv")
        records = gazetteer.load_records(Path(csv) if csv else None)
        return {
            "records": [
                {"name": r.name, "cap": r.cap, "istat_code": r.istat_code} for r in records
            ],
            "guard_words": sorted(gazetteer.load_guard_words()),
        }

    def train(self, training_data: TrainingData) -> Resource:
        """Snapshot the comuni and guard words into the model (training data is not used)."""
        self._data = self._snapshot()
        self._gazetteer = self._build(self._data)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _DATA_FILE).write_text(
                json.dumps(self._data, ensure_ascii=False), encoding="utf-8"
            )
        logger.info("ComuneExtractor: %d comuni indexed", len(self._data["records"]))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ComuneExtractor:
        """Load the snapshot persisted by ``train``."""
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((directory / _DATA_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("ComuneExtractor: no snapshot in the model, reading the catalog CSV")
            data = None
        component = cls(config, model_storage, resource, data)
        if component._gazetteer is None:
            component._data = component._snapshot()
            component._gazetteer = component._build(component._data)
        return component

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the ``comune`` entities found in each message's text."""
        if self._gazetteer is None:
            self._data = self._snapshot()
            self._gazetteer = self._build(self._data)
        entity_name = self._config["entity"]
        min_conf = float(self._config["min_confidence"])
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = [
                {
                    ENTITY_ATTRIBUTE_TYPE: entity_name,
                    ENTITY_ATTRIBUTE_START: m.start,
                    ENTITY_ATTRIBUTE_END: m.end,
                    ENTITY_ATTRIBUTE_VALUE: m.value,
                    ENTITY_ATTRIBUTE_CONFIDENCE: m.confidence,
                }
                for m in self._gazetteer.find(text)
                if m.confidence >= min_conf
            ]
            others = [
                e for e in message.get(ENTITIES, []) if e.get(ENTITY_ATTRIBUTE_TYPE) != entity_name
            ]
            message.set(ENTITIES, others + self.add_extractor_name(found), add_to_output=True)
        return messages
