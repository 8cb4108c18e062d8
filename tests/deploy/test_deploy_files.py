"""deploy/: the compose file, the proxy and the systemd units agree with the code.

Docker cannot run here, so this checks what can go wrong silently: every command the files
start exists in the CLI, ports and instance lists match across services, proxy and units,
and every setting they pass is one the code reads.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from wecare.cli import build_parser
from wecare.settings import ROOT

DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
#: Variables the settings read (``_env("NAME", ...)`` in wecare/settings.py).
SETTINGS_VARS = set(re.findall(r'_env\(\s*"([A-Z_]+)"', (ROOT / "wecare/settings.py").read_text()))
#: Read by deploy/rasa/endpoints.yml or by the postgres image, not by the app.
DEPLOY_VARS = {
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
    "REDIS_HOST",
    "REDIS_PORT",
    "ACTION_SERVER_URL",
}


def _env_example() -> dict[str, str]:
    lines = (DEPLOY / "wecare.env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _option(cmd: list[str], flag: str) -> str:
    return cmd[cmd.index(flag) + 1]


def _by_prefix(prefix: str) -> dict[str, dict]:
    return {name: svc for name, svc in SERVICES.items() if re.fullmatch(rf"{prefix}-\d+", name)}


def test_every_wecare_command_exists_in_the_cli():
    parser = build_parser()
    commands = [svc["command"] for svc in SERVICES.values() if "command" in svc]
    wecare = [cmd for cmd in commands if cmd[0] == ".venv/bin/wecare"]
    assert {tuple(c[1:]) for c in wecare} >= {("db", "migrate"), ("gateway",), ("catalog", "load")}
    for cmd in wecare:
        args = parser.parse_args(cmd[1:])
        assert callable(args.func), cmd


def test_rasa_services_match_the_gateways_rasa_urls():
    rasa = _by_prefix("rasa")
    assert len(rasa) >= 2
    urls = set()
    for name, svc in rasa.items():
        cmd = svc["command"]
        assert cmd[:2] == [".venv-rasa/bin/rasa", "run"]
        for path in (_option(cmd, "--endpoints"), _option(cmd, "--credentials"), "bot/domain"):
            assert (ROOT / path).exists(), path
        assert _option(cmd, "-m") == "models/wecare.tar.gz"  # what scripts/train.sh writes
        urls.add(f"http://{name}:{_option(cmd, '-p')}")
    for name, svc in _by_prefix("gateway").items():
        env = svc["environment"]
        assert set(env["RASA_URLS"].split(",")) == urls, name
        assert env["RASA_URL"] in urls


def test_actions_port_matches_what_rasa_calls():
    cmd = SERVICES["actions"]["command"]
    assert cmd[:4] == [".venv/bin/python", "-m", "rasa_sdk", "--actions"]
    action_url = urlsplit(SERVICES["rasa-1"]["environment"]["ACTION_SERVER_URL"])
    assert action_url.hostname == "actions" and str(action_url.port) == _option(cmd, "-p")
    assert _env_example()["ACTION_SERVER_PORT"] == _option(cmd, "-p")


def test_the_proxy_reaches_every_gateway_on_its_port():
    conf = (DEPLOY / "nginx" / "nginx.conf").read_text(encoding="utf-8")
    upstream = set(re.findall(r"server (gateway-\d+):(\d+);", conf))
    gateways = {
        (name, svc["environment"]["GATEWAY_PORT"]) for name, svc in _by_prefix("gateway").items()
    }
    assert len(gateways) >= 2 and upstream == gateways
    for name, svc in _by_prefix("gateway").items():
        assert svc["environment"]["WECARE_INSTANCE"] == name  # one name per instance
        assert svc["environment"]["GATEWAY_HOST"] == "0.0.0.0"
    assert "/ws/chat" in conf and "/console/ws" in conf and "Upgrade $http_upgrade" in conf
    assert SERVICES["proxy"]["depends_on"] == sorted(n for n, _p in gateways)


def test_every_variable_passed_is_one_the_code_or_the_files_read():
    example = _env_example()
    assert example["WECARE_PROFILE"] == "production"
    passed = set(example)
    for svc in SERVICES.values():
        env = svc.get("environment") or {}
        if svc.get("image", "").startswith("wecare"):
            passed |= set(env)
    assert passed - SETTINGS_VARS <= DEPLOY_VARS, passed - SETTINGS_VARS - DEPLOY_VARS
    endpoints = (DEPLOY / "rasa" / "endpoints.yml").read_text(encoding="utf-8")
    needed = set(re.findall(r"\$\{([A-Z_]+)\}", endpoints))
    rasa_env = set(example) | set(SERVICES["rasa-1"]["environment"])
    assert needed <= rasa_env, needed - rasa_env
    for key in ("DATABASE_URL", "APP_DATABASE_URL"):
        assert example[key].startswith("postgresql+psycopg://")
    assert example["RASA_TRACKER_STORE_URL"].startswith("postgresql://")  # Rasa: psycopg2
    init = (DEPLOY / "postgres" / "init.sql").read_text(encoding="utf-8")
    for key in ("DATABASE_URL", "APP_DATABASE_URL", "RASA_TRACKER_STORE_URL"):
        assert f"CREATE DATABASE {urlsplit(example[key]).path.strip('/')} " in init


def _exec_start(unit: Path) -> list[str]:
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


@pytest.mark.parametrize(
    "unit", sorted((DEPLOY / "systemd").glob("*.service")), ids=lambda p: p.name
)
def test_systemd_units_start_real_commands(unit: Path):
    cmd = _exec_start(unit)
    text = unit.read_text()
    assert "EnvironmentFile=/etc/wecare/wecare.env" in text
    program = cmd[0].removeprefix("/opt/wecare/")
    assert (ROOT / program.split("/bin/")[0]).name in (".venv", ".venv-rasa")
    if program == ".venv/bin/wecare":
        assert callable(build_parser().parse_args(cmd[1:]).func)
    if program == ".venv-rasa/bin/rasa":
        assert (ROOT / _option(cmd, "--endpoints")).exists() and _option(cmd, "-p") == "%i"
    if "gateway" in unit.name:
        assert "GATEWAY_PORT=%i" in text


def test_the_target_starts_what_the_compose_file_runs():
    target = (DEPLOY / "systemd" / "wecare.target").read_text()
    wants = re.search(r"Wants=(.*)", target).group(1).split()
    assert sum(w.startswith("wecare-rasa@") for w in wants) == len(_by_prefix("rasa"))
    assert sum(w.startswith("wecare-gateway@") for w in wants) == len(_by_prefix("gateway"))
    for unit in wants:
        template = re.sub(r"@[^.]+\.", "@.", unit)
        assert (DEPLOY / "systemd" / template).exists(), unit
