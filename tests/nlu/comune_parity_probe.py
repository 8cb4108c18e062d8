"""Probe for ``test_comune_parity.py``; runs in ``.venv-rasa`` (the app env has no Rasa).

    .venv-rasa/bin/python tests/nlu/comune_parity_probe.py < texts.json

Trains ``ComuneExtractor`` into a temporary model storage (the snapshot of the catalog's comune
data), loads it back as the Rasa server does and prints, for each text of the JSON list on
stdin, the value of the first ``comune`` entity (or null), as a JSON list.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))


def main() -> None:
    """Print ``[value or null per text]``."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from nlu.components.comune_extractor import ComuneExtractor

    texts = json.load(sys.stdin)
    storage = LocalModelStorage(Path(tempfile.mkdtemp(prefix="comune-parity-")))
    resource = Resource("comune_extractor")
    context = ExecutionContext(GraphSchema({}), "parity")
    config = ComuneExtractor.get_default_config()
    ComuneExtractor.create(config, storage, resource, context).train(TrainingData())
    loaded = ComuneExtractor.load(config, storage, resource, context)
    messages = loaded.process([Message(data={"text": text}) for text in texts])
    values = []
    for message in messages:
        comuni = [e for e in message.get("entities", []) if e["entity"] == "comune"]
        values.append(comuni[0]["value"] if comuni else None)
    print(json.dumps(values, ensure_ascii=False))


if __name__ == "__main__":
    main()
