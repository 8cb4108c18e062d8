"""``wecare run --rasa-instances N --gateways M``: ports, environment, Redis lock store."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import yaml

from wecare.cli import CliError, build_parser
from wecare.endpoints import lock_store_config, rasa_tracker_url, render_endpoints
from wecare.run import Stack, run_stack


def _stack(tmp_path: Path, **kwargs) -> Stack:
    return Stack(
        rasa_port=6005,
        action_port=6055,
        gateway_port=6080,
        token="t",
        log_dir=tmp_path / "logs",
        tracker_store_url="postgresql+psycopg://u:p@db:5432/tracker",
        **kwargs,
    )


def test_n_rasa_and_m_gateways_on_consecutive_ports(tmp_path):
    stack = _stack(tmp_path, rasa_instances=3, gateways=2, redis_url="redis://:pw@cache:6390/2")
    specs = {spec.name: spec for spec in stack.specs()}
    assert list(specs) == ["rasa-1", "rasa-2", "rasa-3", "actions", "gateway-1", "gateway-2"]
    for n, port in ((1, 6005), (2, 6006), (3, 6007)):
        cmd = specs[f"rasa-{n}"].cmd
        assert cmd[cmd.index("-p") + 1] == str(port)
        assert cmd[cmd.index("--endpoints") + 1] == str(stack.endpoints_file())
    assert specs["gateway-2"].env == {"GATEWAY_PORT": "6081", "WECARE_INSTANCE": "gateway-2"}
    assert specs["gateway-2"].health_url == "http://127.0.0.1:6081/healthz"
    env = stack.child_env()
    assert env["RASA_URLS"].split(",") == [f"http://127.0.0.1:{p}" for p in (6005, 6006, 6007)]
    assert env["REDIS_URL"] == "redis://:pw@cache:6390/2"
    assert env["RASA_TRACKER_STORE_URL"] == "postgresql://u:p@db:5432/tracker"  # psycopg2


def test_one_of_each_keeps_the_embedded_names_and_endpoints(tmp_path):
    stack = _stack(tmp_path)
    assert [s.name for s in stack.specs()] == ["rasa", "actions", "gateway"]
    assert stack.endpoints_file().name == "endpoints.yml"
    assert "RASA_URLS" not in stack.child_env()


def test_the_generated_endpoints_add_the_redis_lock_store(tmp_path):
    config = yaml.safe_load(render_endpoints("redis://:s3cret@cache:6390/2"))
    assert config["lock_store"] == {
        "type": "redis",
        "url": "cache",
        "port": 6390,
        "db": 3,
        "key_prefix": "wecare",
        "password": "s3cret",
    }
    assert config["tracker_store"]["type"] == "bot.rasa_server.tracker_store.CachedSQLTrackerStore"
    assert "${ACTION_SERVER_PORT}" in render_endpoints("redis://cache")
    assert lock_store_config("rediss://cache")["use_ssl"] is True
    with pytest.raises(ValueError, match="REDIS_URL must look like"):
        lock_store_config("http://cache")
    assert rasa_tracker_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_generated_endpoints_are_written_private(tmp_path):
    stack = _stack(tmp_path, rasa_instances=2, redis_url="redis://:pw@cache:6390/0")
    from wecare.endpoints import write_endpoints

    path = write_endpoints(stack.endpoints_file(), stack.redis_url)
    assert path.stat().st_mode & 0o077 == 0
    assert "lock_store" in path.read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--rasa-instances", "2"], "several Rasa instances need a shared lock store"),
        (["run", "--gateways", "2"], "several gateways deliver to each other through Redis"),
        (["run", "--gateways", "0"], "at least 1"),
    ],
)
def test_several_instances_without_redis_are_refused(argv, message, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("WECARE_PROFILE", raising=False)
    from wecare.settings import get_settings

    get_settings.cache_clear()
    args = build_parser().parse_args(argv)
    assert isinstance(args, argparse.Namespace)
    with pytest.raises(CliError, match=message):
        run_stack(args)
    get_settings.cache_clear()


def test_the_production_profile_is_checked_before_anything_starts(monkeypatch):
    monkeypatch.setenv("WECARE_PROFILE", "production")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("APP_DATABASE_URL", raising=False)
    from wecare.settings import get_settings

    get_settings.cache_clear()
    with pytest.raises(CliError, match="APP_DATABASE_URL must be a PostgreSQL URL"):
        run_stack(build_parser().parse_args(["run"]))
    get_settings.cache_clear()


def test_a_token_that_begins_with_a_dash_reaches_rasa_as_the_token(tmp_path):
    """token_urlsafe begins with "-" once in 32: Rasa's argparse must not read it as an option."""
    stack = Stack(
        rasa_port=6005, action_port=6055, gateway_port=None, token="-Ab_9", log_dir=tmp_path
    )
    (spec,) = [s for s in stack.specs() if s.name == "rasa"]
    parser = argparse.ArgumentParser()  # the options of `rasa run` that the command uses
    parser.add_argument("run")
    for option in ("-t/--auth-token", "--endpoints", "--credentials", "-m", "-p", "-i"):
        parser.add_argument(*option.split("/"))
    parser.add_argument("--enable-api", action="store_true")
    assert parser.parse_args(spec.cmd[1:]).auth_token == "-Ab_9"
    assert spec.health_url.endswith("/status?token=-Ab_9")
