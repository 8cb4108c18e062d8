"""Probe for ``test_comune_extractor.py``; runs in ``.venv-rasa`` (the app env has no Rasa).

    .venv-rasa/bin/python tests/nlu/comune_extractor_probe.py TEXT [TEXT ...]

Trains ``ComuneExtractor`` into a temporary model storage, loads it back, processes one message
per TEXT (the first one pre-filled with a partial ``comune`` span and an ``age`` entity, as DIET
might emit them) and prints the resulting entities and the fingerprint add-on as JSON.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))


def main(texts: list[str]) -> None:
    """Print ``{"entities": [[...] per text], "fingerprint": str, "reloaded": [...]}``."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from nlu.components.comune_extractor import ComuneExtractor

    storage = LocalModelStorage(Path(tempfile.mkdtemp(prefix="comune-probe-")))
    resource = Resource("comune_extractor")
    context = ExecutionContext(GraphSchema({}), "probe")
    config = ComuneExtractor.get_default_config()
    ComuneExtractor.create(config, storage, resource, context).train(TrainingData())
    loaded = ComuneExtractor.load(config, storage, resource, context)
    messages = [Message(data={"text": text}) for text in texts]
    messages[0].set(
        "entities",
        [
            {"entity": "comune", "value": "Torinese", "start": 0, "end": 3},
            {"entity": "age", "value": "67", "start": 0, "end": 2},
        ],
    )
    entities = [m.get("entities", []) for m in loaded.process(messages)]
    print(
        json.dumps(
            {"entities": entities, "fingerprint": ComuneExtractor.fingerprint_addon(config)},
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
