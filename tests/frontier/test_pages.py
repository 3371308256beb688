"""The registry pages: registering with errors shown per field, the htmx preview, policies."""

from __future__ import annotations

import pytest

from clearinghouse.frontier.models import AIModel, Determination

pytestmark = pytest.mark.django_db


def form_data(declaration, **overrides):
    data = declaration(**overrides)
    return {key: value for key, value in data.items() if value not in ([], None)}


def test_registering_through_the_form_shows_the_determination(cast, pages_as, declaration):
    client = pages_as(cast["lab1"])
    response = client.post(
        "/models/register/",
        form_data(
            declaration,
            capabilities=["advanced_reasoning", "autonomous_tool_use"],
            tools=["shell", "web_browsing"],
        ),
        follow=True,
    )
    page = response.content.decode()
    model = AIModel.objects.get()
    assert response.redirect_chain[-1][0] == f"/models/{model.pk}/"
    assert "Covered" in page and "autonomous tool use declared" in page
    assert "Audit trail" in page and "model.registered" in page


def test_form_errors_are_shown_next_to_fields_and_nothing_is_saved(cast, pages_as, declaration):
    client = pages_as(cast["lab1"])
    response = client.post(
        "/models/register/",
        form_data(declaration, training_compute_flop="-3", planned_release_date="2001-02-03"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-planned_release_date"' in page and "in the past" in page
    assert 'data-testid="error-training_compute_flop"' in page
    assert not AIModel.objects.exists()


def test_preview_shows_the_outcome_without_saving(cast, pages_as, declaration):
    client = pages_as(cast["lab2"])
    response = client.post("/models/preview/", form_data(declaration, training_compute_flop=2e26))
    page = response.content.decode()
    assert "would be" in page and "Covered" in page and "≥ threshold" in page
    assert not AIModel.objects.exists()


def test_other_roles_cannot_open_the_registration_form(cast, pages_as):
    for role in ("reviewer", "operator", "admin"):
        assert pages_as(cast[role]).get("/models/register/").status_code == 403


def test_admin_switches_policy_on_the_page_and_history_shows_both(cast, pages_as, declaration):
    client = pages_as(cast["lab1"])
    client.post("/models/register/", form_data(declaration), follow=True)
    model = AIModel.objects.get()
    assert (
        pages_as(cast["lab1"]).post("/policies/", {"policy_id": "eo-2026-draft"}).status_code == 403
    )
    response = pages_as(cast["admin"]).post(
        "/policies/", {"policy_id": "eo-2026-draft"}, follow=True
    )
    assert "eo-2026-draft is now active; 1 models determined again" in response.content.decode()
    assert list(
        Determination.objects.filter(ai_model=model).values_list("policy_id", flat=True)
    ) == ["eo-2026-draft", "eo-2026"]
    detail = client.get(f"/models/{model.pk}/").content.decode()
    assert detail.count("<code>eo-2026-draft</code>") == 1
    assert detail.count("<code>eo-2026</code>") == 1


def test_a_reviewer_designates_from_the_model_page(cast, pages_as, declaration):
    pages_as(cast["lab1"]).post("/models/register/", form_data(declaration))
    model = AIModel.objects.get()
    assert not model.covered
    response = pages_as(cast["reviewer"]).post(
        f"/models/{model.pk}/designate/",
        {"authority": "Agency", "reference": "D-9", "designated_on": "2026-11-01"},
        follow=True,
    )
    assert "designated" in response.content.decode()
    model.refresh_from_db()
    assert model.covered


def test_the_model_page_never_names_the_reviewer_who_designated_it_to_the_lab(
    cast, pages_as, api_as, declaration
):
    lab = api_as(cast["lab1"])
    model_id = lab.post(
        "/api/frontier/models", declaration(), content_type="application/json"
    ).json()["id"]
    designated = api_as(cast["reviewer"]).post(
        f"/api/frontier/models/{model_id}/designation",
        {"authority": "Agency", "reference": "D-1", "designated_on": "2026-11-20"},
        content_type="application/json",
    )
    assert designated.status_code == 201
    reviewer = cast["reviewer"].username
    lab_page = pages_as(cast["lab1"]).get(f"/models/{model_id}/").content.decode()
    assert "model.designated" in lab_page and "the review program" in lab_page
    assert reviewer not in lab_page
    staff_page = pages_as(cast["admin"]).get(f"/models/{model_id}/").content.decode()
    assert reviewer in staff_page


def test_a_refused_designation_is_shown_next_to_its_field(cast, pages_as, declaration):
    pages_as(cast["lab1"]).post("/models/register/", form_data(declaration))
    model = AIModel.objects.get()
    response = pages_as(cast["reviewer"]).post(
        f"/models/{model.pk}/designate/", {"authority": "A", "reference": "D-9"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="error-authority"' in page and 'data-testid="error-designated_on"' in page
    assert not model.designations.exists()


def test_a_missing_name_is_refused_by_the_command_and_marked_required(cast, pages_as, declaration):
    client = pages_as(cast["lab1"])
    assert "required" in client.get("/models/register/").content.decode()
    response = client.post("/models/register/", form_data(declaration, name=""))
    assert 'data-testid="error-name"' in response.content.decode()
    assert not AIModel.objects.exists()
