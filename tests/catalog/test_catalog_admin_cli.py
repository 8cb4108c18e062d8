"""``wecare catalog list|show|edit|create|deactivate|history|stale|expiring``, seed export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from wecare.cli import main

REPO = Path(__file__).resolve().parents[2]
CATALOG_DATA = REPO / "catalog_data"
SERVICE = "ciss38-emergenza-abitativa"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_show_edit_and_history(catalog_url: str, capsys) -> None:
    db = ("--database-url", catalog_url)
    code, out, _ = _run(
        capsys, "catalog", "list", *db, "--search", "abitativa", "--organization", "ciss38"
    )
    assert code == 0 and SERVICE in out and "inrete" not in out
    code, out, _ = _run(capsys, "catalog", "show", SERVICE, *db)
    assert code == 0 and yaml.safe_load(out)["organization"] == "ciss38"
    code, _, err = _run(
        capsys,
        "catalog",
        "edit",
        SERVICE,
        *db,
        "--set",
        "url=https://www.ciss38.it/casa",
        "--set",
        "documents=[ISEE, lettera di sfratto]",
        "--by",
        "mario",
    )
    assert code == 0, err
    code, out, _ = _run(capsys, "catalog", "show", SERVICE, *db, "--json")
    record = json.loads(out)
    assert record["url"] == "https://www.ciss38.it/casa"
    assert record["documents"] == ["ISEE", "lettera di sfratto"]
    code, out, _ = _run(capsys, "catalog", "history", SERVICE, *db)
    assert code == 0 and "update da cli:mario" in out and "https://www.ciss38.it/casa" in out


def test_bad_values_are_explained_in_italian(catalog_url: str, capsys) -> None:
    db = ("--database-url", catalog_url)
    code, _, err = _run(
        capsys,
        "catalog",
        "edit",
        SERVICE,
        *db,
        "--set",
        "url=ciss38",
        "--set",
        "contacts={phone: 'chiamare'}",
        "--by",
        "mario",
    )
    assert code == 1
    assert "indirizzo web non valido" in err and "numero di telefono non valido" in err
    assert "Traceback" not in err
    code, _, err = _run(capsys, "catalog", "show", "non-esiste", *db)
    assert code == 1 and "non trovato" in err
    code, _, err = _run(capsys, "catalog", "edit", SERVICE, *db, "--by", "mario")
    assert code == 1 and "nothing to write" in err


def test_create_deactivate_expiring_and_stale(catalog_url: str, capsys, tmp_path: Path) -> None:
    from datetime import date, timedelta

    db = ("--database-url", catalog_url)
    soon = date.today() + timedelta(days=5)
    record = {
        "id": "ciss38-corso-cli",
        "title": "Corso creato da CLI",
        "kind": "corso",
        "category": "employment",
        "organization": "ciss38",
        "summary": "Corso gratuito.",
        "valid_from": date.today() - timedelta(days=1),
        "valid_to": soon,
        "area": {"enti_gestori": ["ciss38"]},
        "source": "Volantino",
        "confidence": "high",
        "verified": True,
        "last_verified": date.today(),
    }
    path = tmp_path / "opportunity.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    code, _, err = _run(
        capsys,
        "catalog",
        "create",
        "--kind",
        "opportunity",
        "--file",
        str(path),
        *db,
        "--by",
        "ada",
    )
    assert code == 0, err
    code, out, _ = _run(capsys, "catalog", "expiring", *db, "--json")
    assert "ciss38-corso-cli" in [r["id"] for r in json.loads(out)]
    code, out, _ = _run(capsys, "catalog", "stale", *db, "--json")
    stale = {r["id"] for r in json.loads(out)}
    assert SERVICE in stale and "ciss38-corso-cli" not in stale
    code, _, _ = _run(
        capsys,
        "catalog",
        "deactivate",
        "ciss38-corso-cli",
        "--kind",
        "opportunity",
        *db,
        "--by",
        "ada",
    )
    assert code == 0
    code, out, _ = _run(capsys, "catalog", "expiring", *db, "--json")
    assert "ciss38-corso-cli" not in [r["id"] for r in json.loads(out)]


def test_export_seed_then_load_gives_the_same_catalog(
    catalog_url: str, capsys, tmp_path: Path
) -> None:
    db = ("--database-url", catalog_url)
    _run(
        capsys,
        "catalog",
        "edit",
        SERVICE,
        *db,
        "--set",
        "cost=gratuito per ISEE sotto 6000 euro",
        "--by",
        "ada",
    )
    out_dir = tmp_path / "seed"
    code, _, err = _run(capsys, "catalog", "export", *db, "--format", "seed", "--out", str(out_dir))
    assert code == 0 and "seed format" in err
    code, out, _ = _run(capsys, "catalog", "validate", "--data-dir", str(out_dir))
    assert code == 0 and "ok:" in out
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    assert (
        _run(capsys, "catalog", "load", "--database-url", copy, "--data-dir", str(out_dir))[0] == 0
    )
    code, a, _ = _run(capsys, "catalog", "export", *db)
    code, b, _ = _run(capsys, "catalog", "export", "--database-url", copy)
    left, right = json.loads(a), json.loads(b)
    for data in (left, right):
        for loc in data["locations"]:
            loc.pop("id")
    assert left == right
    code, _, err = _run(capsys, "catalog", "export", *db, "--format", "seed")
    assert code == 1 and "--out" in err
    # Loading the seed files again puts their values back, and says so first.
    code, _, err = _run(capsys, "catalog", "load", *db, "--data-dir", str(CATALOG_DATA))
    assert code == 0 and "1 record(s) were edited" in err
    code, out, _ = _run(capsys, "catalog", "show", SERVICE, *db, "--json")
    assert json.loads(out)["cost"] != "gratuito per ISEE sotto 6000 euro"
