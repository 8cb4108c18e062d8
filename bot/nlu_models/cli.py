"""``wecare model train`` / ``wecare model list``: the model registry from a shell.

``train`` registers a training and starts it in its own process (the serving Rasa is never
asked to train); ``--wait`` follows its progress (epochs, elapsed) until it ends. When the
config and the training data did not change since a trained model, nothing is trained.
"""

from __future__ import annotations

import argparse
import getpass
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bot.nlu_models.deploy import Deployer, DeployRefused
from bot.nlu_models.gate import Margins
from bot.nlu_models.register import register_archive
from bot.nlu_models.registry import ModelRecord, NothingChanged, Registry, TrainingBusy
from bot.store.db import create_store_engine, prepare_db
from wecare.cli import CliError
from wecare.settings import ROOT, get_settings


@contextmanager
def _registry() -> Iterator[Registry]:
    settings = get_settings()
    engine = create_store_engine(settings.app_database_url)
    prepare_db(engine, migrate=not settings.production_profile)
    try:
        yield Registry.of(settings, engine)
    finally:
        engine.dispose()


def _line(m: ModelRecord) -> str:
    p = m.progress
    progress = f"epoch {p.get('epoch', '?')}/{p.get('epochs', '?')}, {p.get('elapsed', 0)} s"
    line = (
        f"{m.version}  {m.status:<8} {m.kind:<4} by {m.started_by}  {progress}  "
        f"checksum {m.data_checksum[:12]}  {Path(m.config).name}"
    )
    e = m.evaluation
    if "macro_f1" in e:
        comune = e.get("comune_accuracy")
        line += (
            f"\n    macro-F1 {e['macro_f1']:.3f}, comune accuracy "
            f"{'n/a' if comune is None else f'{comune:.3f}'}, fallbacks {e['fallbacks']}, "
            f"confident errors {e['confident_errors']} (held-out, {e['n_examples']} examples)"
        )
        pairs = e.get("confusion_pairs") or []
        if pairs:
            line += "\n    most confused: " + "; ".join(
                f"{p['gold']} -> {p['pred']} ({p['count']})" for p in pairs[:3]
            )
    elif e.get("error"):
        line += f"\n    evaluation failed: {str(e['error']).splitlines()[0]}"
    return line


def _train(args: argparse.Namespace) -> int:
    config = Path(args.config) if args.config else get_settings().nlu_train_config
    config = config if config.is_absolute() else ROOT / config
    actor = f"cli:{args.by or getpass.getuser()}"
    with _registry() as registry:
        try:
            model = registry.start(config, actor, "nlu" if args.nlu_only else "full", args.force)
        except FileNotFoundError:
            raise CliError(f"no config file {config}") from None
        except NothingChanged as exc:
            print(f"nothing changed since model {exc}: not retrained (use --force)")
            return 0
        except TrainingBusy as exc:
            raise CliError(f"training {exc} is running: one training at a time") from None
        print(f"training {model.version} started (process {model.version})", flush=True)
        if not args.wait:
            return 0
        while True:
            time.sleep(1.0)
            current = registry.get(model.version)
            assert current is not None
            print(_line(current), flush=True)
            if current.status != "training":
                break
    if current.status == "failed":
        raise CliError(f"training {current.version} failed:\n{current.error}")
    print(f"trained: {current.model_path}")
    return 0


def _register(args: argparse.Namespace) -> int:
    archive = Path(args.archive).resolve()
    config = Path(args.config) if args.config else get_settings().nlu_train_config
    actor = f"cli:{args.by or getpass.getuser()}"
    with _registry() as registry:
        if not args.no_eval:
            print(f"evaluating {archive.name} on {registry.test_file.name} ...", flush=True)
        try:
            model = register_archive(registry, archive, actor, config, not args.no_eval)
        except FileNotFoundError:
            raise CliError(f"no model archive {archive}") from None
        except ValueError as exc:
            raise CliError(str(exc)) from None
    print(f"registered {archive} as {model.version} ({model.kind}): {model.model_path}")
    print(_line(model))
    return 0


def _list(args: argparse.Namespace) -> int:
    with _registry() as registry:
        models = registry.models()
    if args.json:
        print(json.dumps([m.view() for m in models], ensure_ascii=False, indent=2))
        return 0
    for m in models:
        print(_line(m))
        if m.error:
            print("    " + m.error.splitlines()[0])
    if not models:
        print("no models in the registry yet: wecare model train")
    return 0


def _deployer(registry: Registry) -> Deployer:
    settings = get_settings()
    margins = Margins(settings.gate_macro_f1_margin, settings.gate_intent_f1_margin)
    urls = settings.rasa_urls or (settings.rasa_url,)
    return Deployer(registry, urls, settings.rasa_token, margins)  # as bot.console.admin.setup


def _deploy(args: argparse.Namespace) -> int:
    actor = f"cli:{args.by or getpass.getuser()}"
    with _registry() as registry:
        deployer = _deployer(registry)
        try:
            if args.command_name == "rollback":
                result = deployer.rollback(actor)
            else:
                result = deployer.deploy(args.version, actor, override=args.override or "")
        except DeployRefused as exc:
            lines = "\n".join(f"  - {r}" for r in exc.reasons)
            hint = (
                "\n(an admin may override: --override 'REASON', audited)" if exc.overridable else ""
            )
            raise CliError(f"deploy refused:\n{lines}{hint}") from None
        except httpx.HTTPError as exc:
            raise CliError(f"a Rasa server did not load the model: {exc}") from None
    print(
        f"deployed {result.version} (was {result.previous or 'none'}) on {len(result.servers)} "
        f"Rasa server(s): {', '.join(result.servers)}"
    )
    for reason in result.overridden:
        print(f"  gate overridden: {reason}")
    return 0


def _history(args: argparse.Namespace) -> int:
    with _registry() as registry:
        deployer = _deployer(registry)
        history = deployer.history()
        print(f"deployed: {deployer.deployed() or 'none'}")
    for h in history:
        override = f" override: {h['override']}" if h.get("override") else ""
        print(
            f"{h['at'][:19]} {h['action']:<14} {h['from']} -> {h['to']} by {h['actor']}{override}"
        )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``model train|register|list|deploy|rollback|history``."""
    parser = subparsers.add_parser("model", help="model registry: train, register, deploy")
    sub = parser.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    train = sub.add_parser("train", help="train a model in a separate process")
    train.add_argument("--config", default="", help="Rasa pipeline config (NLU_TRAIN_CONFIG)")
    train.add_argument("--nlu-only", action="store_true", help="NLU only (no dialogue)")
    train.add_argument("--force", action="store_true", help="train even if nothing changed")
    train.add_argument("--wait", action="store_true", help="follow the progress until the end")
    train.add_argument("--by", default="", help="who starts it (default: the shell user)")
    train.set_defaults(func=_train)
    reg = sub.add_parser("register", help="register a model trained elsewhere (make train)")
    reg.add_argument("archive", help="a Rasa model archive, e.g. models/wecare.tar.gz")
    reg.add_argument("--config", default="", help="its pipeline config (NLU_TRAIN_CONFIG)")
    reg.add_argument("--no-eval", action="store_true", help="do not evaluate it (gate refuses)")
    reg.add_argument("--by", default="", help="who registers it (default: the shell user)")
    reg.set_defaults(func=_register)
    show = sub.add_parser("list", help="every model: version, status, progress, checksum")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_list)
    deploy = sub.add_parser("deploy", help="deploy a model on every Rasa server (gated)")
    deploy.add_argument("version")
    deploy.add_argument("--override", help="deploy despite the gate: the reason (audited)")
    deploy.add_argument("--by", default="")
    deploy.set_defaults(func=_deploy, command_name="deploy")
    rollback = sub.add_parser("rollback", help="go back to the previously deployed model")
    rollback.add_argument("--by", default="")
    rollback.set_defaults(func=_deploy, command_name="rollback")
    history = sub.add_parser("history", help="deploys and rollbacks (who, when, from, to)")
    history.set_defaults(func=_history)
