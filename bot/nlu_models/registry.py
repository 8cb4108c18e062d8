"""The model registry (app DB ``nlu_model``) and the one-training-at-a-time lock.

Training runs in its own process (``python -m bot.nlu_models.job ID``, started by
:meth:`Registry.start`), never in the serving Rasa: it calls ``rasa train`` from
``.venv-rasa`` and writes its progress (epochs, elapsed seconds) to its row.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.nlu_models.inputs import Dialogue, checksum, inputs
from bot.store.models import NluModel, NluTrainingLock, utcnow
from wecare.settings import NLU_TEST_FILE, ROOT, Settings

__all__ = ["ModelRecord", "NothingChanged", "Registry", "TrainingBusy", "checksum"]


class TrainingBusy(Exception):
    """Another training is running (its version is the message)."""


class NothingChanged(Exception):
    """A model of the same config and training data exists (its version is the message)."""


@dataclass(frozen=True)
class ModelRecord:
    """One registered model."""

    id: int
    version: str
    status: str
    kind: str
    config: str
    data_checksum: str
    started_by: str
    model_path: str | None
    progress: dict[str, Any]
    error: str | None
    evaluation: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None

    def view(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "version": self.version,
            "status": self.status,
            "kind": self.kind,
            "config": self.config,
            "data_checksum": self.data_checksum,
            "started_by": self.started_by,
            "model_path": self.model_path,
            "progress": self.progress,
            "error": self.error,
            "evaluation": self.evaluation,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


def _record(row: NluModel) -> ModelRecord:
    return ModelRecord(
        row.id,
        row.version,
        row.status,
        row.kind,
        row.config,
        row.data_checksum,
        row.started_by,
        row.model_path,
        dict(row.progress or {}),
        row.error,
        dict(row.evaluation or {}),
        row.created_at,
        row.finished_at,
    )


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def new_model_row(
    session: Session,
    kind: str,
    config: Path,
    digest: str,
    actor: str,
    progress: dict[str, Any] | None = None,
) -> NluModel:
    """Add a registry row and give it its version ``NNNN-YYYYmmdd-HHMM`` (sortable, unique)."""
    row = NluModel(
        version=f"pending-{os.urandom(6).hex()}",
        kind=kind,
        config=str(config),
        data_checksum=digest,
        started_by=actor,
    )
    if progress is not None:
        row.progress = progress
    session.add(row)
    session.flush()
    row.version = f"{row.id:04d}-{utcnow():%Y%m%d-%H%M}"
    return row


class Registry:
    """Registered models and training runs.

    Args:
        engine: the app database.
        data_dir: NLU training data (``nlu/data``; the inbox's files included).
        test_file: the held-out split every candidate is evaluated on.
        models_dir: where trained archives go (``models/registry``).
        database_url: URL of ``engine`` (passed to the training process).
        dialogue: domain, rules/stories and test stories of full models (default: the bot's).
    """

    def __init__(
        self,
        engine: Engine,
        data_dir: Path,
        models_dir: Path,
        database_url: str,
        test_file: Path | None = None,
        dialogue: Dialogue | None = None,
    ) -> None:
        self.engine = engine
        self.test_file = test_file or NLU_TEST_FILE
        self.dialogue = dialogue or Dialogue()
        self.data_dir = data_dir
        self.models_dir = models_dir
        self.database_url = database_url
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def of(cls, settings: Settings, engine: Engine) -> Registry:
        """The registry configured by ``settings`` (``NLU_*`` variables) on ``engine``."""
        dialogue = Dialogue(
            settings.nlu_domain, settings.nlu_dialogue_data, settings.nlu_test_stories
        )
        return cls(
            engine,
            settings.nlu_data_dir,
            settings.nlu_models_dir,
            settings.app_database_url,
            settings.nlu_test_file,
            dialogue,
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success."""
        with self._sessions() as session, session.begin():
            yield session

    def inputs(self, config: Path, kind: str) -> list[Path]:
        """What a training of ``kind`` (``full`` or ``nlu``) reads."""
        return inputs(config, self.data_dir, kind, self.dialogue)

    def models(self) -> list[ModelRecord]:
        """Every model, newest first."""
        with self.session() as s:
            rows = s.scalars(select(NluModel).order_by(NluModel.id.desc())).all()
            return [_record(r) for r in rows]

    def get(self, version: str) -> ModelRecord | None:
        """One model by version."""
        with self.session() as s:
            row = s.scalar(select(NluModel).where(NluModel.version == version))
            return _record(row) if row else None

    def start(
        self, config: Path, actor: str, kind: str = "full", force: bool = False
    ) -> ModelRecord:
        """Register a training and start its process.

        Raises:
            TrainingBusy: a training is running.
            NothingChanged: a trained model has the same config and data (unless ``force``).
            FileNotFoundError: no such config.
        """
        if not config.is_file():
            raise FileNotFoundError(str(config))
        digest = checksum(self.inputs(config, kind), extra=f"kind={kind}")
        with self.session() as s:
            same = s.scalar(
                select(NluModel).where(
                    NluModel.data_checksum == digest, NluModel.status == "trained"
                )
            )
            if same is not None and not force:
                raise NothingChanged(same.version)
            if s.get(NluTrainingLock, 1) is None:
                s.add(NluTrainingLock(id=1, model_id=None))
        self._release_stale()
        with self.session() as s:
            row = new_model_row(s, kind, config, digest, actor)
            taken = s.execute(
                update(NluTrainingLock)
                .where(NluTrainingLock.id == 1, NluTrainingLock.model_id.is_(None))
                .values(model_id=row.id)
            )
            if not getattr(taken, "rowcount", 0):  # raising rolls the new row back
                raise TrainingBusy(self._running_version() or "?")
            model_id = row.id
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.nlu_models.job", str(model_id)],
            cwd=ROOT,
            env={
                **os.environ,
                "APP_DATABASE_URL": self.database_url,
                "NLU_DATA_DIR": str(self.data_dir),
                "NLU_MODELS_DIR": str(self.models_dir),
                "NLU_TEST_FILE": str(self.test_file),
                **self.dialogue.env(),
                # The registry's own Rasa cache: components whose inputs did not change are
                # reused between its trainings, and never mixed with ``make train``'s cache.
                "RASA_CACHE_DIRECTORY": str(self.models_dir / ".rasa-cache"),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        with self.session() as s:
            found = s.get(NluModel, model_id)
            assert found is not None
            found.pid = proc.pid
            return _record(found)

    def _running_version(self) -> str | None:
        with self.session() as s:
            lock = s.get(NluTrainingLock, 1)
            row = s.get(NluModel, lock.model_id) if lock and lock.model_id else None
            return row.version if row else None

    def _release_stale(self) -> None:
        """A training whose process is gone is failed, and the lock freed."""
        with self.session() as s:
            lock = s.get(NluTrainingLock, 1)
            if lock is None or lock.model_id is None:
                return
            row = s.get(NluModel, lock.model_id)
            if row is not None and row.status == "training" and row.pid and not _alive(row.pid):
                row.status, row.error = "failed", "the training process ended unexpectedly"
                row.finished_at = utcnow()
                lock.model_id = None
            elif row is None or row.status != "training":
                lock.model_id = None

    def progress(self, model_id: int, values: dict[str, Any]) -> None:
        """The training process reports its progress."""
        with self.session() as s:
            row = s.get(NluModel, model_id)
            if row is not None:
                row.progress = {**(row.progress or {}), **values}

    def evaluation(self, model_id: int, values: dict[str, Any]) -> None:
        """Store the evaluation of a trained model on the held-out split."""
        with self.session() as s:
            row = s.get(NluModel, model_id)
            if row is not None:
                row.evaluation = values

    def finish(self, model_id: int, model_path: str | None, error: str | None) -> None:
        """The training process ends: trained (``model_path``) or failed (``error``)."""
        with self.session() as s:
            row = s.get(NluModel, model_id)
            if row is not None:
                row.status = "trained" if model_path and not error else "failed"
                row.model_path, row.error, row.finished_at = model_path, error, utcnow()
            lock = s.get(NluTrainingLock, 1)
            if lock is not None and lock.model_id == model_id:
                lock.model_id = None

    def job(self, model_id: int) -> ModelRecord | None:
        """The model row of a training process."""
        with self.session() as s:
            row = s.get(NluModel, model_id)
            return _record(row) if row else None
