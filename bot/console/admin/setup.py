"""Construction of the admin sections and their services (called by ``bot.app``, the CLIs).

The composition root passes the console context and the app database; this module builds the
NLU inbox (:func:`build_inbox`), the model registry with its deployer (:func:`build_deployer`)
and the sections' routers (:func:`admin_sections`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from bot.console.admin.inbox import INBOX, inbox_section
from bot.console.admin.models import MODELS, models_section
from bot.console.admin.sections import AdminSection
from bot.console.admin.shell import AdminPages
from bot.console.auth import Guard
from bot.console.context import ConsoleContext
from bot.nlu_inbox.repo import InboxRepository
from bot.nlu_inbox.service import Inbox
from bot.nlu_inbox.store import InboxStore
from bot.nlu_inbox.tracker import TrackerEvents
from bot.nlu_inbox.training import TrainingData
from bot.nlu_models.deploy import Deployer
from bot.nlu_models.gate import Margins
from bot.nlu_models.registry import Registry
from bot.nlu_models.store import ModelsStore
from wecare.settings import NLU_TRAIN_CONFIG, Settings


def build_inbox(settings: Settings, engine: Engine) -> Inbox:
    """The NLU inbox on the app database ``engine`` (gateway and ``wecare nlu inbox``)."""
    return Inbox(
        InboxRepository(engine),
        TrackerEvents(settings.rasa_tracker_store_url),
        TrainingData(settings.nlu_data_dir, settings.nlu_test_file, settings.nlu_domain),
        threshold=settings.nlu_inbox_threshold,
        retention_days=settings.nlu_inbox_retention_days,
    )


def build_deployer(settings: Settings, engine: Engine) -> Deployer:
    """The model registry and the deployer on the app database ``engine``."""
    registry = Registry.of(settings, engine)
    margins = Margins(settings.gate_macro_f1_margin, settings.gate_intent_f1_margin)
    urls = settings.rasa_urls or (settings.rasa_url,)
    return Deployer(registry, urls, settings.rasa_token, margins)


def admin_sections(
    console: ConsoleContext,
    inbox: Inbox,
    deployer: Deployer,
    others: Sequence[AdminSection] = (),
    train_config: Path = NLU_TRAIN_CONFIG,
) -> list[AdminSection]:
    """The NLU sections of the admin area, each with its router (``others``: for the nav).

    ``train_config``: the pipeline the models page trains (``NLU_TRAIN_CONFIG``).
    """
    pages = AdminPages(console, [*others, INBOX, MODELS])
    admin = Guard(console.accounts, console.clock, ("admin",))
    desk = Guard(console.accounts, console.clock)
    models = ModelsStore(deployer, train_config)
    return [
        inbox_section(console, admin, desk, pages, InboxStore(inbox)),
        models_section(console, admin, pages, models),
    ]
