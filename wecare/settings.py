"""Settings of the app processes (catalog, actions, gateway, channels, consoles).

One place reads the environment; every value has a safe default for the embedded profile
(SQLite files under ``var/``, no external services). See ``.env.example``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: The repository root: the one place it is computed (paths below, ``wecare run``, CLIs).
ROOT = Path(__file__).resolve().parent.parent
#: Generated data of the embedded profile (SQLite files, logs).
VAR_DIR = ROOT / "var"
#: The Rasa domain (responses read by the gateway's safety net).
DOMAIN_DIR = ROOT / "bot" / "domain"
#: The shipped operator hours (a configuration default, not real office hours).
DEFAULT_OPERATOR_HOURS = ROOT / "bot" / "handoff" / "hours.yaml"
#: NLU training data (the NLU inbox writes ``inbox/<intent>.yml`` under it).
NLU_DATA_DIR = ROOT / "nlu" / "data"
#: Models trained by the registry (``wecare model train``, the admin's models page).
NLU_MODELS_DIR = ROOT / "models" / "registry"
#: The held-out NLU split (never written by the inbox).
NLU_TEST_FILE = ROOT / "tests" / "nlu" / "test_nlu.yml"
#: What the registry trains a full model with besides the NLU data (config, dialogue, stories).
NLU_TRAIN_CONFIG = ROOT / "config.yml"
DIALOGUE_DATA_DIR = ROOT / "bot" / "data"
TEST_STORIES_DIR = ROOT / "tests" / "stories"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{VAR_DIR / name}"


@dataclass(frozen=True)
class Settings:
    """Process configuration read from environment variables."""

    env: str
    log_level: str
    database_url: str
    app_database_url: str
    catalog_data_dir: Path
    rasa_url: str
    rasa_token: str
    action_server_port: int
    gateway_host: str
    gateway_port: int
    telegram_bot_token: str
    telegram_api_base_url: str
    telegram_webhook_url: str
    telegram_webhook_secret: str
    secret_key: str
    web_allowed_origins: tuple[str, ...] = ()
    #: Rasa's SQL tracker store (``RASA_TRACKER_STORE_URL``, set by ``wecare run``); the
    #: gateway deletes a conversation's events there (docs/privacy.md). Empty: unknown.
    rasa_tracker_store_url: str = ""
    #: Operator hours of the handoff (``WECARE_OPERATOR_HOURS``; bot/handoff/hours.yaml).
    operator_hours_file: Path = DEFAULT_OPERATOR_HOURS
    #: Catalog records not verified for this many months are listed "da riverificare" in the
    #: admin area and by ``wecare catalog stale`` (``CATALOG_REVERIFY_MONTHS``, default 12).
    catalog_reverify_months: int = 12
    #: ``embedded`` (SQLite, one process of each kind) or ``production`` (``WECARE_PROFILE``:
    #: PostgreSQL, Redis, several Rasa and gateway instances; docs/deploy.md).
    profile: str = "embedded"
    #: Redis (``REDIS_URL``): cross-gateway events and widget delivery, Rasa's lock store.
    redis_url: str = ""
    #: Every Rasa instance (``RASA_URLS``, comma-separated; default ``RASA_URL`` alone). The
    #: gateway routes each conversation to one of them by a hash of the sender.
    rasa_urls: tuple[str, ...] = ()
    #: Name of this gateway instance (``WECARE_INSTANCE``; default ``gateway-<port>``).
    instance: str = ""
    #: Seconds between two attempts at the durable inbox (``INBOX_RETRY_SECONDS``).
    inbox_retry_seconds: float = 5.0
    #: Age after which a message still waiting for Rasa is taken as left by a stopped gateway
    #: and answered late by the durable inbox (``INBOX_ORPHAN_SECONDS``; above the 30 s timeout).
    inbox_orphan_seconds: float = 90.0
    #: Where a gateway keeps citizen messages while the app database is down
    #: (``GATEWAY_SPOOL_DIR``; one ``spool-<instance>.jsonl`` per gateway instance).
    spool_dir: Path = VAR_DIR
    #: NLU inbox: confidence below which a message is "unsure" (``NLU_INBOX_THRESHOLD``).
    nlu_inbox_threshold: float = 0.6
    #: NLU inbox retention in days (``NLU_INBOX_RETENTION_DAYS``; ``wecare privacy purge``).
    nlu_inbox_retention_days: int = 180
    #: Training data written by the inbox (``NLU_DATA_DIR``; tests use a copy).
    nlu_data_dir: Path = NLU_DATA_DIR
    #: Held-out split the inbox checks against (``NLU_TEST_FILE``).
    nlu_test_file: Path = NLU_TEST_FILE
    #: Archives of the model registry (``NLU_MODELS_DIR``).
    nlu_models_dir: Path = NLU_MODELS_DIR
    #: The registry's trainings (the models page, ``wecare model train`` without ``--config``):
    #: pipeline config (``NLU_TRAIN_CONFIG``), domain (``NLU_DOMAIN``), rules and stories
    #: (``NLU_DIALOGUE_DATA``) and the test stories of full models (``NLU_TEST_STORIES``).
    #: The defaults are the production bot's; tests point them at a tiny fixture bot.
    nlu_train_config: Path = NLU_TRAIN_CONFIG
    nlu_domain: Path = DOMAIN_DIR
    nlu_dialogue_data: Path = DIALOGUE_DATA_DIR
    nlu_test_stories: Path = TEST_STORIES_DIR
    #: Evaluation gate: largest macro-F1 drop allowed (``NLU_GATE_MACRO_F1_MARGIN``).
    gate_macro_f1_margin: float = 0.01
    #: Evaluation gate: largest drop of one intent's F1 (``NLU_GATE_INTENT_F1_MARGIN``).
    gate_intent_f1_margin: float = 0.05

    @property
    def production(self) -> bool:
        """True in production mode: minimal logging, never message text at INFO."""
        return self.env == "production"

    @property
    def production_profile(self) -> bool:
        """True with ``WECARE_PROFILE=production`` (servers, several instances)."""
        return self.profile == "production"

    @property
    def rasa_instances(self) -> tuple[str, ...]:
        """The Rasa base URLs the gateway may use (``RASA_URLS``, else ``RASA_URL``)."""
        return self.rasa_urls or (self.rasa_url,)

    @property
    def instance_name(self) -> str:
        """This gateway instance's name (claims of the durable inbox, Redis messages)."""
        return self.instance or f"gateway-{self.gateway_port}"

    def profile_problems(self) -> list[str]:
        """What the production profile lacks (empty in the embedded profile, or when fine)."""
        if not self.production_profile:
            return []
        problems = []
        for name, url in (
            ("DATABASE_URL", self.database_url),
            ("APP_DATABASE_URL", self.app_database_url),
            ("RASA_TRACKER_STORE_URL", self.rasa_tracker_store_url),
        ):
            if not url.startswith("postgresql"):
                problems.append(f"{name} must be a PostgreSQL URL (postgresql+psycopg://...)")
        if not self.redis_url.startswith(("redis://", "rediss://")):
            problems.append("REDIS_URL must be set (redis://host:6379/0)")
        if not self.secret_key:
            problems.append("SECRET_KEY must be set")
        return problems


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings of this process (cached; tests call ``get_settings.cache_clear()``)."""
    return Settings(
        env=_env("WECARE_ENV", "development"),
        log_level=_env("LOG_LEVEL", "INFO"),
        database_url=_env("DATABASE_URL", _sqlite_url("catalog.db")),
        app_database_url=_env("APP_DATABASE_URL", _sqlite_url("app.db")),
        catalog_data_dir=Path(_env("CATALOG_DATA_DIR", str(ROOT / "catalog_data"))),
        rasa_url=_env("RASA_URL", "http://127.0.0.1:5005"),
        rasa_token=_env("RASA_TOKEN", ""),
        action_server_port=int(_env("ACTION_SERVER_PORT", "5055")),
        gateway_host=_env("GATEWAY_HOST", "127.0.0.1"),
        gateway_port=int(_env("GATEWAY_PORT", "8080")),
        telegram_bot_token=_env("TELEGRAM_BOT_TOKEN", ""),
        telegram_api_base_url=_env("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        telegram_webhook_url=_env("TELEGRAM_WEBHOOK_URL", ""),
        telegram_webhook_secret=_env("TELEGRAM_WEBHOOK_SECRET", ""),
        secret_key=_env("SECRET_KEY", ""),
        web_allowed_origins=tuple(
            o.strip().rstrip("/") for o in _env("WEB_ALLOWED_ORIGINS", "").split(",") if o.strip()
        ),
        rasa_tracker_store_url=_env("RASA_TRACKER_STORE_URL", ""),
        operator_hours_file=Path(_env("WECARE_OPERATOR_HOURS", str(DEFAULT_OPERATOR_HOURS))),
        catalog_reverify_months=max(1, int(_env("CATALOG_REVERIFY_MONTHS", "12"))),
        profile=_env("WECARE_PROFILE", "embedded"),
        redis_url=_env("REDIS_URL", ""),
        rasa_urls=tuple(
            u.strip().rstrip("/") for u in _env("RASA_URLS", "").split(",") if u.strip()
        ),
        instance=_env("WECARE_INSTANCE", ""),
        inbox_retry_seconds=float(_env("INBOX_RETRY_SECONDS", "5")),
        inbox_orphan_seconds=float(_env("INBOX_ORPHAN_SECONDS", "90")),
        spool_dir=Path(_env("GATEWAY_SPOOL_DIR", str(VAR_DIR))),
        nlu_inbox_threshold=float(_env("NLU_INBOX_THRESHOLD", "0.6")),
        nlu_inbox_retention_days=int(_env("NLU_INBOX_RETENTION_DAYS", "180")),
        nlu_data_dir=Path(_env("NLU_DATA_DIR", str(NLU_DATA_DIR))),
        nlu_test_file=Path(_env("NLU_TEST_FILE", str(NLU_TEST_FILE))),
        nlu_models_dir=Path(_env("NLU_MODELS_DIR", str(NLU_MODELS_DIR))),
        nlu_train_config=Path(_env("NLU_TRAIN_CONFIG", str(NLU_TRAIN_CONFIG))),
        nlu_domain=Path(_env("NLU_DOMAIN", str(DOMAIN_DIR))),
        nlu_dialogue_data=Path(_env("NLU_DIALOGUE_DATA", str(DIALOGUE_DATA_DIR))),
        nlu_test_stories=Path(_env("NLU_TEST_STORIES", str(TEST_STORIES_DIR))),
        gate_macro_f1_margin=float(_env("NLU_GATE_MACRO_F1_MARGIN", "0.01")),
        gate_intent_f1_margin=float(_env("NLU_GATE_INTENT_F1_MARGIN", "0.05")),
    )
