"""Deploy and rollback: every Rasa server loads a registered model with ``PUT /model``.

Rasa (``--enable-api``) swaps the model in place: the server is not restarted and the
conversations (tracker store) are kept. The evaluation gate (``bot.nlu_models.gate``) decides
first; an admin may override it with a reason, which is audited. Every deploy and rollback is
audited in ``admin_audit`` (who, when, from, to, override, the gate's reasons); the deployed
model is the ``to`` of the last one, and a rollback goes back to its ``from``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from bot.nlu_models.gate import Margins, Reason, gate
from bot.nlu_models.registry import ModelRecord, Registry
from bot.store.models import AdminAudit

audit_log = logging.getLogger("wecare.audit")
DEPLOY_ACTIONS = ("model_deploy", "model_rollback")


class DeployRefused(Exception):
    """The deploy was not done; ``reasons`` say why (the gate's, or a hard error)."""

    def __init__(self, reasons: Sequence[Reason], overridable: bool = True) -> None:
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = list(reasons)
        self.overridable = overridable


@dataclass
class DeployResult:
    """A deploy that happened."""

    version: str
    previous: str | None
    servers: list[str] = field(default_factory=list)
    overridden: list[Reason] = field(default_factory=list)


class Deployer:
    """Switches the serving Rasa servers between registered models.

    Args:
        registry: the model registry.
        rasa_urls: every Rasa server (``RASA_URLS``).
        token: Rasa's ``--auth-token`` (``RASA_TOKEN``).
        margins: the gate's margins.
        client: HTTP client (tests); a new one per call when None.
    """

    def __init__(
        self,
        registry: Registry,
        rasa_urls: Sequence[str],
        token: str,
        margins: Margins,
        client: httpx.Client | None = None,
    ) -> None:
        self.registry = registry
        self.rasa_urls = list(rasa_urls)
        self.token = token
        self.margins = margins
        self._client = client

    def history(self) -> list[dict[str, Any]]:
        """Deploys and rollbacks, newest first."""
        with self.registry.session() as s:
            rows = s.scalars(
                select(AdminAudit)
                .where(AdminAudit.action.in_(DEPLOY_ACTIONS))
                .order_by(AdminAudit.id.desc())
            ).all()
            return [
                {"action": r.action, "actor": r.actor, "at": r.created_at.isoformat(), **r.detail}
                for r in rows
            ]

    def deployed(self) -> str | None:
        """Version of the deployed model (None before the first deploy)."""
        history = self.history()
        return str(history[0]["to"]) if history else None

    def check(self, version: str) -> tuple[ModelRecord, list[Reason]]:
        """The candidate and the gate's reasons against the deployed model.

        Raises:
            DeployRefused: not overridable (unknown, not trained, NLU-only, already deployed).
        """
        candidate = self.registry.get(version)
        if candidate is None:
            raise DeployRefused([Reason("not_found", {"version": version})], overridable=False)
        if candidate.status != "trained" or not candidate.model_path:
            values = {"version": version, "status": candidate.status}
            raise DeployRefused([Reason("not_trained", values)], overridable=False)
        if candidate.kind != "full":
            raise DeployRefused([Reason("nlu_only", {"version": version})], overridable=False)
        current = self.deployed()
        if current == version:
            raise DeployRefused(
                [Reason("already_deployed", {"version": version})], overridable=False
            )
        base = self.registry.get(current) if current else None
        return candidate, gate(
            base.evaluation if base else None, candidate.evaluation, self.margins
        )

    def deploy(self, version: str, actor: str, override: str = "") -> DeployResult:
        """Deploy ``version`` on every Rasa server (``override``: the admin's reason).

        Raises:
            DeployRefused: the gate refused it (no override) or it cannot be deployed.
            httpx.HTTPError: a Rasa server did not load it (the others may have).
        """
        candidate, reasons = self.check(version)
        if reasons and not override.strip():
            raise DeployRefused(reasons)
        return self._switch(candidate, actor, "model_deploy", reasons, override.strip())

    def rollback(self, actor: str) -> DeployResult:
        """Go back to the model deployed before the current one (no gate: it served before)."""
        history = self.history()
        previous = history[0].get("from") if history else None
        if not previous:
            raise DeployRefused([Reason("no_previous")], overridable=False)
        model = self.registry.get(str(previous))
        if model is None or not model.model_path:
            values = {"version": str(previous)}
            raise DeployRefused([Reason("unavailable", values)], overridable=False)
        return self._switch(model, actor, "model_rollback", [], "")

    def _switch(
        self, model: ModelRecord, actor: str, action: str, reasons: list[Reason], override: str
    ) -> DeployResult:
        previous = self.deployed()
        client = self._client or httpx.Client(timeout=httpx.Timeout(300.0, connect=5.0))
        done: list[str] = []
        try:
            for url in self.rasa_urls:
                params = {"token": self.token} if self.token else {}
                response = client.put(
                    f"{url}/model", params=params, json={"model_file": model.model_path}
                )
                response.raise_for_status()
                done.append(url)
        finally:
            if self._client is None:
                client.close()
            detail = {
                "from": previous,
                "to": model.version if done == self.rasa_urls else previous,
                "requested": model.version,
                "servers": done,
                "override": override or None,
                "gate": [str(r) for r in reasons],
            }
            with self.registry.session() as s:
                s.add(AdminAudit(actor=actor, action=action, target=model.version, detail=detail))
            audit_log.info(
                "%s %s -> %s by %s servers=%d override=%s",
                action,
                previous,
                model.version,
                actor,
                len(done),
                bool(override),
            )
        return DeployResult(model.version, previous, done, reasons if override else [])
