"""Deploy and rollback on the REAL Rasa server of the e2e stack (issue 12, Proof).

``tests/bot/nlu_models/test_deploy.py`` checks the deployer against HTTP fakes; here the
:class:`~bot.nlu_models.deploy.Deployer` of ``wecare model deploy`` switches the real Rasa of
``e2e_stack`` with ``PUT /model`` and the result is read back from Rasa itself: ``GET /status``
names another model file, a conversation started before the deploy goes on over the REST
webhook (the tracker store survives the swap), a rollback serves the original archive again
and the bot answers a normal request with the right services. Every switch is an
``admin_audit`` row (who, from, to).

The "new" model is a copy of ``models/wecare.tar.gz`` under another name: Rasa really loads a
different archive, while the answers stay those of the real model (the stack is shared by the
whole session, so the other e2e tests must keep the real model: a ``finally`` puts it back if
the test fails half-way). Neither archive has a registry evaluation (``make train`` built
them), so the gate refuses both and the deploys are audited overrides, as an admin would do.
Three model loads (``PUT /model``): the test took 366 s on the shared 2-core machine with
other trainings running, plus the stack's start (docs/nlu_inbox.md).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.nlu_models.deploy import Deployer, DeployRefused
from bot.nlu_models.gate import Margins
from bot.nlu_models.registry import Registry, checksum
from bot.store import create_store_engine, init_db
from bot.store.models import AdminAudit, NluModel
from tests.e2e.conftest import E2EStack
from tests.e2e.helpers import Chat, services_payload
from wecare.settings import ROOT
from wecare.stack import MODEL

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

BASE = "0001-make-train"
CANDIDATE = "0002-e2e-copy"


def _status(http: httpx.Client, stack: E2EStack) -> dict[str, Any]:
    response = http.get(f"{stack.rasa_url}/status", params={"token": stack.token})
    assert response.status_code == 200, (response.status_code, response.text[:300])
    return dict(response.json())


@pytest.fixture
def registry(e2e_stack: E2EStack, tmp_path: Path) -> Iterator[Registry]:
    """The registry on the stack's app database (the one its console reads), else a new one."""
    url = e2e_stack.app_database_url or f"sqlite:///{tmp_path / 'app.db'}"
    engine = create_store_engine(url)
    init_db(engine)
    registry = Registry(engine, ROOT / "nlu" / "data", tmp_path / "registry", url)
    yield registry
    engine.dispose()


def _register(registry: Registry, version: str, archive: Path, actor: str) -> None:
    """A full model trained outside the registry (``make train``): trained, no evaluation."""
    config = ROOT / "config.yml"
    digest = checksum(registry.inputs(config, "full"), extra="kind=full")
    with registry.session() as s:
        s.add(
            NluModel(
                version=version,
                status="trained",
                kind="full",
                config=str(config),
                data_checksum=digest,
                started_by=actor,
                model_path=str(archive),
            )
        )


def test_deploy_and_rollback_switch_the_real_rasa_and_keep_conversations(
    e2e_stack: E2EStack, http: httpx.Client, registry: Registry, tmp_path: Path
) -> None:
    if not e2e_stack.token:
        pytest.skip("the reused stack's API token is unknown (set WECARE_E2E_RASA_TOKEN)")
    before = _status(http, e2e_stack)
    assert before["model_file"] == MODEL.name, before  # the stack serves the real model
    copy = tmp_path / "wecare-e2e-copy.tar.gz"
    shutil.copyfile(MODEL, copy)
    _register(registry, BASE, MODEL, "cli:make-train")
    _register(registry, CANDIDATE, copy, "cli:ada")
    deployer = Deployer(registry, [e2e_stack.rasa_url], e2e_stack.token, Margins())
    try:
        # the model `make run` started with enters the registry as the deployed one
        with pytest.raises(DeployRefused) as refused:
            deployer.deploy(BASE, "e2e-ada")
        assert [r.code for r in refused.value.reasons] == ["not_evaluated"]
        assert deployer.history() == []  # a refusal switches nothing, audits nothing
        first = deployer.deploy(BASE, "e2e-ada", override="modello di make train")
        assert first.previous is None and first.servers == [e2e_stack.rasa_url]
        assert _status(http, e2e_stack)["model_file"] == MODEL.name

        chat = Chat(http, e2e_stack.rasa_url)
        asked = chat.say("ho bisogno di aiuto per pagare l'affitto")
        assert "comune" in asked.text.lower(), chat.transcript()

        second = deployer.deploy(CANDIDATE, "e2e-ada", override="prova e2e del deploy")
        assert (second.version, second.previous) == (CANDIDATE, BASE)
        after = _status(http, e2e_stack)
        assert after["model_file"] == copy.name, after
        assert after["model_file"] != before["model_file"]
        assert deployer.deployed() == CANDIDATE

        # the conversation started on the old model goes on: the comune form was kept
        payload = services_payload(chat.say("Cuorgnè"))
        assert payload["category"] == "housing", chat.transcript()
        assert payload["ente_gestore"]["id"] == "ciss38", chat.transcript()
        tracker = http.get(
            f"{e2e_stack.rasa_url}/conversations/{chat.sender}/tracker",
            params={"token": e2e_stack.token},
        ).json()
        said = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
        assert said == ["ho bisogno di aiuto per pagare l'affitto", "Cuorgnè"], said

        back = deployer.rollback("e2e-bea")
        assert (back.version, back.previous) == (BASE, CANDIDATE)
        assert _status(http, e2e_stack)["model_file"] == MODEL.name
        assert deployer.deployed() == BASE

        fresh = Chat(http, e2e_stack.rasa_url)
        payload = services_payload(fresh.say("abito a Cuorgnè e non riesco a pagare l affitto"))
        assert payload["category"] == "housing", fresh.transcript()
        assert payload["ente_gestore"]["id"] == "ciss38", fresh.transcript()
        assert payload["services"], fresh.transcript()
    finally:
        # the stack is shared by the session: the other e2e tests need the real model
        if _status(http, e2e_stack)["model_file"] != MODEL.name:
            http.put(
                f"{e2e_stack.rasa_url}/model",
                params={"token": e2e_stack.token},
                json={"model_file": str(MODEL)},
                timeout=300.0,
            ).raise_for_status()

    history = deployer.history()  # newest first
    assert [(h["action"], h["actor"], h["from"], h["to"]) for h in history] == [
        ("model_rollback", "e2e-bea", CANDIDATE, BASE),
        ("model_deploy", "e2e-ada", BASE, CANDIDATE),
        ("model_deploy", "e2e-ada", None, BASE),
    ]
    overrides = [h["override"] for h in history]
    assert overrides == [None, "prova e2e del deploy", "modello di make train"]
    assert all(h["servers"] == [e2e_stack.rasa_url] for h in history)
    with registry.session() as s:  # the app database the stack's console reads
        rows = s.scalars(select(AdminAudit).where(AdminAudit.target.in_([BASE, CANDIDATE]))).all()
        assert {r.action for r in rows} == {"model_deploy", "model_rollback"} and len(rows) == 3
