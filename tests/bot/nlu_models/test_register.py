"""``wecare model register ARCHIVE``: a model trained elsewhere enters the registry.

Fake archives here (a ``metadata.json`` in a tar.gz); the real evaluation of a registered
archive is in test_registry.py (it registers the archive it trained).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest

from bot.nlu_models.register import archive_kind
from wecare.cli import main


def fake_archive(path: Path, training_type: int = 3) -> Path:
    """A tar.gz with Rasa's ``metadata.json`` (what ``archive_kind`` reads)."""
    data = json.dumps({"training_type": training_type, "assistant_id": "test"}).encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def cli_settings(tmp_path, monkeypatch):
    from wecare.settings import get_settings

    settings = replace(
        get_settings(),
        app_database_url=f"sqlite:///{tmp_path / 'app.db'}",
        nlu_models_dir=tmp_path / "registry",
    )
    import bot.nlu_models.cli as cli

    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    return settings


def test_the_kind_comes_from_the_archive(tmp_path):
    assert archive_kind(fake_archive(tmp_path / "nlu.tar.gz", 1)) == "nlu"
    assert archive_kind(fake_archive(tmp_path / "full.tar.gz", 3)) == "full"
    (tmp_path / "junk.tar.gz").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a Rasa model archive"):
        archive_kind(tmp_path / "junk.tar.gz")


def test_register_copies_the_archive_and_the_gate_wants_an_evaluation(
    cli_settings, tmp_path, capsys
):
    archive = fake_archive(tmp_path / "wecare.tar.gz")
    assert main(["model", "register", str(archive), "--no-eval", "--by", "ada"]) == 0
    out = capsys.readouterr().out
    assert "registered" in out and "(full)" in out
    assert main(["model", "list", "--json"]) == 0
    (model,) = json.loads(capsys.readouterr().out)
    assert model["status"] == "trained" and model["kind"] == "full"
    assert model["started_by"] == "cli:ada" and model["evaluation"] == {}
    copy = Path(model["model_path"])
    assert copy.parent == cli_settings.nlu_models_dir and copy.name == f"{model['version']}.tar.gz"
    assert copy.read_bytes() == archive.read_bytes()  # a later `make train` changes nothing
    assert model["data_checksum"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert model["config"] == str(cli_settings.nlu_train_config)
    # not evaluated: the gate refuses it until an admin overrides
    assert main(["model", "deploy", model["version"]]) == 1
    assert "candidate not evaluated" in capsys.readouterr().err


def test_register_refuses_what_is_not_a_model(cli_settings, tmp_path, capsys):
    assert main(["model", "register", str(tmp_path / "none.tar.gz")]) == 1
    assert "no model archive" in capsys.readouterr().err
    (tmp_path / "junk.tar.gz").write_bytes(b"junk")
    assert main(["model", "register", str(tmp_path / "junk.tar.gz"), "--no-eval"]) == 1
    assert "not a Rasa model archive" in capsys.readouterr().err
    assert main(["model", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
