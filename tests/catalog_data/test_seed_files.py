"""Checks on the human-edited seed files in ``catalog_data/``.

Pure PyYAML/csv: these tests do not import the catalog loader, so they describe the data
contract of ``docs/contracts.md`` independently of the code that loads it.
"""

from __future__ import annotations

import csv
import re
import string
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "catalog_data"
SERVICES_DIR = DATA / "services"
# The shared fact files live next to the repository (../shared/data); the tests that need them
# skip when the folder is missing (e.g. a fresh clone in CI).
SHARED_DATA = REPO.parent / "shared" / "data"

CATEGORIES = {
    "economic_support",
    "housing",
    "employment",
    "family_minors",
    "elderly_care",
    "disability",
    "violence",
    "health",
    "social_inclusion",
}
TARGET_GROUPS = {
    "minori",
    "famiglie",
    "anziani",
    "disabili",
    "donne",
    "giovani",
    "stranieri",
    "adulti",
}
ENTE_IDS = {
    "cis_cirie",
    "ciss38",
    "inrete",
    "cissac",
    "unione_net",
    "ciss_chivasso",
    "cisa_gassino",
}
DISTRETTI = {21, 22, 23, 24}
CONFIDENCE = {"high", "medium", "low"}
ORG_KINDS = {"ente_gestore", "asl", "inps", "regione", "job_centre", "third_sector", "other"}
OPPORTUNITY_KINDS = {"bando", "corso", "evento", "tirocinio", "misura"}
PLACEHOLDERS = {"ente_name", "ente_short"}

SERVICE_KEYS_REQUIRED = {
    "id",
    "name",
    "organization",
    "category",
    "target_groups",
    "summary",
    "how_to_apply",
    "keywords",
    "area",
    "status",
    "verified",
    "confidence",
    "source",
}
SERVICE_KEYS_ALLOWED = SERVICE_KEYS_REQUIRED | {
    "extra_categories",
    "description",
    "eligibility",
    "min_age",
    "max_age",
    "documents",
    "cost",
    "url",
    "contacts",
    "helpline",
    "last_verified",
}
TEMPLATE_FORBIDDEN_KEYS = {"id", "organization", "area"}
ENTE_KEYS = {
    "id",
    "name",
    "short_name",
    "legal_form",
    "distretto",
    "seat_comune",
    "contacts",
    "verified",
    "confidence",
    "source",
    "notes",
    "offices",
}
OFFICE_KEYS = {"name", "comune", "address", "notes", "source", "confidence"}
ENTE_CONTACT_KEYS = {"kind", "label", "value", "confidence", "last_verified", "source"}
ENTE_CONTACT_KINDS = {"address", "phone", "fax", "email", "pec", "website"}
# What the sources support (../shared/data/territorio_verificato.md, [V]): kinds per ente.
EXPECTED_ENTE_CONTACTS = {
    "cis_cirie": ["address", "phone", "fax", "website"],
    "ciss38": ["address", "phone", "phone", "website"],
    "inrete": ["address", "phone", "fax", "email", "pec"],
    "cissac": ["address"],
    "unione_net": [],
    "ciss_chivasso": ["website"],
    "cisa_gassino": [],
}
ORG_KEYS = {"id", "name", "kind", "website", "description", "verified", "confidence", "source"}
OPPORTUNITY_KEYS = {
    "id",
    "title",
    "kind",
    "category",
    "organization",
    "summary",
    "url",
    "valid_from",
    "valid_to",
    "area",
    "verified",
    "confidence",
    "source",
}
HELPLINE_KEYS = {"number", "label", "emergency_rank", "self_harm_rank", "for_minors", "hours"}

# Every phone number allowed anywhere in catalog_data. Each one must appear verbatim in the
# shared fact files (checked below when they are available): nothing else may be added.
PHONE_ALLOW_LIST = {
    "011 9176666",
    "1522",
    "112",
    "114",
    "118",
    "19696",
    "02 2327 2327",
    # enti gestori (letterheads of 2021-2022, territorio_verificato.md)
    "011 921.28.96",
    "011 920.60.42",
    "0124/657931",
    "0124/651796",
    "0125-646111",
    "0125-646190",
    # Uscire dal Silenzio, Settimo T.se (toll-free number on the Comune's posters)
    "800688820",
}

# Phone-like digit runs in free text: Italian landlines (0...), mobiles (3...), toll-free and
# short national numbers (1xx, 1xxxx, 116 117, 800...).
PHONE_IN_TEXT = re.compile(
    r"(?<![\w.,/€-])"
    r"(?:\+39[ ]?)?"
    r"(0\d{1,3}(?:[ .-]?\d{2,4}){1,3}|3\d{2}(?:[ .-]?\d{3,4}){1,2}|800(?:[ .-]?\d{3}){2}"
    r"|1\d{2}(?:[ ]\d{3})?|1\d{4})"
    r"(?![\w.,/€%-])"
)
# Digit runs that look like phones but are years or CAP codes (checked separately).
_YEAR = re.compile(r"^(19|20)\d\d$")
# Words before a number that make it a law/act number rather than a phone ("legge 104").
# A number right after a site name is the id of an article in a source ("giornalelavoce.it
# 329641").
_NOT_A_PHONE_BEFORE = re.compile(
    r"(\b(legge|l\.|n\.|art\.|dgr|d\.l\.|messaggio)|\+|\.(it|com|org|net))\s*$", re.IGNORECASE
)
_NOT_A_PHONE_AFTER = re.compile(r"^\s*(€|euro|%|abitanti|mesi|anni|comuni)", re.IGNORECASE)


# Bare numbers that citizens use as words: "104" is the disability law (keyword).
_NOT_A_PHONE_TOKENS = {"104"}


def _is_not_a_phone(text: str, match: re.Match[str]) -> bool:
    """Amounts, law numbers and counts that the phone pattern would otherwise catch."""
    if match.group(1) in _NOT_A_PHONE_TOKENS:
        return True
    before = text[max(0, match.start() - 12) : match.start()]
    after = text[match.end() : match.end() + 12]
    return bool(_NOT_A_PHONE_BEFORE.search(before) or _NOT_A_PHONE_AFTER.match(after))


def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _asl_to4_comuni() -> set[str]:
    """Names of the ASL TO4 comuni: catalog_data/comuni.csv, else the shared CSV."""
    own = DATA / "comuni.csv"
    if own.exists():
        with own.open(encoding="utf-8", newline="") as handle:
            return {row["name"] for row in csv.DictReader(handle)}
    shared = SHARED_DATA / "comuni_asl_to4.csv"
    if shared.exists():
        with shared.open(encoding="utf-8", newline="") as handle:
            return {row["comune"] for row in csv.DictReader(handle)}
    pytest.skip("no list of ASL TO4 comuni available")
    return set()


def _enti() -> list[dict[str, Any]]:
    return _load_yaml(DATA / "enti_gestori.yaml")


def _organizations() -> list[dict[str, Any]]:
    return _load_yaml(DATA / "organizations.yaml")


def _service_files() -> list[Path]:
    return sorted(p for p in SERVICES_DIR.glob("*.yaml") if p.name != "standard_ente_gestore.yaml")


def _services() -> list[dict[str, Any]]:
    services: list[dict[str, Any]] = []
    for path in _service_files():
        services.extend(_load_yaml(path)["services"])
    return services


def _templates() -> list[dict[str, Any]]:
    return _load_yaml(SERVICES_DIR / "standard_ente_gestore.yaml")["templates"]


def _opportunities() -> list[dict[str, Any]]:
    return _load_yaml(DATA / "opportunities.yaml")["opportunities"]


def _fill(value: Any, ente: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(ente_name=ente["name"], ente_short=ente["short_name"])
    if isinstance(value, list):
        return [_fill(item, ente) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, ente) for key, item in value.items()}
    return value


def _instantiated_templates() -> list[dict[str, Any]]:
    """Templates expanded for every ente gestore, the way docs/contracts.md describes."""
    out = []
    for ente in _enti():
        for template in _templates():
            record = _fill({k: v for k, v in template.items() if k != "slug"}, ente)
            record["id"] = f"{ente['id']}-{template['slug']}"
            record["organization"] = ente["id"]
            record["area"] = {"enti_gestori": [ente["id"]]}
            record["verified"] = False
            out.append(record)
    return out


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _all_records() -> Iterator[tuple[str, Any]]:
    yield "enti_gestori.yaml", _enti()
    yield "organizations.yaml", _organizations()
    for path in sorted(SERVICES_DIR.glob("*.yaml")):
        yield f"services/{path.name}", _load_yaml(path)
    yield "opportunities.yaml", _opportunities()
    with (DATA / "comuni_fuori_area.csv").open(encoding="utf-8", newline="") as handle:
        yield "comuni_fuori_area.csv", list(csv.DictReader(handle))


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


# --- parsing and structure ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    sorted(DATA.glob("*.yaml")) + sorted(SERVICES_DIR.glob("*.yaml")),
    ids=lambda p: p.relative_to(DATA).as_posix(),
)
def test_every_yaml_file_parses(path: Path) -> None:
    data = _load_yaml(path)
    assert data, f"{path} is empty"


def test_service_files_have_the_right_top_level_key() -> None:
    for path in _service_files():
        data = _load_yaml(path)
        assert set(data) == {"services"}, path.name
        assert isinstance(data["services"], list) and data["services"], path.name
    assert set(_load_yaml(SERVICES_DIR / "standard_ente_gestore.yaml")) == {"templates"}
    assert set(_load_yaml(DATA / "opportunities.yaml")) == {"opportunities"}


def test_ids_are_unique_everywhere() -> None:
    ente_ids = [e["id"] for e in _enti()]
    org_ids = [o["id"] for o in _organizations()]
    service_ids = [s["id"] for s in _services()] + [s["id"] for s in _instantiated_templates()]
    opportunity_ids = [o["id"] for o in _opportunities()]
    for label, ids in (
        ("organizations+enti", ente_ids + org_ids),
        ("services", service_ids),
        ("opportunities", opportunity_ids),
    ):
        duplicates = [i for i, n in Counter(ids).items() if n > 1]
        assert not duplicates, f"duplicate {label} ids: {duplicates}"
    slugs = [t["slug"] for t in _templates()]
    assert len(slugs) == len(set(slugs))
    for sid in service_ids + opportunity_ids:
        assert re.fullmatch(r"[a-z0-9_]+(-[a-z0-9_]+)*", sid), sid


# --- enti gestori and organizations ---------------------------------------------------------


def test_enti_gestori() -> None:
    enti = _enti()
    assert {e["id"] for e in enti} == ENTE_IDS
    comuni = _asl_to4_comuni()
    for ente in enti:
        assert set(ente) == ENTE_KEYS, ente["id"]
        assert ente["distretto"] in DISTRETTI
        assert ente["confidence"] in CONFIDENCE
        assert isinstance(ente["verified"], bool)
        assert ente["source"].strip()
        assert ente["seat_comune"] in comuni, ente["seat_comune"]
        if ente["confidence"] == "low":
            assert ente["notes"].strip(), f"{ente['id']}: low confidence needs a note"
        for office in ente["offices"]:
            assert set(office) == OFFICE_KEYS, office
            assert office["comune"] in comuni, office["comune"]
            assert office["confidence"] in CONFIDENCE
            assert office["source"].strip()


def test_ente_contacts_are_the_ones_the_sources_give() -> None:
    got = {e["id"]: [c["kind"] for c in e["contacts"]] for e in _enti()}
    assert got == EXPECTED_ENTE_CONTACTS
    for ente in _enti():
        for contact in ente["contacts"]:
            where = f"{ente['id']}: {contact['value']}"
            assert set(contact) == ENTE_CONTACT_KEYS, where
            assert contact["kind"] in ENTE_CONTACT_KINDS, where
            assert contact["confidence"] in CONFIDENCE, where
            assert isinstance(contact["value"], str) and contact["value"].strip(), where
            assert str(contact["source"]).strip(), where
            last = contact["last_verified"]
            assert last is None or isinstance(last, date), where
            if contact["kind"] == "website":
                assert contact["value"].startswith(("https://", "http://")), where


def _folded(text: str) -> str:
    text = re.sub(r"\bn\.\s*", "", text.lower())
    return re.sub(r"\s+", " ", re.sub(r"[,–-]", " ", text)).strip()


def test_ente_contacts_appear_in_the_fact_files() -> None:
    """Never invent a contact: each value (an address: its street and number) is in the facts."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared fact files not available at {SHARED_DATA}")
    facts = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SHARED_DATA.glob("*.md")))
    folded = _folded(facts)
    for ente in _enti():
        for contact in ente["contacts"]:
            value, kind = contact["value"], contact["kind"]
            if kind == "address":
                street = value.split(",")[0]
                assert _folded(street) in folded, f"{ente['id']}: {street!r} not in the facts"
            elif kind == "website":
                host = re.sub(r"^https?://", "", value).rstrip("/")
                assert host in facts, f"{ente['id']}: {host!r} not in the facts"
            else:
                assert value in facts, f"{ente['id']}: {value!r} not in the facts"


def test_distretti_of_enti_match_the_spec() -> None:
    expected = {
        "cis_cirie": 21,
        "ciss_chivasso": 22,
        "cisa_gassino": 22,
        "unione_net": 23,
        "inrete": 24,
        "ciss38": 24,
        "cissac": 24,
    }
    assert {e["id"]: e["distretto"] for e in _enti()} == expected


def test_organizations() -> None:
    for org in _organizations():
        assert set(org) == ORG_KEYS, org["id"]
        assert org["kind"] in ORG_KINDS
        assert org["kind"] != "ente_gestore", "enti gestori belong in enti_gestori.yaml"
        assert org["confidence"] in CONFIDENCE
        assert isinstance(org["verified"], bool)
        assert org["source"].strip()
        assert org["id"] not in ENTE_IDS


# --- services -------------------------------------------------------------------------------


def _check_area(area: dict[str, Any], comuni: set[str], where: str) -> None:
    assert isinstance(area, dict) and len(area) == 1, f"{where}: area must have exactly one key"
    ((key, value),) = area.items()
    if key == "national":
        assert value is True, where
    elif key == "region":
        assert value == "piemonte", where
    elif key == "asl":
        assert value == "to4", where
    elif key == "distretti":
        assert value and set(value) <= DISTRETTI, where
    elif key == "enti_gestori":
        assert value and set(value) <= ENTE_IDS, where
    elif key == "comuni":
        assert value and set(value) <= comuni, f"{where}: unknown comuni {set(value) - comuni}"
    else:
        raise AssertionError(f"{where}: unknown area key {key}")


def _check_service_body(service: dict[str, Any], where: str) -> None:
    assert service["category"] in CATEGORIES, where
    extra = service.get("extra_categories") or []
    assert set(extra) <= CATEGORIES, where
    assert service["category"] not in extra, f"{where}: primary category repeated in extra"
    assert service["target_groups"] and set(service["target_groups"]) <= TARGET_GROUPS, where
    assert service["status"] in {"active", "inactive"}, where
    assert service["confidence"] in CONFIDENCE, where
    assert isinstance(service["verified"], bool), where
    assert str(service["source"]).strip(), where
    assert service["summary"].strip() and service["how_to_apply"].strip(), where
    assert service["keywords"] and all(isinstance(k, str) and k for k in service["keywords"]), where
    for age_key in ("min_age", "max_age"):
        assert service.get(age_key) is None or isinstance(service[age_key], int), where
    if service.get("min_age") is not None and service.get("max_age") is not None:
        assert service["min_age"] <= service["max_age"], where
    assert isinstance(service.get("documents", []), list), where
    contacts = service.get("contacts") or {}
    assert set(contacts) <= {"phone", "email", "website"}, where
    assert "email" not in contacts, f"{where}: no verified e-mail exists in the fact files"
    last = service.get("last_verified")
    assert last is None or isinstance(last, date), where


def test_services_follow_the_contract() -> None:
    comuni = _asl_to4_comuni()
    org_ids = {o["id"] for o in _organizations()} | ENTE_IDS
    for service in _services():
        where = service.get("id", "?")
        keys = set(service)
        assert SERVICE_KEYS_REQUIRED <= keys, f"{where}: missing {SERVICE_KEYS_REQUIRED - keys}"
        assert keys <= SERVICE_KEYS_ALLOWED, f"{where}: unknown keys {keys - SERVICE_KEYS_ALLOWED}"
        assert service["organization"] in org_ids, where
        _check_area(service["area"], comuni, where)
        _check_service_body(service, where)


def test_templates_follow_the_contract() -> None:
    allowed = (SERVICE_KEYS_ALLOWED - TEMPLATE_FORBIDDEN_KEYS) | {"slug"}
    formatter = string.Formatter()
    for template in _templates():
        where = template.get("slug", "?")
        keys = set(template)
        assert not keys & TEMPLATE_FORBIDDEN_KEYS, where
        assert keys <= allowed, f"{where}: unknown keys {keys - allowed}"
        assert template["verified"] is False and template["confidence"] == "low", where
        assert "L.R. 1/2004" in template["source"] and "non verificato" in template["source"], where
        assert not template.get("contacts"), f"{where}: templates carry no contacts"
        for text in _strings(template):
            fields = {name for _, name, _, _ in formatter.parse(text) if name is not None}
            assert fields <= PLACEHOLDERS, f"{where}: unknown placeholder in {text!r}"
        assert "{ente_short}" in template["name"], f"{where}: name must say which ente"
    for record in _instantiated_templates():
        _check_service_body(record, record["id"])


def test_every_ente_has_local_services_for_every_category() -> None:
    local: dict[str, set[str]] = {ente: set() for ente in ENTE_IDS}
    for service in _services() + _instantiated_templates():
        for ente in service["area"].get("enti_gestori", []):
            local[ente].add(service["category"])
    for ente, categories in local.items():
        assert categories == CATEGORIES, f"{ente}: missing {CATEGORIES - categories}"


def test_cuorgne_housing_has_a_ciss38_service() -> None:
    housing = [
        s
        for s in _instantiated_templates()
        if s["organization"] == "ciss38"
        and "housing" in [s["category"], *(s.get("extra_categories") or [])]
    ]
    assert any(s["category"] == "housing" for s in housing)


def test_helplines() -> None:
    helplines = [s for s in _services() if s.get("helpline")]
    by_number = {s["helpline"]["number"]: s for s in helplines}
    for service in helplines:
        line = service["helpline"]
        assert HELPLINE_KEYS - {"self_harm_rank"} <= set(line) <= HELPLINE_KEYS, service["id"]
        assert service["area"] == {"national": True}, service["id"]
        assert isinstance(line["for_minors"], bool)
        assert line["emergency_rank"] is None or isinstance(line["emergency_rank"], int)
        assert service["contacts"].get("phone") == line["number"], service["id"]
    ranks = {
        n: s["helpline"]["emergency_rank"]
        for n, s in by_number.items()
        if s["helpline"]["emergency_rank"]
    }
    assert ranks == {"1522": 1, "112": 2, "114": 3}
    self_harm = {
        n: s["helpline"]["self_harm_rank"]
        for n, s in by_number.items()
        if s["helpline"].get("self_harm_rank")
    }
    assert self_harm == {"112": 1, "02 2327 2327": 2, "19696": 3}
    assert by_number["114"]["helpline"]["for_minors"] is True
    assert by_number["1522"]["category"] == "violence"
    assert by_number["02 2327 2327"]["confidence"] == "low"


# --- phone numbers --------------------------------------------------------------------------


def test_phone_allow_list_comes_from_the_fact_files() -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared fact files not available at {SHARED_DATA}")
    facts = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SHARED_DATA.glob("*.md")))
    for number in PHONE_ALLOW_LIST:
        assert number in facts, f"{number!r} does not appear verbatim in {SHARED_DATA}/*.md"


def test_structured_phone_fields_are_allowed() -> None:
    found = []
    for ente in _enti():
        for contact in ente["contacts"]:
            if contact["kind"] in ("phone", "fax"):
                found.append((ente["id"], contact["value"]))
    for service in _services() + _templates():
        contacts = service.get("contacts") or {}
        found.append((service.get("id", service.get("slug")), contacts.get("phone", "")))
        if service.get("helpline"):
            found.append((service["id"], service["helpline"]["number"]))
    for where, phone in found:
        assert not phone or phone in PHONE_ALLOW_LIST, (
            f"{where}: phone {phone!r} not in the allow-list"
        )


def _phone_candidates(text: str) -> list[str]:
    return [m.group(1) for m in PHONE_IN_TEXT.finditer(text) if not _is_not_a_phone(text, m)]


@pytest.mark.parametrize(
    "text",
    [
        "chiama lo 011 1234567",
        "tel. 0125-123456",
        "cell 333 1234567",
        "numero verde 800 123 456",
        "116 117",
        "0119176666",
    ],
)
def test_phone_detector_catches_phone_numbers(text: str) -> None:
    assert _phone_candidates(text), text


@pytest.mark.parametrize(
    "text",
    [
        "legge 104",
        "fino a 6.500 € l'anno",
        "+150 € forfettari",
        "ISEE fino a 10.140 €",
        "D.L. 102/2013",
        "nel 2025",
        "12 mensilità",
        "giornalelavoce.it 329641",
    ],
)
def test_phone_detector_ignores_amounts_and_laws(text: str) -> None:
    assert not _phone_candidates(text), text


def test_no_unknown_phone_number_in_any_text() -> None:
    allowed_digits = {_digits(n) for n in PHONE_ALLOW_LIST}
    comuni_caps: set[str] = set()
    shared_csv = SHARED_DATA / "comuni_asl_to4.csv"
    if shared_csv.exists():
        with shared_csv.open(encoding="utf-8", newline="") as handle:
            comuni_caps = {row["cap"] for row in csv.DictReader(handle)}
    bad = []
    for filename, data in _all_records():
        for text in _strings(data):
            for match in PHONE_IN_TEXT.finditer(text):
                digits = _digits(match.group(1))
                if digits in allowed_digits or _YEAR.match(digits) or digits in comuni_caps:
                    continue
                if _is_not_a_phone(text, match):
                    continue
                bad.append((filename, match.group(1), text[:80]))
    assert not bad, f"phone-like numbers not in the allow-list: {bad}"


# --- comuni fuori area ----------------------------------------------------------------------


def test_comuni_fuori_area() -> None:
    with (DATA / "comuni_fuori_area.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["name", "provincia", "asl", "source"]
        rows = list(reader)
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names)), "duplicate comuni"
    in_area = set(names) & _asl_to4_comuni()
    assert not in_area, (
        f"comuni listed as outside ASL TO4 but present in the ASL TO4 list: {in_area}"
    )
    for row in rows:
        assert re.fullmatch(r"[A-Z]{2}", row["provincia"]), row
        assert row["asl"].strip() and row["source"].strip(), row
        assert "TO4" not in row["asl"], row
    assert {"Torino", "Crescentino", "Saluggia", "Fontanetto Po"} <= set(names)


# --- opportunities --------------------------------------------------------------------------


def test_opportunities() -> None:
    comuni = _asl_to4_comuni()
    org_ids = {o["id"] for o in _organizations()} | ENTE_IDS
    today = date.today()
    expired = current = 0
    for item in _opportunities():
        where = item["id"]
        assert set(item) == OPPORTUNITY_KEYS, f"{where}: keys {set(item) ^ OPPORTUNITY_KEYS}"
        assert item["kind"] in OPPORTUNITY_KINDS, where
        assert item["category"] in CATEGORIES, where
        assert item["organization"] in org_ids, where
        assert item["confidence"] in CONFIDENCE and isinstance(item["verified"], bool), where
        assert item["source"].strip(), where
        _check_area(item["area"], comuni, where)
        start, end = item["valid_from"], item["valid_to"]
        assert isinstance(start, date), where
        assert end is None or (isinstance(end, date) and start <= end), where
        if end is not None and end < today:
            expired += 1
        elif start <= today:
            current += 1
    assert expired >= 1, "at least one expired opportunity is needed to prove they are hidden"
    assert current >= 1, "at least one current opportunity is needed"
