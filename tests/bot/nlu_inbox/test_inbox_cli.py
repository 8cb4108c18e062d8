"""``wecare nlu inbox`` and ``wecare privacy purge`` on the app DB and a tracker store."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.bot.nlu_inbox.conftest import seed
from wecare.cli import main


@pytest.fixture
def cli_settings(settings, monkeypatch):
    import bot.nlu_inbox.cli as cli
    import bot.store.cli as store_cli

    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    monkeypatch.setattr(store_cli, "get_settings", lambda: settings)
    return settings


def test_list_annotate_add_and_purge(cli_settings, tracker, data_dir, capsys, monkeypatch):
    seed(tracker)
    assert main(["nlu", "inbox", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["new"] == 6
    unsure = next(g["items"][0] for g in data["groups"] if "boh" in g["items"][0]["text"])
    assert main(["nlu", "inbox"]) == 0
    out = capsys.readouterr().out
    assert "read 0 new messages" in out and "«telefono»" in out and "333" not in out
    assert main(["nlu", "inbox", "annotate", str(unsure["id"]), "--intent", "nope"]) == 1
    assert "unknown intent" in capsys.readouterr().err
    annotate = ["nlu", "inbox", "annotate", str(unsure["id"]), "--intent", "need_housing"]
    assert main([*annotate, "--by", "ada"]) == 0
    assert main(["nlu", "inbox", "add", str(unsure["id"]), "--by", "ada"]) == 0
    assert "nlu/data/inbox/need_housing.yml" in capsys.readouterr().out
    assert "- boh forse la casa" in (data_dir / "inbox" / "need_housing.yml").read_text()
    assert main(["nlu", "inbox", "list", "--status", "added", "--json"]) == 0
    added = json.loads(capsys.readouterr().out)["groups"]
    assert [g["items"][0]["annotated_by"] for g in added] == ["cli:ada"]
    assert main(["nlu", "inbox", "list", "--from", "yesterday"]) == 1
    assert main(["privacy", "purge"]) == 0
    assert "purged 0 NLU inbox items older than 180 days" in capsys.readouterr().out
    short = replace(cli_settings, nlu_inbox_retention_days=0)
    import bot.nlu_inbox.cli as cli

    monkeypatch.setattr(cli, "get_settings", lambda: short)
    assert main(["privacy", "purge"]) == 0
    assert "purged 6 NLU inbox items" in capsys.readouterr().out
