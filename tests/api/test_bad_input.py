"""Hostile input never gets a 5xx: NUL characters, non-finite numbers, out-of-range paging,
oversized bodies and too many files are each a 4xx naming the problem, on both databases."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clearinghouse.frontier.models import AIModel
from clearinghouse.intake.models import Report
from tests.intake.conftest import native

pytestmark = pytest.mark.django_db(transaction=False)


def _json(client: Any, url: str, body: Any) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(url, data, content_type="application/json")


def _messages(response: Any) -> str:
    return json.dumps(response.json()["detail"])


def test_a_nul_in_an_intake_document_is_refused_with_its_place(cast, api_as) -> None:
    response = _json(api_as(cast["lab1"]), "/api/intake/submissions", native({"title": "x\x00y"}))
    assert response.status_code == 422, response.content
    assert "NUL" in _messages(response)
    assert not Report.objects.exists()


def test_a_nul_in_a_model_registration_is_refused(cast, api_as, declaration) -> None:
    response = _json(api_as(cast["lab1"]), "/api/frontier/models", declaration(name="a\x00b"))
    assert response.status_code == 422, response.content
    assert "NUL" in _messages(response)
    assert not AIModel.objects.exists()


def test_a_nul_in_an_uploaded_sbom_is_refused(cast, api_as) -> None:
    sbom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [{"type": "library", "name": "p\u0000ip", "version": "1.0"}],
    }
    upload = SimpleUploadedFile("bom.json", json.dumps(sbom).encode(), "application/json")
    response = api_as(cast["operator"]).post("/api/assets/", {"name": "grid", "sbom": upload})
    assert response.status_code == 422, response.content
    assert "NUL" in _messages(response)


@pytest.mark.parametrize("where", ["query", "header"])
def test_a_nul_in_a_query_parameter_or_header_is_refused(cast, api_as, where) -> None:
    client = api_as(cast["lab1"])
    if where == "query":
        response = client.post(
            "/api/intake/submissions?filename=a%00b",
            native({"title": "t"}),
            content_type="application/json",
        )
    else:
        response = client.post(
            "/api/intake/submissions",
            native({"title": "t"}),
            content_type="application/json",
            headers={"Idempotency-Key": "k\x00"},
        )
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][0] == where
    assert not Report.objects.exists()


def test_a_nul_on_a_page_form_is_a_400_page(cast, pages_as) -> None:
    response = pages_as(cast["lab1"]).post("/models/new", {"name": "a\x00b"})
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_a_nul_in_a_form_field_of_the_api_is_refused(cast, api_as) -> None:
    sbom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": []}
    upload = SimpleUploadedFile("bom.json", json.dumps(sbom).encode(), "application/json")
    response = api_as(cast["operator"]).post("/api/assets/", {"name": "gr\x00id", "sbom": upload})
    assert response.status_code == 422, response.content


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_refused(cast, api_as, declaration, literal) -> None:
    body = json.dumps(declaration(training_compute_flop=1.5)).replace("1.5", literal)
    response = _json(api_as(cast["lab1"]), "/api/frontier/models", body.encode())
    assert response.status_code == 422, response.content
    assert not AIModel.objects.exists()


def test_compute_that_would_sum_past_the_largest_float_is_refused(
    cast, api_as, declaration
) -> None:
    body = declaration(training_compute_flop=1.7e308, fine_tuning_compute_flop=1.7e308)
    response = _json(api_as(cast["lab1"]), "/api/frontier/models", body)
    assert response.status_code == 422, response.content
    assert not AIModel.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/intake/reports",
        "/api/advisories/",
        "/api/assets/",
        "/api/intake/submissions",
        "/api/frontier/models",
        "/api/reviews/notices",
        "/api/assessments/runs",
    ],
)
@pytest.mark.parametrize("query", ["offset=-1", "limit=0", "limit=100000", "offset=x"])
def test_paging_out_of_range_is_a_4xx(cast, api_as, url, query) -> None:
    response = api_as(cast["coordinator"]).get(f"{url}?{query}")
    assert 400 <= response.status_code < 500, (url, query, response.status_code)


def test_a_body_within_the_documented_document_limit_reaches_the_intake(
    cast, api_as, settings
) -> None:
    """Django's own request limit follows the intake's: a 12 MB document is not cut off early."""
    padded = native({"title": "padded"}) + b" " * (12 * 1024 * 1024)  # JSON allows the spaces
    response = _json(api_as(cast["lab1"]), "/api/intake/submissions", padded)
    assert response.status_code == 201, response.content[:300]


def test_more_files_than_a_batch_may_hold_is_a_413_with_the_reason(cast, api_as, settings) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    files = {
        f"documents{i}": SimpleUploadedFile(
            f"{i}.json", native({"title": str(i)}), "application/json"
        )
        for i in range(4)
    }
    response = api_as(cast["lab1"]).post("/api/intake/submissions/batch", files)
    assert response.status_code == 413, response.content
    assert "too large" in _messages(response) or "files" in _messages(response)
    assert not Report.objects.exists()
