"""``wecare operators add|list|disable|enable``."""

from __future__ import annotations

import argparse
import io

import pytest

from bot.console import cli
from bot.console.accounts import AccountRepository
from bot.store import create_store_engine
from wecare import cli as wecare_cli
from wecare.settings import get_settings


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("APP_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_operators_module_is_registered():
    assert "bot.console.cli" in wecare_cli.COMMAND_MODULES


def test_add_list_disable_enable(db, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("una-password-lunga\n"))
    add = ("operators", "add", "mrossi", "--name", "Maria Rossi", "--enti", "ciss38,inrete")
    assert run(*add, "--password-stdin") == 0
    assert "added mrossi" in capsys.readouterr().out
    assert run("operators", "list") == 0
    out = capsys.readouterr().out
    assert "mrossi" in out and "active" in out and "ciss38,inrete" in out and "Maria Rossi" in out
    accounts = AccountRepository(create_store_engine(db))
    [op] = accounts.list()
    assert op.enti == ("ciss38", "inrete") and op.role == "operator"
    stored = (
        accounts.engine.connect().exec_driver_sql("select password_hash from operator").scalar()
    )
    assert stored.startswith("$argon2id$") and "una-password-lunga" not in stored
    assert run("operators", "disable", "mrossi") == 0
    assert "disabled" in capsys.readouterr().out
    assert accounts.list()[0].active is False
    assert run("operators", "enable", "mrossi") == 0
    assert accounts.list()[0].active is True


def test_add_rejects_bad_input(db, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("una-password-lunga\n"))
    assert run("operators", "add", "x", "--enti", "torino", "--password-stdin") == 1
    assert "unknown ente gestore" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("corta\n"))
    assert run("operators", "add", "x", "--enti", "ciss38", "--password-stdin") == 1
    assert "at least" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("una-password-lunga\n"))
    assert run("operators", "add", "x", "--password-stdin") == 1  # operator without enti
    monkeypatch.setattr("sys.stdin", io.StringIO("una-password-lunga\n"))
    assert run("operators", "add", "boss", "--role", "admin", "--password-stdin") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("una-password-lunga\n"))
    assert run("operators", "add", "BOSS", "--role", "admin", "--password-stdin") == 1
    assert "already exists" in capsys.readouterr().err
    assert run("operators", "disable", "ghost") == 1
