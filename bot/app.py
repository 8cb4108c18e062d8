"""The composition root of the gateway: builds every part once and passes each its dependencies.

:func:`build_gateway` makes, in order: the app database (repositories and their async
facades), the event bus with the console hub subscribed, the channels' deliverers, the outbox,
the handoff (citizen side for the router, operator desk for the console), the Rasa client, the
safety net, the erasure, the durable inbox, the router, the console context and — when
``TELEGRAM_BOT_TOKEN`` is set — the Telegram bridge. With ``REDIS_URL`` (production profile)
the event bus and the widget deliverer are the Redis ones (``bot.cluster``), so several
gateway instances act as one; with several ``RASA_URLS`` the Rasa client is a
:class:`~bot.gateway.rasa_client.RasaPool`. In the production profile the schemas are only
checked (``wecare db migrate`` upgrades them), never changed. :func:`create_app` wraps it in
the FastAPI app (``bot.gateway.http``). Nothing is wired afterwards: no module sets another's
attributes.

Arrows: channels (``bot.web``, ``bot.telegram``) and the console → gateway/handoff → store;
the gateway reaches the handoff only through ``bot.gateway.ports.HandoffPort``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher
from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from bot.analytics.recorder import AnalyticsRepository, TurnRecorder
from bot.analytics.service import AnalyticsReports, AnalyticsService
from bot.analytics.tracker import TrackerReader
from bot.cluster.redis_link import RedisEventBus, RedisLink, RedisWebDeliverer
from bot.console.account_store import AccountStore
from bot.console.accounts import AccountRepository
from bot.console.admin.analytics import build_analytics_section
from bot.console.admin.catalog import build_catalog_section
from bot.console.admin.catalog_store import CatalogAdminStore
from bot.console.admin.sections import AdminSection
from bot.console.admin.setup import admin_sections, build_deployer, build_inbox
from bot.console.auth import Guard
from bot.console.context import ConsoleContext
from bot.console.hub import ConsoleHub
from bot.console.setup import load_canned
from bot.gateway.delivery import Deliverer
from bot.gateway.events import EventBus
from bot.gateway.geo import ComuneLocator
from bot.gateway.inbox import DurableInbox, InboxWorker
from bot.gateway.outbox import Outbox
from bot.gateway.rasa_client import RasaClient, RasaPool
from bot.gateway.router import Router
from bot.gateway.safety import SafetyNet, load_fallback_payloads
from bot.gateway.spool import Spool, SpoolDesk
from bot.handoff.citizen import CitizenHandoff
from bot.handoff.context import HandoffContext
from bot.handoff.desk import OperatorDesk
from bot.handoff.desk_repo import DeskRepository
from bot.handoff.enti import EnteDirectory
from bot.handoff.hours import Clock, OperatorHours, system_clock
from bot.handoff.rasa_tracker import RasaTracker
from bot.handoff.repo import HandoffRepository
from bot.handoff.store import DeskStore, HandoffStore
from bot.hsds.routes import build_hsds_router
from bot.nlu_inbox.service import Inbox
from bot.store import ConversationRepository, ConversationStore, create_store_engine
from bot.store.db import prepare_db
from bot.store.deletion import DataEraser, Erasure, TrackerStoreEraser
from bot.store.inbox import InboxRepository, InboxStore
from bot.telegram.channel import TelegramChannel
from bot.telegram.sender import TelegramSender
from bot.texts import Texts, citizen_texts, console_texts
from bot.web.deliverer import WebConnections
from catalog.admin.editor import CatalogEditor
from catalog.db import make_engine, require_current_catalog
from catalog.hsds import HsdsCatalog
from catalog.reference import ente_short_names
from catalog.service import CatalogService
from nlu.risk.detector import default_detector
from wecare.settings import Settings, get_settings


@dataclass(frozen=True)
class Overrides:
    """What tests replace in the composition (None: the real thing from the settings).

    Attributes:
        rasa: Rasa client.
        telegram: start the Telegram bridge (None: when ``telegram_bot_token`` is set).
        clock: current time of the handoff and the console.
        hours: operator hours.
        hasher: Argon2 hasher of the accounts (tests pass cheap parameters).
    """

    rasa: RasaClient | None = None
    telegram: bool | None = None
    clock: Clock | None = None
    hours: OperatorHours | None = None
    hasher: PasswordHasher | None = None


@dataclass(frozen=True)
class Repositories:
    """The synchronous repositories (CLIs and tests; async code uses the facades)."""

    conversations: ConversationRepository
    handoffs: HandoffRepository
    desk: DeskRepository
    accounts: AccountRepository


@dataclass
class Gateway:
    """Everything :func:`build_gateway` made (``app.state.gateway``)."""

    settings: Settings
    repos: Repositories
    conversations: ConversationStore
    outbox: Outbox
    router: Router
    handoff: CitizenHandoff
    desk: OperatorDesk
    console: ConsoleContext
    web: WebConnections
    rasa: RasaClient
    tracker: RasaTracker
    texts: Texts
    inbox: InboxWorker | None = None
    nlu_inbox: Inbox | None = None
    telegram: TelegramChannel | None = None
    admin_sections: list[AdminSection] = field(default_factory=list)
    public_routers: list[APIRouter] = field(default_factory=list)
    redis: RedisLink | None = None
    _engines: list[Engine] = field(default_factory=list)
    _erasure: Erasure | None = None
    _recorder: TurnRecorder | None = None
    _cluster: tuple[RedisEventBus, RedisWebDeliverer] | None = None

    async def start(self) -> None:
        """Start the background parts: Redis subscription, durable inbox, Telegram bridge."""
        if self.redis is not None and self._cluster is not None:
            self.redis.start(*self._cluster)
        if self.inbox is not None:
            self.inbox.start()
        if self.telegram is not None:
            await self.telegram.start()

    async def aclose(self) -> None:
        """Stop the background parts and close every client and engine."""
        if self.inbox is not None:
            await self.inbox.stop()
        if self.telegram is not None:
            await self.telegram.stop()
        if self.redis is not None:
            await self.redis.aclose()
        await self.tracker.aclose()
        await self.rasa.aclose()
        if self._erasure is not None:
            self._erasure.dispose()
        if self._recorder is not None:
            self._recorder.dispose()
        if self.nlu_inbox is not None:
            self.nlu_inbox.tracker.dispose()
        for engine in self._engines:
            engine.dispose()


def _repositories(engine: Engine, hasher: PasswordHasher | None, migrate: bool) -> Repositories:
    # production profile (migrate False): `wecare db migrate` upgrades, the gateway only checks
    prepare_db(engine, migrate)
    return Repositories(
        conversations=ConversationRepository(engine),
        handoffs=HandoffRepository(engine),
        desk=DeskRepository(engine),
        accounts=AccountRepository(engine, hasher),
    )


def _safety_net(settings: Settings, texts: Texts) -> tuple[SafetyNet, Engine]:
    engine = make_engine(settings.database_url)
    if settings.production_profile:
        require_current_catalog(engine)
    catalog = CatalogService(engine)
    return SafetyNet(default_detector(), catalog, load_fallback_payloads(), texts), engine


def build_gateway(settings: Settings, overrides: Overrides | None = None) -> Gateway:
    """Build every part of the gateway (see the module docstring for the order)."""
    over = overrides or Overrides()
    texts, clock = citizen_texts(), over.clock or system_clock
    app_engine = create_store_engine(settings.app_database_url)
    repos = _repositories(app_engine, over.hasher, migrate=not settings.production_profile)
    conversations = ConversationStore(repos.conversations)
    handoffs, notes = HandoffStore(repos.handoffs), DeskStore(repos.desk)
    hub = ConsoleHub(console_texts())
    web = WebConnections()
    redis, cluster = _cluster(settings, hub, web)
    bus: EventBus = cluster[0] if cluster else EventBus([hub.on_event])
    web_deliverer: Deliverer = cluster[1] if cluster else web
    use_telegram = bool(settings.telegram_bot_token) if over.telegram is None else over.telegram
    sender = TelegramSender(conversations, texts) if use_telegram else None
    deliverers: list[Deliverer] = [web_deliverer, *([sender] if sender else [])]
    outbox = Outbox(conversations, bus, deliverers, log_text=not settings.production)
    rasa = over.rasa or _rasa_client(settings)
    route = rasa.order if isinstance(rasa, RasaPool) else None
    tracker = RasaTracker(settings.rasa_url, settings.rasa_token, route=route)
    enti = EnteDirectory(
        ente_short_names(settings.catalog_data_dir), texts.text("handoff.generic_ente")
    )
    ctx = HandoffContext(
        outbox=outbox,
        conversations=conversations,
        handoffs=handoffs,
        desk=notes,
        tracker=tracker,
        hours=over.hours or OperatorHours.load(settings.operator_hours_file),
        enti=enti,
        bus=bus,
        clock=clock,
        texts=texts,
    )
    citizen, desk = CitizenHandoff(ctx), OperatorDesk(ctx)
    safety, catalog_engine = _safety_net(settings, texts)
    tracker_store = TrackerStoreEraser(settings.rasa_tracker_store_url)
    erasure = Erasure(DataEraser(repos.conversations, tracker_store, settings.secret_key))
    recorder = TurnRecorder(
        AnalyticsRepository(app_engine),
        TrackerReader(settings.rasa_tracker_store_url),
    )
    inbox = DurableInbox(
        InboxStore(InboxRepository(app_engine)),
        outbox,
        texts,
        settings.instance_name,
        lookup=tracker.answer_to,
    )
    spool = Spool(settings.spool_dir / f"spool-{settings.instance_name}.jsonl")
    router = Router(
        conversations,
        rasa,
        outbox,
        texts,
        handoff=citizen,
        locator=ComuneLocator.from_catalog_data(settings.catalog_data_dir),
        erasure=erasure,
        safety=safety,
        analytics=recorder,
        inbox=inbox,
        spool=SpoolDesk(spool, outbox, texts, safety),
    )
    worker = InboxWorker(
        inbox,
        rasa.ping,
        router.process_kept,
        settings.inbox_retry_seconds,
        settings.inbox_orphan_seconds,
        drain_spool=lambda: spool.drain(router.replay_spooled),
    )
    console = ConsoleContext(
        accounts=AccountStore(repos.accounts),
        conversations=conversations,
        handoffs=handoffs,
        notes=notes,
        desk=desk,
        hub=hub,
        enti=enti,
        clock=clock,
        texts=hub.texts,
        secure_cookies=settings.env not in ("development", "test"),
        canned=load_canned(),
    )
    telegram = TelegramChannel(settings, sender, router) if sender else None
    catalog_admin = build_catalog_section(
        console,
        CatalogAdminStore(CatalogEditor(catalog_engine)),
        settings.catalog_reverify_months,
    )
    nlu_inbox = build_inbox(settings, app_engine)
    nlu_sections = admin_sections(
        console,
        nlu_inbox,
        build_deployer(settings, app_engine),
        others=[catalog_admin],
        train_config=settings.nlu_train_config,
    )
    reports = AnalyticsReports(AnalyticsService(app_engine, catalog_engine))
    analytics = build_analytics_section(
        console,
        Guard(console.accounts, console.clock),
        reports,
        others=[catalog_admin, *nlu_sections],
    )
    return Gateway(
        settings=settings,
        repos=repos,
        conversations=conversations,
        outbox=outbox,
        router=router,
        handoff=citizen,
        desk=desk,
        console=console,
        web=web,
        rasa=rasa,
        tracker=tracker,
        texts=texts,
        inbox=worker,
        telegram=telegram,
        nlu_inbox=nlu_inbox,
        admin_sections=[catalog_admin, analytics, *nlu_sections],
        public_routers=[build_hsds_router(HsdsCatalog(catalog_engine))],
        redis=redis,
        _engines=[app_engine, catalog_engine],
        _erasure=erasure,
        _recorder=recorder,
        _cluster=cluster,
    )


def _cluster(
    settings: Settings, hub: ConsoleHub, web: WebConnections
) -> tuple[RedisLink | None, tuple[RedisEventBus, RedisWebDeliverer] | None]:
    """The Redis event bus and widget deliverer when ``REDIS_URL`` is set."""
    if not settings.redis_url:
        return None, None
    link = RedisLink(settings.redis_url, settings.instance_name)
    return link, (RedisEventBus(link, [hub.on_event]), RedisWebDeliverer(link, web))


def _rasa_client(settings: Settings) -> RasaClient:
    """One Rasa server, or a pool routing by sender when ``RASA_URLS`` lists several."""
    urls = settings.rasa_instances
    return RasaPool(urls) if len(urls) > 1 else RasaClient(urls[0])


def create_app(
    settings: Settings | None = None,
    *,
    rasa: RasaClient | None = None,
    telegram: bool | None = None,
    clock: Clock | None = None,
    hours: OperatorHours | None = None,
    hasher: PasswordHasher | None = None,
) -> FastAPI:
    """Build the gateway application (serve with uvicorn on port 8080).

    Args:
        settings: process settings (default: :func:`wecare.settings.get_settings`).
        rasa: Rasa client to use (tests); built from ``settings.rasa_url`` when None.
        telegram: start the Telegram bridge; None = when ``telegram_bot_token`` is set.
        clock: current time of the handoff and the console (tests).
        hours: operator hours (tests); default ``settings.operator_hours_file``.
        hasher: Argon2 hasher of the accounts (tests).

    Returns:
        The FastAPI app; ``app.state.gateway`` is the :class:`Gateway`.

    Raises:
        ValueError: production without ``SECRET_KEY``, or a production profile that lacks
            PostgreSQL/Redis settings.
        SchemaOutdated: production profile on an old app database (``wecare db migrate``).
        CatalogSchemaOutdated: the same for the catalog.
    """
    from bot.gateway.http import build_app

    settings = settings or get_settings()
    problems = settings.profile_problems()
    if problems:
        raise ValueError("WECARE_PROFILE=production: " + "; ".join(problems) + " (docs/deploy.md)")
    if settings.production and not settings.secret_key:
        # The deletion audit keys its sender hash with SECRET_KEY: with the public development
        # default, Telegram chat ids could be recovered from the audit by brute force.
        raise ValueError("SECRET_KEY must be set when WECARE_ENV=production (see .env.example)")
    overrides = Overrides(rasa=rasa, telegram=telegram, clock=clock, hours=hours, hasher=hasher)
    return build_app(build_gateway(settings, overrides))
