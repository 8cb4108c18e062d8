"""``wecare catalog``: load/search/export/validate, clear errors and exit codes, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wecare.cli import main

REPO = Path(__file__).resolve().parents[2]
CATALOG_DATA = REPO / "catalog_data"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'catalog.db'}"
    assert main(["catalog", "load", "--database-url", url, "--data-dir", str(CATALOG_DATA)]) == 0
    return url


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_load_is_idempotent_and_reports(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "catalog", "load", "--database-url", db_url)
    assert code == 0
    assert "nothing changed" in out and "171 unchanged" in out
    code, out, _ = _run(capsys, "catalog", "load", "--reset", "--database-url", db_url)
    assert code == 0 and "reset" in out and "171 added" in out


def test_search_json(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "catalog", "search", "--database-url", db_url,
        "--comune", "cuorgne", "--category", "housing", "--json",
    )  # fmt: skip
    assert code == 0
    items = json.loads(out)
    assert items[0]["provider"] == {
        "id": "ciss38",
        "name": "C.I.S.S. 38 – Consorzio Intercomunale dei Servizi Socio Assistenziali",
        # the confirmed contacts of the ente gestore that provides the service
        "contacts": {
            "address": "Via Ivrea 100, 10082 Cuorgnè (TO)",
            "phone": "0124/657931",
            "website": "http://www.ciss38.it",
        },
    }
    for item in items:
        assert {"id", "name", "category", "provider", "verified", "scope"} <= set(item)
    scopes = [i["scope"] for i in items]
    assert scopes[0] == "local" and "regional" in scopes and "national" in scopes


def test_search_text_output_and_filters(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "catalog", "search", "--database-url", db_url, "--comune", "10082",
        "--category", "elderly_care", "--target-group", "anziani", "--age", "80", "--page", "1",
    )  # fmt: skip
    assert code == 0 and "Cuorgnè" in out and "[local]" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--comune", "Torino"], "outside the ASL TO4 area"),
        (["--comune", "cuorgnee"], "did you mean: Cuorgnè"),
        (["--comune", "10020"], "CAP 10020 is shared by"),
        (["--category", "casa"], "unknown category: 'casa'"),
        (["--target-group", "pensionati"], "unknown target group"),
    ],
)
def test_search_errors_are_one_line_without_traceback(
    db_url: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = _run(capsys, "catalog", "search", "--database-url", db_url, *args)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_search_on_an_empty_database_says_to_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    code, _, err = _run(capsys, "catalog", "search", "--database-url", url, "--comune", "Ivrea")
    assert code == 1 and "wecare catalog load" in err


def test_export_hsds_json_and_csv(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "catalog.json"
    code, _, _ = _run(capsys, "catalog", "export", "--database-url", db_url, "--out", str(out_file))
    assert code == 0
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert len(data["comuni"]) == 171 and len(data["enti_gestori"]) == 7
    service = next(s for s in data["services"] if s["id"] == "ciss38-emergenza-abitativa")
    assert service["service_areas"] == [{"scope": "ente_gestore", "value": "ciss38"}]
    assert service["required_documents"]
    code, out, _ = _run(capsys, "catalog", "export", "--database-url", db_url, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == len(data["services"])
    assert {r["id"] for r in rows} == {s["id"] for s in data["services"]}


def test_validate_ok_and_bad(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "catalog", "validate", "--data-dir", str(CATALOG_DATA))
    assert code == 0 and out.startswith("ok: 171 comuni")
    bad = tmp_path / "data"
    import shutil

    shutil.copytree(CATALOG_DATA, bad)
    path = bad / "services" / "national.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("category: economic_support", "category: x", 1),
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "catalog", "validate", "--data-dir", str(bad))
    assert code == 1
    assert "services/national.yaml:" in err and "category 'x'" in err and "Traceback" not in err
    code, _, err = _run(
        capsys, "catalog", "load", "--database-url", f"sqlite:///{tmp_path / 'x.db'}",
        "--data-dir", str(bad),
    )  # fmt: skip
    assert code == 1 and err.startswith("error: invalid seed files") and "national.yaml:" in err


def test_console_script_end_to_end(tmp_path: Path) -> None:
    """The "done" check of issue 2 through a real process (what the ``wecare`` script runs)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.db'}"}
    env["CATALOG_DATA_DIR"] = str(CATALOG_DATA)
    # Not ``-m wecare.cli``: that would load the module twice (``__main__`` and ``wecare.cli``).
    script = "import sys; from wecare.cli import main; sys.exit(main())"
    cmd = [sys.executable, "-c", script, "catalog"]
    load = subprocess.run([*cmd, "load"], env=env, capture_output=True, text=True, timeout=120)
    assert load.returncode == 0, load.stderr
    search = subprocess.run(
        [*cmd, "search", "--comune", "cuorgne", "--category", "housing", "--json"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert search.returncode == 0, search.stderr
    items = json.loads(search.stdout)
    assert items[0]["provider"]["id"] == "ciss38"
    bad = subprocess.run(
        [*cmd, "search", "--comune", "Torino"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
