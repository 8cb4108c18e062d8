"""Async facade of the registry and the deployer for the console (worker-thread calls)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.nlu_models.deploy import Deployer, DeployResult
from bot.nlu_models.gate import Reason
from bot.nlu_models.registry import ModelRecord
from bot.store.facade import ThreadFacade


class ModelsStore(ThreadFacade):
    """The models page's view of :class:`Registry` and :class:`Deployer`.

    Args:
        deployer: the deployer (with its registry).
        config: the pipeline config the page trains with (``config.yml``).
    """

    def __init__(self, deployer: Deployer, config: Path) -> None:
        self._deployer = deployer
        self.config = config

    async def models(self) -> list[ModelRecord]:
        """Every model, newest first."""
        return await self._call(self._deployer.registry.models)

    async def deployed(self) -> str | None:
        """The deployed version."""
        return await self._call(self._deployer.deployed)

    async def history(self) -> list[dict[str, Any]]:
        """Deploys and rollbacks."""
        return await self._call(self._deployer.history)

    async def train(self, actor: str) -> ModelRecord:
        """Start a full training of ``config`` (raises ``TrainingBusy``/``NothingChanged``)."""
        return await self._call(self._deployer.registry.start, self.config, actor, "full")

    async def confusion_png(self, version: str) -> Path | None:
        """The confusion-matrix image of ``version``'s evaluation (None without one)."""
        return await self._call(self._confusion_png, version)

    def _confusion_png(self, version: str) -> Path | None:
        registry = self._deployer.registry
        model = registry.get(version)
        name = str((model.evaluation if model else {}).get("confusion_png") or "")
        path = registry.models_dir / name
        if not name or Path(name).name != name or not path.is_file():
            return None  # only a file of the registry's own directory
        return path

    async def check(self, version: str) -> tuple[ModelRecord, list[Reason]]:
        """The gate's reasons for ``version``."""
        return await self._call(self._deployer.check, version)

    async def deploy(self, version: str, actor: str, override: str) -> DeployResult:
        """Deploy (raises ``DeployRefused``)."""
        return await self._call(self._deployer.deploy, version, actor, override)

    async def rollback(self, actor: str) -> DeployResult:
        """Roll back."""
        return await self._call(self._deployer.rollback, actor)
