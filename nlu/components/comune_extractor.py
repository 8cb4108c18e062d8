"""Rasa 3.6 entity extractor for ``comune`` built on the catalog's pure comune resolver.

Use in ``config.yml`` after the tokenizer/featurizers and before ``EntitySynonymMapper``::

    - name: nlu.components.comune_extractor.ComuneExtractor

The recogniser is ``catalog.comuni.ComuneResolver.find`` (the resolver the catalog's
``resolve_comune`` uses too). At training time everything it is built from — the comuni
(``catalog_data/comuni.csv``, or the shared source CSV), the out-of-area comuni, the short forms
and names that need context (``comuni_nomi.yaml``), the look-alike places
(``luoghi_fuori_area.yaml``) and the guard words — is copied into the model, so a trained model
is self-contained; the fingerprint add-on hashes those files and the resolver's code, so changing
any of them invalidates Rasa's training cache. Entities carry the official name as ``value``,
the span in the original text, ``confidence_entity`` and ``extractor``. ``comune`` entities
produced by any earlier extractor (DIET should never learn them) are dropped, so the recogniser
is the only source.
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

import catalog.comuni
import wecare.text
from catalog.comuni import ComuneResolver, ResolverData
from catalog.comuni.data import read_resolver_data, resolver_files
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
        """Hash of the resolver's data files and code (Rasa's training cache key)."""
        digest = hashlib.sha256()
        for path in _inputs(config):
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
        data: ResolverData | None = None,
    ) -> None:
        """Build the component.

        Args:
            config: merged configuration.
            model_storage: where the snapshot of the comuni is persisted.
            resource: this component's resource in the model storage.
            data: the resolver's data persisted in the model, if loaded.
        """
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._data = data
        self._resolver: ComuneResolver | None = None
        if data is not None:
            self._resolver = ComuneResolver(data)

    def _snapshot(self) -> ResolverData:
        """Read the resolver's data from the catalog files (see the module docstring)."""
        return read_resolver_data(comuni_csv=_comuni_csv(self._config))

    def _ready(self) -> ComuneResolver:
        if self._resolver is None:
            self._data = self._data or self._snapshot()
            self._resolver = ComuneResolver(self._data)
        return self._resolver

    def train(self, training_data: TrainingData) -> Resource:
        """Snapshot the resolver's data into the model (training data is not used)."""
        self._data = self._snapshot()
        self._resolver = ComuneResolver(self._data)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _DATA_FILE).write_text(
                json.dumps(self._data.to_json(), ensure_ascii=False), encoding="utf-8"
            )
        logger.info("ComuneExtractor: %d comuni indexed", len(self._data.records))
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
        data: ResolverData | None
        try:
            with model_storage.read_from(resource) as directory:
                raw = json.loads((directory / _DATA_FILE).read_text(encoding="utf-8"))
            data = ResolverData.from_json(raw)
        except (ValueError, KeyError, TypeError, FileNotFoundError):
            logger.warning("ComuneExtractor: no snapshot in the model, reading the catalog data")
            data = None
        component = cls(config, model_storage, resource, data)
        component._ready()
        return component

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the ``comune`` entities found in each message's text."""
        resolver = self._ready()
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
                for m in resolver.find(text)
                if m.confidence >= min_conf
            ]
            others = [
                e for e in message.get(ENTITIES, []) if e.get(ENTITY_ATTRIBUTE_TYPE) != entity_name
            ]
            message.set(ENTITIES, others + self.add_extractor_name(found), add_to_output=True)
        return messages


def _comuni_csv(config: dict[str, Any]) -> Path:
    return gazetteer.comuni_csv(Path(config["csv"]) if config.get("csv") else None)


def _inputs(config: dict[str, Any]) -> list[Path]:
    """The files the recogniser is built from: data, then code (``catalog/comuni``, text)."""
    code_dir = Path(catalog.comuni.__file__).parent
    code = sorted(code_dir.glob("*.py")) + [Path(gazetteer.__file__), Path(wecare.text.__file__)]
    return resolver_files(comuni_csv=_comuni_csv(config)) + code
