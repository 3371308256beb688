"""`/api/docs` renders Swagger UI from this instance's own static files: nothing is fetched
from another host (an air-gapped install shows the same page) and the page keeps the
Content Security Policy (the `page` fixture fails the test on any violation)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_from_this_instance_alone(page, live_server) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs")
    title = page.locator(".swagger-ui .info .title")
    title.wait_for()
    assert "Clearinghouse API" in title.inner_text()
    page.locator(".swagger-ui .opblock").first.wait_for()  # the operations, from openapi.json
    assert page.locator(".swagger-ui .opblock").count() > 10

    here = urlsplit(live_server.url).netloc
    elsewhere = [
        url for url in requested if urlsplit(url).scheme != "data" and urlsplit(url).netloc != here
    ]
    assert elsewhere == []
    paths = {urlsplit(url).path for url in requested}
    assert {"/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"} <= paths
    assert "/api/openapi.json" in paths
