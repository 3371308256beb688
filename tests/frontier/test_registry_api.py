"""Registering, changing and designating models through the API, and how bad input is refused."""

from __future__ import annotations

import json

import pytest

from clearinghouse.audit.models import AuditEvent
from clearinghouse.frontier.models import AIModel, Determination

pytestmark = pytest.mark.django_db


def post_model(client, body):
    return client.post(
        "/api/frontier/models",
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
    )


def test_registration_stores_a_determination_with_reasons(cast, api_as, declaration):
    response = post_model(api_as(cast["lab1"]), declaration(training_compute_flop=1.5e26))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["covered"] is True
    assert body["organisation"] == cast["lab1"].organisation.name
    determination = body["determination"]
    assert determination["policy_id"] == "eo-2026"
    assert determination["trigger"] == "registered"
    compute = next(r for r in determination["reasons"] if r["criterion"] == "training_compute")
    assert compute["met"] and compute["values"]["threshold_flop"] == 1e26
    assert AuditEvent.objects.filter(action="model.registered").count() == 1


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"training_compute_flop": -5}, "training_compute_flop", "greater than or equal"),
        ({"planned_release_date": "2001-01-01"}, "planned_release_date", "in the past"),
        ({"capabilities": ["telepathy"]}, "capabilities", "advanced_reasoning"),
        ({"tools": ["rocket"]}, "tools", "shell"),
        ({"name": ""}, "name", "at least 1"),
    ],
)
def test_invalid_registration_is_422_per_field_and_changes_nothing(
    cast, api_as, declaration, override, field, message
):
    client = api_as(cast["lab1"])
    events = AuditEvent.objects.count()
    response = post_model(client, declaration(**override))
    assert response.status_code == 422
    details = response.json()["detail"]
    assert any(field in map(str, d["loc"]) and message in d["msg"] for d in details), details
    assert not AIModel.objects.exists()
    assert AuditEvent.objects.count() == events


def test_malformed_json_is_422_and_changes_nothing(cast, api_as):
    client = api_as(cast["lab1"])
    response = post_model(client, '{"name": "broken",')
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"][0]["msg"]
    assert post_model(client, "[1, 2]").status_code == 422
    assert not AIModel.objects.exists()


def test_an_oversized_body_is_413(cast, api_as, settings):
    response = post_model(api_as(cast["lab1"]), "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    assert response.status_code == 413
    assert not AIModel.objects.exists()


def test_only_lab_developers_register(cast, api_as, declaration):
    for role in ("reviewer", "coordinator", "operator", "admin"):
        assert post_model(api_as(cast[role]), declaration()).status_code == 403
    assert not AIModel.objects.exists()


def test_a_second_registration_of_the_same_version_is_a_conflict(cast, api_as, declaration):
    client = api_as(cast["lab1"])
    assert post_model(client, declaration()).status_code == 201
    response = post_model(client, declaration())
    assert response.status_code == 409
    assert "already registered" in response.json()["detail"]
    assert AIModel.objects.count() == 1
    # another lab may use the same name
    assert post_model(api_as(cast["lab2"]), declaration()).status_code == 201


def test_update_redetermines_and_keeps_the_history(cast, api_as, declaration):
    client = api_as(cast["lab1"])
    model_id = post_model(client, declaration()).json()["id"]
    response = client.patch(
        f"/api/frontier/models/{model_id}",
        {"capabilities": ["advanced_reasoning", "autonomous_tool_use"], "tools": ["shell"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["covered"] is True
    history = client.get(f"/api/frontier/models/{model_id}/determinations").json()["items"]
    assert [(d["trigger"], d["covered"]) for d in history] == [
        ("updated", True),
        ("registered", False),
    ]


def test_update_with_bad_values_changes_nothing(cast, api_as, declaration):
    client = api_as(cast["lab1"])
    model_id = post_model(client, declaration()).json()["id"]
    for body in ({"training_compute_flop": -1}, {"covered": True}, {"organisation": 5}):
        response = client.patch(
            f"/api/frontier/models/{model_id}", body, content_type="application/json"
        )
        assert response.status_code == 422, body
    model = AIModel.objects.get(pk=model_id)
    assert model.training_compute_flop == 1e24 and not model.covered
    assert Determination.objects.filter(ai_model=model).count() == 1


def test_designation_by_an_agency_covers_the_model(cast, api_as, declaration):
    model_id = post_model(api_as(cast["lab1"]), declaration()).json()["id"]
    designation = {"authority": "Agency", "reference": "D-1", "designated_on": "2026-11-20"}
    lab_try = api_as(cast["lab1"]).post(
        f"/api/frontier/models/{model_id}/designation",
        designation,
        content_type="application/json",
    )
    assert lab_try.status_code == 403
    response = api_as(cast["reviewer"]).post(
        f"/api/frontier/models/{model_id}/designation",
        designation,
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["covered"] is True
    assert response.json()["determination"]["trigger"] == "designated"


def test_activating_a_policy_redetermines_every_model(cast, api_as, declaration):
    lab = api_as(cast["lab1"])
    ids = [post_model(lab, declaration(name=f"M{i}")).json()["id"] for i in range(3)]
    assert (
        api_as(cast["lab1"])
        .post(
            "/api/frontier/policies/active",
            {"policy_id": "eo-2026-draft"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    response = api_as(cast["admin"]).post(
        "/api/frontier/policies/active",
        {"policy_id": "eo-2026-draft"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["redetermined"] == 3
    for model_id in ids:
        history = lab.get(f"/api/frontier/models/{model_id}/determinations").json()["items"]
        assert [d["policy_id"] for d in history] == ["eo-2026-draft", "eo-2026"]
    policies = lab.get("/api/frontier/policies").json()
    assert [p["id"] for p in policies if p["active"]] == ["eo-2026-draft"]
    unknown = api_as(cast["admin"]).post(
        "/api/frontier/policies/active", {"policy_id": "nope"}, content_type="application/json"
    )
    assert unknown.status_code == 422 and "available" in unknown.json()["detail"][0]["msg"]


def test_policy_check_endpoint_stores_nothing(cast, api_as, declaration):
    body = declaration(training_compute_flop=3e26) | {"developer": "Someone"}
    response = api_as(cast["reviewer"]).post(
        "/api/frontier/policies/check?policy=eo-2026-mandatory",
        body,
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["covered"] and response.json()["policy_id"] == "eo-2026-mandatory"
    assert not AIModel.objects.exists()


def test_openapi_schema_is_published(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/frontier/models" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_listing_models_costs_the_same_queries_for_many_models_as_for_few(
    cast, api_as, declaration
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(cast["reviewer"])
    lab = api_as(cast["lab1"])

    def listed_queries() -> tuple[int, list[dict]]:
        with CaptureQueriesContext(connection) as captured:
            body = client.get("/api/frontier/models").json()["items"]
        return len(captured), body

    for i in range(2):
        post_model(lab, declaration(name=f"Few {i}", training_compute_flop=2e26))
    few, _ = listed_queries()
    for i in range(8):
        post_model(lab, declaration(name=f"Many {i}", training_compute_flop=1e24 * (i + 1)))
    many, body = listed_queries()
    assert len(body) == 10
    assert many == few
    newest = {m["name"]: m["determination"]["trigger"] for m in body}
    assert set(newest.values()) == {"registered"}
    # The newest determination is the one listed, after a re-determination too.
    changed = lab.patch(
        f"/api/frontier/models/{body[0]['id']}",
        json.dumps({"training_compute_flop": 3e26}),
        content_type="application/json",
    )
    assert changed.status_code == 200
    relisted = {m["id"]: m for m in client.get("/api/frontier/models").json()["items"]}
    assert relisted[body[0]["id"]]["determination"] == changed.json()["determination"]
