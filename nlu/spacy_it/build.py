"""Build the project's Italian spaCy pipeline reproducibly (runs in ``.venv-rasa``).

``it_core_news_sm`` cannot be downloaded on the project machines, so ``SpacyNLP`` gets a pipeline
built here from ``spacy.blank("it")`` (spaCy's Italian tokenizer rules) plus a lookup lemmatizer
whose tables come from ``spacy-lookups-data`` (and a rule-based sentencizer)::

    .venv-rasa/bin/python -m nlu.spacy_it.build                 # build (idempotent), print path
    .venv-rasa/bin/python -m nlu.spacy_it.build --print-path    # only print where it goes
    .venv-rasa/bin/python -m nlu.spacy_it.build --check-config nlu/configs/spacy_blank.yml

The directory is ``models/spacy_it/it_wecare-<hash>``, where the hash covers the recipe below
and the spaCy / spacy-lookups-data versions. Rasa fingerprints ``SpacyNLP`` by its ``model``
path string only (SPEC §9), so a changed pipeline must live under a new path: the configs name
the hashed directory, and ``--check-config`` fails with the path to put there when they are
stale. Building an existing directory is a no-op; a build goes to a temporary directory and is
renamed into place, so an interrupted build never leaves a half-written pipeline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_ROOT = REPO_ROOT / "models" / "spacy_it"

# Everything that determines the built pipeline. Change it => new hash => new directory.
RECIPE: dict[str, Any] = {
    "lang": "it",
    "name": "wecare",
    "pipes": [
        {"factory": "sentencizer", "config": {}},
        # "lookup": the POS-aware Italian default needs a tagger, which a blank pipeline lacks.
        {"factory": "lemmatizer", "config": {"mode": "lookup"}},
    ],
}


def _versions() -> dict[str, str]:
    import spacy
    import spacy_lookups_data

    return {"spacy": spacy.__version__, "spacy_lookups_data": spacy_lookups_data.__version__}


def recipe_hash() -> str:
    """Short hash of the recipe and the library versions that shape the output."""
    payload = json.dumps({"recipe": RECIPE, "versions": _versions()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:10]


def pipeline_path(root: Path = OUT_ROOT) -> Path:
    """Where the pipeline for the current recipe lives."""
    return root / f"it_wecare-{recipe_hash()}"


def build(root: Path = OUT_ROOT, force: bool = False) -> Path:
    """Build the pipeline unless it already exists; return its directory.

    Args:
        root: parent directory (``models/spacy_it`` by default).
        force: rebuild even when the directory exists.

    Returns:
        The pipeline directory (load it with ``spacy.load(path)``).
    """
    import spacy

    target = pipeline_path(root)
    if target.exists() and (target / "meta.json").exists() and not force:
        return target
    root.mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank(RECIPE["lang"])
    for pipe in RECIPE["pipes"]:
        nlp.add_pipe(pipe["factory"], config=pipe["config"])
    nlp.initialize()  # loads the lemma tables from spacy-lookups-data into the pipeline
    nlp.meta.update(
        {
            "name": RECIPE["name"],
            "version": "1.0.0",
            "description": "WeCare: blank Italian + lookup lemmatizer (spacy-lookups-data)",
            "wecare_recipe": RECIPE,
            "wecare_recipe_hash": recipe_hash(),
            "wecare_versions": _versions(),
        }
    )
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        nlp.to_disk(tmp / "pipeline")
        if target.exists():
            shutil.rmtree(target)
        (tmp / "pipeline").rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def config_model_paths(config: Path) -> list[str]:
    """Return the ``model:`` values of the ``SpacyNLP`` entries of a Rasa config."""
    text = config.read_text(encoding="utf-8")
    paths = []
    for block in re.split(r"\n\s*-\s*name:", text):
        if block.strip().startswith("SpacyNLP"):
            m = re.search(r"^\s*model:\s*\"?([^\"\n#]+?)\"?\s*(?:#.*)?$", block, re.M)
            if m:
                paths.append(m.group(1).strip())
    return paths


def check_config(config: Path) -> int:
    """Build what ``config`` needs; return 1 when it names a stale project pipeline."""
    status = 0
    for model in config_model_paths(config):
        if not model.startswith("models/spacy_it/"):
            import spacy

            if not (spacy.util.is_package(model) or Path(model).exists()):
                print(
                    f"{config}: spaCy model {model!r} is not installed in .venv-rasa "
                    "(see docs/nlu.md, 'it_core_news_sm')",
                    file=sys.stderr,
                )
                status = 1
            continue
        built = build()
        expected = built.relative_to(REPO_ROOT).as_posix()
        if model != expected:
            print(
                f"{config}: SpacyNLP model is {model!r} but the current recipe builds "
                f"{expected!r}; update the config (the hash in the name invalidates Rasa's cache)",
                file=sys.stderr,
            )
            status = 1
        else:
            print(f"spaCy pipeline ready: {expected}")
    return status


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Build the WeCare Italian spaCy pipeline")
    parser.add_argument("--print-path", action="store_true", help="print the target and exit")
    parser.add_argument("--force", action="store_true", help="rebuild even if present")
    parser.add_argument("--check-config", type=Path, help="build what this Rasa config needs")
    args = parser.parse_args(argv)
    if args.print_path:
        print(pipeline_path().relative_to(REPO_ROOT).as_posix())
        return 0
    if args.check_config:
        return check_config(args.check_config)
    path = build(force=args.force)
    print(path.relative_to(REPO_ROOT).as_posix())
    return 0


if __name__ == "__main__":
    sys.exit(main())
