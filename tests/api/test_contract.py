"""The OpenAPI document says what the API really answers: each operation's own schemas, and
the error codes the shared exception handlers give (found by tests/api/test_schemathesis.py)."""

from __future__ import annotations

from typing import Any

import pytest
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema

from clearinghouse.api.urls import api

pytestmark = pytest.mark.django_db(transaction=False)


def _document() -> dict[str, Any]:
    return dict(api.get_openapi_schema())


def _operations() -> list[Any]:
    return [
        operation
        for _prefix, router in api._routers
        for view in router.path_operations.values()
        for operation in view.operations
    ]


def test_no_two_schemas_share_a_name_in_the_document() -> None:
    """ninja files every schema under its class name, so a second class of the same name
    silently replaced the first: asset findings were documented as review findings."""
    components = _document()["components"]["schemas"]
    wrong = set()
    for operation in _operations():
        for model in [*operation.response_models.values(), *operation.models]:
            if model in (None, Ellipsis) or not hasattr(model, "model_json_schema"):
                continue
            own = model.model_json_schema(
                ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
            )
            for name, definition in own.get("$defs", {}).items():
                documented = components.get(name, {})
                if set(definition.get("properties", {})) != set(documented.get("properties", {})):
                    wrong.add(f"{operation.view_func.__module__}: {name}")
    assert not wrong, sorted(wrong)


def test_asset_findings_are_documented_with_their_own_fields(cast, api_as) -> None:
    responses = _document()["paths"]["/api/assets/findings/{finding_id}"]["get"]["responses"]
    ref = responses[200]["content"]["application/json"]["schema"]["$ref"]
    finding = _document()["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"component", "advisory_id", "status"} <= set(finding["properties"])


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        ("get", "/api/accounts/me", {401, 403}),
        ("get", "/api/frontier/models", {401, 403, 422}),
        ("get", "/api/frontier/models/{model_id}", {401, 403, 404, 422}),
        ("post", "/api/reviews/notices", {401, 403, 404, 409, 413, 422}),
    ],
)
def test_the_error_answers_are_declared_for_each_operation(method, path, codes) -> None:
    responses = _document()["paths"][path][method]["responses"]
    assert codes <= set(responses), sorted(responses)
    assert set(responses) - codes <= {200, 201, 204}


@pytest.mark.parametrize(
    ("path", "types", "file_field"),
    [
        (
            "/api/intake/submissions",
            {"application/json", "application/yaml", "multipart/form-data"},
            "document",
        ),
        ("/api/intake/submissions/batch", {"multipart/form-data"}, "documents"),
    ],
)
def test_the_submission_bodies_are_declared(path, types, file_field) -> None:
    """The intake views read their bodies themselves, so ninja alone declared none: /api/docs
    and schemathesis did not know these operations take a document."""
    body = _document()["paths"][path]["post"]["requestBody"]
    assert set(body["content"]) == types
    form = body["content"]["multipart/form-data"]["schema"]
    assert form["required"] == [file_field]
    assert {file_field, "format", "reporter_kind", "model", "assessment"} <= set(form["properties"])
    assert "binary" in str(form["properties"][file_field])


def test_a_declared_error_is_the_body_the_api_sends(cast, api_as) -> None:
    """The 404 and 422 bodies match the schemas the document gives them."""
    import jsonschema

    document = _document()
    client = api_as(cast["lab1"])
    for url, code in (("/api/frontier/models/999999", 404), ("/api/frontier/models/x", 422)):
        response = client.get(url)
        assert response.status_code == code
        declared = document["paths"]["/api/frontier/models/{model_id}"]["get"]["responses"][code]
        ref = declared["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        jsonschema.validate(response.json(), schema)
