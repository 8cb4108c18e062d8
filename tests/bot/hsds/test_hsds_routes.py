"""The gateway serves the HSDS API publicly (no console login), next to the widget."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from bot.app import create_app


def test_the_gateway_serves_hsds_without_login(gateway_settings, catalog_db_url):
    app = create_app(replace(gateway_settings, database_url=catalog_db_url), telegram=False)
    with TestClient(app) as client:
        about = client.get("/hsds/")
        assert about.status_code == 200 and about.json()["version"] == "3.0"
        services = client.get("/hsds/services", params={"per_page": 3})
        assert services.status_code == 200
        body = services.json()
        assert body["size"] == 3 and body["total_items"] > 3
        assert services.headers["cache-control"] == "public, max-age=60"
        assert client.get("/hsds/services", params={"page": "x"}).status_code == 400
