"""The model registry: training in a separate process, progress, checksum, one at a time.

Trains a deliberately tiny NLU-only model (``tiny_config.yml``: DIET, 3 epochs, on
``tiny_nlu.yml``) with the real ``rasa train nlu`` of ``.venv-rasa``: ~20-40 s.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from wecare.cli import main
from wecare.settings import ROOT

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
HERE = Path(__file__).parent


@pytest.fixture
def registry_settings(tmp_path, monkeypatch):
    if not (ROOT / ".venv-rasa" / "bin" / "rasa").exists():
        if os.environ.get("WECARE_REQUIRE_ALL_TESTS") == "1":
            pytest.fail("no .venv-rasa")
        pytest.skip("no .venv-rasa: run make setup")
    from wecare.settings import get_settings

    get_settings.cache_clear()
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(HERE / "tiny_nlu.yml", data / "tiny_nlu.yml")
    settings = replace(
        get_settings(),
        app_database_url=f"sqlite:///{tmp_path / 'app.db'}",
        nlu_data_dir=data,
        nlu_models_dir=tmp_path / "models",
    )
    import bot.nlu_models.cli as cli

    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    return settings


def models(capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["model", "list", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_train_in_a_separate_process_with_progress_and_checksum(registry_settings, capsys):
    config = str(HERE / "tiny_config.yml")
    train = ["model", "train", "--config", config, "--nlu-only", "--by", "ada"]
    assert main(train) == 0  # returns at once: the training runs in its own process
    assert main(train) == 1  # one training at a time
    assert "one training at a time" in capsys.readouterr().err
    deadline = time.monotonic() + 900  # training + evaluation; minutes on a loaded machine
    seen_running = False
    while (current := models(capsys)[0])["status"] == "training":
        seen_running = True
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert seen_running
    (model,) = models(capsys)
    assert model["status"] == "trained" and model["started_by"] == "cli:ada", model
    assert model["progress"]["epoch"] == model["progress"]["epochs"] == 3
    assert model["progress"]["elapsed"] > 0 and len(model["data_checksum"]) == 64
    assert Path(model["model_path"]).is_file() and current["version"] == model["version"]
    # Evaluated on the held-out split by the training process (nlu.evaluate): the tiny
    # model knows two intents, so it is weak, and the gate says why.
    evaluation = model["evaluation"]
    assert "error" not in evaluation, evaluation
    assert 0 <= evaluation["macro_f1"] < 0.5 and evaluation["n_examples"] > 500
    assert set(evaluation["per_intent"]["greet"]) == {"precision", "recall", "f1", "support"}
    assert evaluation["confusion_pairs"] and evaluation["fallbacks"] >= 0
    png = registry_settings.nlu_models_dir / evaluation["confusion_png"]  # the models page's
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 5000
    from bot.nlu_models.gate import Margins, gate

    deployed = {"macro_f1": 0.9, "per_intent": {"greet": {"f1": 0.95}}, "comune_accuracy": 0.9}
    reasons = gate(deployed, evaluation, Margins())
    assert str(reasons[0]).startswith("macro-F1 drops from 0.900 to ")
    # Nothing changed: no second training.
    assert main(train) == 0
    assert "nothing changed since model" in capsys.readouterr().out
    assert main(["model", "list"]) == 0
    assert "trained  nlu  by cli:ada  epoch 3/3" in capsys.readouterr().out
    assert len(models(capsys)) == 1
    # The same archive registered as if `make train` had built it: copied, evaluated alike.
    assert main(["model", "register", model["model_path"], "--by", "bea"]) == 0
    assert "(nlu)" in capsys.readouterr().out
    registered = models(capsys)[0]
    assert registered["version"] != model["version"] and registered["started_by"] == "cli:bea"
    assert registered["evaluation"]["macro_f1"] == evaluation["macro_f1"]
    assert (registry_settings.nlu_models_dir / registered["evaluation"]["confusion_png"]).is_file()


def test_the_checksum_follows_the_training_data(registry_settings):
    from bot.nlu_models.registry import Registry, checksum
    from bot.store.db import create_store_engine

    engine = create_store_engine(registry_settings.app_database_url)
    data = registry_settings.nlu_data_dir
    registry = Registry(engine, data, registry_settings.nlu_models_dir, "")
    config = HERE / "tiny_config.yml"
    before = checksum(registry.inputs(config, "nlu"))
    assert checksum(registry.inputs(config, "nlu")) == before
    assert checksum(registry.inputs(config, "full")) != before  # the dialogue counts too
    (data / "inbox").mkdir()
    (data / "inbox" / "greet.yml").write_text('version: "3.1"\nnlu: []\n')
    assert checksum(registry.inputs(config, "nlu")) != before
    engine.dispose()


def test_a_failed_training_says_why(registry_settings, tmp_path, capsys):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "recipe: default.v1\nlanguage: it\npipeline:\n  - name: NoSuchComponent\npolicies: []\n"
    )
    assert main(["model", "train", "--config", str(broken), "--nlu-only", "--wait"]) == 1
    err = capsys.readouterr().err
    assert "failed" in err and "NoSuchComponent" in err
    (model,) = models(capsys)
    assert model["status"] == "failed" and "NoSuchComponent" in model["error"]
    assert main(["model", "train", "--config", str(tmp_path / "none.yml")]) == 1
