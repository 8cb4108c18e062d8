"""Contract tests of the HSDS 3.0 API (``/hsds/``) through HTTP, on SQLite and PostgreSQL.

Field names, required fields, formats and enums come from the HSDS 3.0 schema files
(``data/hsds_3_0_schema.json``, extracted from openreferral/specification); every object the
API returns is checked against them, and the paginated envelope against the OpenAPI ``Page``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from bot.gateway.errors import install_error_handlers
from bot.hsds.routes import build_hsds_router
from catalog.hsds import HsdsCatalog
from catalog.hsds.mapping import hsds_id
from catalog.loader import load
from catalog.models import Service
from tests.catalog.conftest import CATALOG_DATA

SCHEMA = json.loads((Path(__file__).parent / "data" / "hsds_3_0_schema.json").read_text())
OBJECTS = SCHEMA["objects"]
PAGE_KEYS = {*SCHEMA["page"]["properties"], "contents"}
_TYPES = {"string": str, "number": (int, float), "integer": int, "boolean": bool, "array": list}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
#: Nested objects (field -> schema object) checked recursively.
_NESTED = {
    "organization": "organization_list",
    "phones": "phone",
    "service_areas": "service_area",
    "required_documents": "required_document",
    "contacts": "contact",
    "languages": "language",
    "service_at_locations": "service_at_location",
    "location": "location",
    "locations": "location",
    "addresses": "address",
    "schedules": "schedule",
    "service": "service_list",
}


def check(obj: dict[str, Any], name: str, where: str = "") -> None:
    """Assert that ``obj`` is a valid HSDS 3.0 ``name`` object (keys, required, formats)."""
    spec = OBJECTS[name]
    props = spec["properties"]
    extra = set(obj) - set(props) - ({"services"} if name == "organization" else set())
    assert not extra, f"{where or name}: fields not in HSDS 3.0 {name}: {extra}"
    for field in spec["required"]:
        assert obj.get(field) not in (None, ""), f"{where or name}: required {field} missing"
    for field, value in obj.items():
        rule = props.get(field, {})
        if value is None:
            continue
        if rule.get("type") in _TYPES:
            assert isinstance(value, _TYPES[rule["type"]]), f"{where}.{field}: {value!r}"
        if rule.get("format") == "uuid":
            assert str(uuid.UUID(value)) == value, f"{where}.{field} is not a UUID"
        if rule.get("format") == "date-time":
            assert _DATETIME.match(value), f"{where}.{field} is not a date-time"
        if rule.get("format") == "uri":
            assert value.startswith(("http://", "https://")), f"{where}.{field} is not a URI"
        if "enum" in rule:
            assert value in rule["enum"], f"{where}.{field}: {value!r} not in {rule['enum']}"
        if field in _NESTED:
            nested = _NESTED[field]
            if field in ("location", "locations") and name == "organization":
                nested = "location"
            for item in value if isinstance(value, list) else [value]:
                if field == "services" or nested not in OBJECTS:
                    continue
                check(item, nested, f"{where or name}.{field}")


def check_page(body: dict[str, Any], item: str) -> None:
    """Assert the HSDS paginated envelope and its contents."""
    assert set(body) == PAGE_KEYS
    for key, rule in SCHEMA["page"]["properties"].items():
        assert isinstance(body[key], _TYPES[rule["type"]]), key
    assert body["size"] == len(body["contents"])
    assert body["empty"] == (body["total_items"] == 0)
    for obj in body["contents"]:
        check(obj, item)


def _client(engine: Engine) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(build_hsds_router(HsdsCatalog(engine)))
    return TestClient(app)


@pytest.fixture(scope="module")
def client(loaded_engine: Engine) -> Iterator[TestClient]:
    with _client(loaded_engine) as c:
        yield c


def test_about_names_the_version_and_profile(client):
    body = client.get("/hsds/").json()
    assert body["version"] == "3.0"
    assert set(body) <= set(SCHEMA["about"]["properties"])
    assert body["profile"].startswith("https://")


def test_services_pages_follow_the_hsds_rules(client):
    first = client.get("/hsds/services", params={"per_page": 7}).json()
    check_page(first, "service_list")
    total = first["total_items"]
    assert total > 14 and first["total_pages"] == -(-total // 7)
    assert first["first_page"] and not first["last_page"] and first["page_number"] == 1
    last = client.get("/hsds/services", params={"per_page": 7, "page": first["total_pages"]})
    body = last.json()
    assert body["last_page"] and not body["first_page"] and 1 <= body["size"] <= 7
    seen = set()
    for page in range(1, first["total_pages"] + 1):
        got = client.get("/hsds/services", params={"per_page": 7, "page": page}).json()
        seen |= {s["id"] for s in got["contents"]}
    assert len(seen) == total  # every service once, stable order
    beyond = client.get("/hsds/services", params={"per_page": 7, "page": 999}).json()
    assert beyond["size"] == 0 and beyond["total_items"] == total and beyond["last_page"]


def test_one_service_is_fully_nested_by_uuid_or_catalog_id(client):
    sid = hsds_id("service", "adi-assegno-inclusione")
    body = client.get(f"/hsds/services/{sid}").json()
    check(body, "service")
    assert body["id"] == sid and body["alternate_name"] == "adi-assegno-inclusione"
    assert body["organization_id"] == hsds_id("organization", "inps")
    assert body["service_areas"] and body["required_documents"]
    assert client.get("/hsds/services/adi-assegno-inclusione").json()["id"] == sid
    missing = client.get(f"/hsds/services/{uuid.uuid4()}")
    assert missing.status_code == 404 and "error" in missing.json()


def test_search_organization_and_postcode_filters(client):
    found = client.get("/hsds/services", params={"search": "assegno inclusione"}).json()
    assert hsds_id("service", "adi-assegno-inclusione") in {s["id"] for s in found["contents"]}
    ciss38 = hsds_id("organization", "ciss38")
    for key in ("ciss38", ciss38):
        own = client.get("/hsds/services", params={"organization_id": key, "per_page": 100})
        body = own.json()
        assert body["total_items"] > 0
        assert {s["organization_id"] for s in body["contents"]} == {ciss38}
    # Cuorgnè (10082) is CISS 38's: services of In.Re.Te. (Ivrea) do not cover it.
    cuorgne = client.get("/hsds/services", params={"postcode": "10082", "per_page": 100}).json()
    orgs = {s["organization_id"] for s in cuorgne["contents"]}
    assert ciss38 in orgs and hsds_id("organization", "inrete") not in orgs
    future = client.get("/hsds/services", params={"modified_after": "2999-01-01"}).json()
    assert future["empty"] and future["total_items"] == 0 and future["contents"] == []


def test_organizations_and_service_at_locations(client):
    orgs = client.get("/hsds/organizations", params={"per_page": 100}).json()
    check_page(orgs, "organization_list")
    assert hsds_id("organization", "ciss38") in {o["id"] for o in orgs["contents"]}
    found = client.get("/hsds/organizations", params={"search": "cirie"}).json()  # Ciriè
    assert hsds_id("organization", "cis_cirie") in {o["id"] for o in found["contents"]}
    one = client.get("/hsds/organizations/ciss38").json()
    check(one, "organization")
    assert one["services"] and one["locations"]
    sal = client.get("/hsds/service_at_locations", params={"organization_id": "ciss38"}).json()
    check_page(sal, "service_at_location_list")
    assert sal["total_items"] > 0
    assert all(i["location"]["organization_id"] == one["id"] for i in sal["contents"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("per_page=1000", "per_page"),
        ("per_page=-3", "per_page"),
        ("modified_after=ieri", "modified_after"),
        ("postcode=1008", "postcode"),
        ("postcode=99999", "postcode"),
        ("colour=red", "colour"),
    ],
)
def test_malformed_parameters_get_a_400_naming_them(client, query, field):
    answer = client.get(f"/hsds/services?{query}")
    assert answer.status_code == 400
    body = answer.json()
    assert body["fields"][0]["field"] == field and body["error"]


def test_inactive_services_are_never_served(empty_engine: Engine):
    load(empty_engine, CATALOG_DATA)
    with empty_engine.begin() as conn:
        conn.execute(
            update(Service).where(Service.id == "adi-assegno-inclusione").values(status="inactive")
        )
    with _client(empty_engine) as c:
        assert c.get("/hsds/services/adi-assegno-inclusione").status_code == 404
        listed = c.get("/hsds/services", params={"per_page": 100, "organization_id": "inps"})
        ids = {s["id"] for s in listed.json()["contents"]}
        assert hsds_id("service", "adi-assegno-inclusione") not in ids
        org = c.get("/hsds/organizations/inps").json()
        assert {"id": hsds_id("service", "adi-assegno-inclusione")} not in org["services"]


def test_an_edit_in_the_admin_area_is_a_modification(empty_engine: Engine):
    """``modified_after`` and ``last_modified`` follow the audit history, not only verification."""
    from datetime import datetime, timezone

    from catalog.admin.editor import CatalogEditor

    load(empty_engine, CATALOG_DATA)
    edited_at = datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc)  # after every last_verified
    editor = CatalogEditor(empty_engine, clock=lambda: edited_at)
    editor.update("service", "ciss38-emergenza-abitativa", {"summary": "Sintesi nuova."}, "Elia")
    sid = hsds_id("service", "ciss38-emergenza-abitativa")
    with _client(empty_engine) as c:
        since = c.get("/hsds/services", params={"modified_after": "2031-05-06"}).json()
        assert [s["id"] for s in since["contents"]] == [sid]
        assert since["contents"][0]["last_modified"] == "2031-05-06T07:08:09Z"
        assert c.get("/hsds/services", params={"modified_after": "2031-05-07"}).json()["empty"]
        one = c.get(f"/hsds/services/{sid}").json()
        assert one["last_modified"] == "2031-05-06T07:08:09Z"
        pairs = c.get("/hsds/service_at_locations", params={"modified_after": "2031-05-06"})
        assert {p["service"]["id"] for p in pairs.json()["contents"]} == {sid}
        other = c.get("/hsds/services", params={"per_page": 5}).json()["contents"]
        assert all((s["last_modified"] or "") < "2031" for s in other if s["id"] != sid)
