"""Deploy and rollback: every Rasa server gets ``PUT /model``, the gate decides, all audited.

The Rasa servers here are small HTTP fakes that record ``PUT /model`` and answer
``GET /status`` with the loaded model (a real Rasa is not started: ~40 s each).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.nlu_models.deploy import Deployer, DeployRefused
from bot.nlu_models.gate import Margins
from bot.nlu_models.registry import Registry
from bot.store import create_store_engine, init_db
from bot.store.models import NluModel
from tests.fixtures.servers import ServerThread
from wecare.cli import main

GOOD = {"macro_f1": 0.9, "per_intent": {"greet": {"f1": 0.95}}, "comune_accuracy": 0.97}
WEAK = {"macro_f1": 0.4, "per_intent": {"greet": {"f1": 0.5}}, "comune_accuracy": 0.0}


class FakeRasaServer:
    def __init__(self, token: str) -> None:
        self.token = token
        self.model: str | None = None
        self.puts: list[str] = []
        app = Starlette(
            routes=[Route("/model", self.put, methods=["PUT"]), Route("/status", self.status)]
        )
        self.thread = ServerThread(app).start()
        self.url = self.thread.url

    async def put(self, request: Request) -> Response:
        if request.query_params.get("token") != self.token:
            return JSONResponse({"error": "token"}, status_code=401)
        body = await request.json()
        self.model = body["model_file"]
        self.puts.append(self.model)
        return Response(status_code=204)

    async def status(self, request: Request) -> JSONResponse:
        return JSONResponse({"model_file": self.model})


@pytest.fixture
def rasa_servers() -> Iterator[list[FakeRasaServer]]:
    servers = [FakeRasaServer("secret"), FakeRasaServer("secret")]
    yield servers
    for server in servers:
        server.thread.stop()


@pytest.fixture
def registry(tmp_path) -> Iterator[Registry]:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'app.db'}")
    init_db(engine)
    reg = Registry(engine, tmp_path, tmp_path / "models", "")
    with reg.session() as s:
        for version, kind, evaluation in (
            ("0001-base", "full", GOOD),
            ("0002-weak", "full", WEAK),
            ("0003-better", "full", {**GOOD, "macro_f1": 0.92}),
            ("0004-nlu", "nlu", GOOD),
        ):
            archive = tmp_path / f"{version}.tar.gz"
            archive.write_bytes(b"model")
            s.add(
                NluModel(
                    version=version,
                    status="trained",
                    kind=kind,
                    config="config.yml",
                    data_checksum=version,
                    started_by="ada",
                    model_path=str(archive),
                    evaluation=evaluation,
                )
            )
    yield reg
    engine.dispose()


def deployer(registry, servers) -> Deployer:
    return Deployer(registry, [s.url for s in servers], "secret", Margins())


def test_gate_refuses_a_weak_candidate_then_an_override_is_audited(registry, rasa_servers):
    d = deployer(registry, rasa_servers)
    first = d.deploy("0001-base", "ada")  # nothing deployed yet: its own evaluation suffices
    assert first.previous is None and len(first.servers) == 2
    assert all(Path(s.model).name == "0001-base.tar.gz" for s in rasa_servers)
    with pytest.raises(DeployRefused) as refused:
        d.deploy("0002-weak", "ada")
    reasons = [str(r) for r in refused.value.reasons]
    assert "macro-F1 drops from 0.900 to 0.400 (margin 0.010)" in reasons
    assert "comune accuracy drops from 0.970 to 0.000" in reasons
    assert all(len(s.puts) == 1 for s in rasa_servers)  # nothing was switched
    forced = d.deploy("0002-weak", "ada", override="test urgente del comune")
    assert forced.overridden and d.deployed() == "0002-weak"
    last = d.history()[0]
    assert last["actor"] == "ada" and last["from"] == "0001-base" and last["to"] == "0002-weak"
    assert last["override"] == "test urgente del comune" and last["gate"]


def test_rollback_goes_back_on_every_server(registry, rasa_servers):
    d = deployer(registry, rasa_servers)
    d.deploy("0001-base", "ada")
    d.deploy("0003-better", "ada")
    back = d.rollback("bea")
    assert back.version == "0001-base" and back.previous == "0003-better"
    assert all(Path(s.model).name == "0001-base.tar.gz" for s in rasa_servers)
    rollback = d.history()[0]
    assert rollback["action"] == "model_rollback" and rollback["actor"] == "bea"


def test_what_can_never_be_deployed(registry, rasa_servers):
    d = deployer(registry, rasa_servers)
    for version, message in (
        ("9999-none", "no model 9999-none"),
        ("0004-nlu", "NLU-only"),
    ):
        with pytest.raises(DeployRefused) as refused:
            d.deploy(version, "ada", override="anyway")
        assert message in str(refused.value.reasons[0]) and not refused.value.overridable
    with pytest.raises(DeployRefused):
        d.rollback("ada")  # nothing deployed
    d.deploy("0001-base", "ada")
    with pytest.raises(DeployRefused, match="already deployed"):
        d.deploy("0001-base", "ada")


def test_cli_deploy_refused_override_rollback_history(registry, rasa_servers, monkeypatch, capsys):
    from dataclasses import replace

    import bot.nlu_models.cli as cli
    from wecare.settings import get_settings

    settings = replace(
        get_settings(),
        app_database_url=str(registry.engine.url),
        rasa_urls=tuple(s.url for s in rasa_servers),
        rasa_token="secret",
    )
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    assert main(["model", "deploy", "0001-base", "--by", "ada"]) == 0
    assert "deployed 0001-base (was none) on 2 Rasa server(s)" in capsys.readouterr().out
    assert main(["model", "deploy", "0002-weak", "--by", "ada"]) == 1
    err = capsys.readouterr().err
    assert "deploy refused" in err and "macro-F1 drops" in err and "--override" in err
    assert main(["model", "deploy", "0002-weak", "--override", "prova", "--by", "ada"]) == 0
    assert "gate overridden: macro-F1 drops" in capsys.readouterr().out
    assert main(["model", "rollback", "--by", "ada"]) == 0
    assert "deployed 0001-base (was 0002-weak)" in capsys.readouterr().out
    assert main(["model", "history"]) == 0
    out = capsys.readouterr().out
    assert "deployed: 0001-base" in out and "override: prova" in out
