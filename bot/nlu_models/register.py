"""``wecare model register ARCHIVE``: a model trained outside the registry enters it, evaluated.

``make train`` (``scripts/train.sh``) writes ``models/wecare.tar.gz`` without the registry. Here
the archive is copied into ``NLU_MODELS_DIR`` under a new version (a later ``make train`` does
not change the registered copy), its kind is read from the archive's ``metadata.json`` (Rasa's
``training_type``: 1 is NLU only), and it is evaluated like a registry training: held-out split
(``nlu.evaluate``, with the confusion-matrix image) and, for a full model, the test stories. The
checksum is the archive's own SHA-256: the training data behind it is unknown, so it never makes
``wecare model train`` a no-op.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from pathlib import Path

from bot.nlu_models import job
from bot.nlu_models.registry import ModelRecord, Registry, new_model_row


def archive_kind(archive: Path) -> str:
    """``nlu`` or ``full``, from the archive's ``metadata.json``.

    Raises:
        ValueError: not a Rasa model archive.
    """
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = next(m for m in tar.getmembers() if m.name.lstrip("/") == "metadata.json")
            handle = tar.extractfile(member)
            metadata = json.load(handle) if handle else {}
    except (OSError, StopIteration, tarfile.TarError, ValueError) as exc:
        raise ValueError(f"{archive} is not a Rasa model archive ({exc})") from None
    return "nlu" if metadata.get("training_type") == 1 else "full"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def register_archive(
    registry: Registry, archive: Path, actor: str, config: Path, evaluate: bool = True
) -> ModelRecord:
    """Copy ``archive`` into the registry as a new trained model, evaluated unless told not to.

    Args:
        registry: the model registry.
        archive: a Rasa model archive (``models/wecare.tar.gz``).
        actor: who registers it (audit).
        config: the pipeline config it was trained with (shown on the models page).
        evaluate: evaluate it on the held-out split (and the test stories of a full model).

    Raises:
        FileNotFoundError: no such archive.
        ValueError: not a Rasa model archive.
    """
    if not archive.is_file():
        raise FileNotFoundError(str(archive))
    kind, digest = archive_kind(archive), _sha256(archive)
    with registry.session() as s:
        progress = {"phase": "evaluating" if evaluate else "done", "source": str(archive)}
        row = new_model_row(s, kind, config, digest, actor, progress)
        model_id, version = row.id, row.version
    registry.models_dir.mkdir(parents=True, exist_ok=True)
    copy = registry.models_dir / f"{version}.tar.gz"
    try:
        shutil.copyfile(archive, copy)
    except OSError as exc:
        registry.finish(model_id, None, f"could not copy {archive}: {exc}")
        raise
    if evaluate:
        evaluation = job.evaluate(copy, registry.test_file)
        if kind == "full" and "error" not in evaluation:
            registry.progress(model_id, {"phase": "stories"})
            out = registry.models_dir / f"{version}-stories"
            evaluation.update(job.story_tests(copy, out, registry.dialogue.stories))
        registry.evaluation(model_id, evaluation)
    registry.progress(model_id, {"phase": "done"})
    registry.finish(model_id, str(copy), None)
    found = registry.job(model_id)
    assert found is not None
    return found
