"""Filing, submitting and moving notices through their lifecycle; the policy sets the clock."""

from __future__ import annotations

import datetime as dt

import pytest

from clearinghouse.audit.models import AuditEvent
from clearinghouse.frontier.inputs import ActivatePolicy, RegisterModel
from clearinghouse.frontier.services import activate_policy, register_model
from clearinghouse.reviews.models import Notice

from .conftest import in_days, post

pytestmark = pytest.mark.django_db


def test_notice_gets_both_tracks_and_a_deadline_on_the_release_date(people, covered_model, api_as):
    response = post(
        api_as(people["lab1"]),
        "/api/reviews/notices",
        {"ai_model_id": covered_model.pk, "planned_release_date": in_days(40)},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["policy_id"] == "eo-2026"
    assert {t["track"] for t in body["tracks"]} == {"national_security", "civilian"}
    assert body["review_deadline"].startswith(in_days(40) + "T00:00:00")
    assert body["review_deadline"].endswith(("Z", "+00:00"))
    assert 39 <= body["days_remaining"] <= 40


def test_release_inside_the_notice_period_is_refused_with_the_earliest_date(
    people, covered_model, api_as
):
    response = post(
        api_as(people["lab1"]),
        "/api/reviews/notices",
        {"ai_model_id": covered_model.pk, "planned_release_date": in_days(10)},
    )
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert f"earliest allowed date is {in_days(30)}" in message
    assert not Notice.objects.exists()


def test_the_draft_policy_moves_the_notice_period_to_90_days(people, covered_model, api_as):
    activate_policy(people["admin"], ActivatePolicy(policy_id="eo-2026-draft"))
    lab = api_as(people["lab1"])
    refused = post(
        lab,
        "/api/reviews/notices",
        {"ai_model_id": covered_model.pk, "planned_release_date": in_days(60)},
    )
    assert refused.status_code == 422 and in_days(90) in refused.json()["detail"][0]["msg"]
    accepted = post(
        lab,
        "/api/reviews/notices",
        {"ai_model_id": covered_model.pk, "planned_release_date": in_days(95)},
    )
    assert accepted.status_code == 201 and accepted.json()["policy_id"] == "eo-2026-draft"


def test_mandatory_policy_requires_disclosures_before_submission(people, covered_model, api_as):
    activate_policy(people["admin"], ActivatePolicy(policy_id="eo-2026-mandatory"))
    lab = api_as(people["lab1"])
    notice = post(
        lab,
        "/api/reviews/notices",
        {"ai_model_id": covered_model.pk, "planned_release_date": in_days(45)},
    ).json()
    refused = post(lab, f"/api/reviews/notices/{notice['id']}/submit")
    assert refused.status_code == 422
    assert {d["loc"][0] for d in refused.json()["detail"]} == {
        "training_data_summary",
        "stress_test_results",
    }
    assert Notice.objects.get().status == "draft"
    lab.patch(
        f"/api/reviews/notices/{notice['id']}",
        {
            "training_data_summary": "Public web text to 2026-03.",
            "stress_test_results": "Red team: 40 scenarios, 3 findings fixed.",
        },
        content_type="application/json",
    )
    assert post(lab, f"/api/reviews/notices/{notice['id']}/submit").json()["status"] == "submitted"


def test_voluntary_policy_submits_without_disclosures(submitted):
    assert submitted["status"] == "draft"  # as filed
    assert Notice.objects.get().status == "submitted"


def test_illegal_transitions_are_409_naming_the_allowed_ones(people, covered_model, api_as):
    lab = api_as(people["lab1"])
    notice = post(
        lab,
        "/api/reviews/notices",
        {"ai_model_id": covered_model.pk, "planned_release_date": in_days(45)},
    ).json()
    response = post(lab, f"/api/reviews/notices/{notice['id']}/release")
    assert response.status_code == 409
    assert "allowed: submitted, withdrawn" in response.json()["detail"]
    assert post(lab, f"/api/reviews/notices/{notice['id']}/withdraw").status_code == 200
    again = post(lab, f"/api/reviews/notices/{notice['id']}/submit")
    assert again.status_code == 409 and "final state" in again.json()["detail"]
    actions = list(
        AuditEvent.objects.filter(object_type="reviews.notice").values_list("action", flat=True)
    )
    assert actions == ["notice.filed", "notice.withdrawn"]


def test_uncovered_and_foreign_models_are_refused(people, declaration, api_as, covered_model):
    small = register_model(people["lab1"], RegisterModel(**declaration(name="Small")))
    lab = api_as(people["lab1"])
    response = post(
        lab, "/api/reviews/notices", {"ai_model_id": small.pk, "planned_release_date": in_days(45)}
    )
    assert response.status_code == 422 and "not a covered" in response.json()["detail"][0]["msg"]
    other_lab = api_as(people["lab2"])
    response = post(
        other_lab,
        "/api/reviews/notices",
        {"ai_model_id": covered_model.pk, "planned_release_date": in_days(45)},
    )
    assert response.status_code == 404
    assert not Notice.objects.exists()


def test_past_release_date_is_refused(people, covered_model, api_as):
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    response = post(
        api_as(people["lab1"]),
        "/api/reviews/notices",
        {"ai_model_id": covered_model.pk, "planned_release_date": yesterday},
    )
    assert response.status_code == 422


def test_a_draft_edit_names_unknown_fields_and_a_submitted_notice_is_not_edited(
    people, submitted, api_as
):
    lab = api_as(people["lab1"])
    url = f"/api/reviews/notices/{submitted['id']}"
    unknown = lab.patch(url, {"status": "decided"}, content_type="application/json")
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "status"
    late = lab.patch(url, {"stress_test_results": "x"}, content_type="application/json")
    assert late.status_code == 409 and "this one is submitted" in late.json()["detail"]
    assert Notice.objects.get().status == "submitted"
