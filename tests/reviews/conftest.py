"""A covered model with agencies on both tracks (a lead and a reviewer each), and helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clearinghouse.core.review import AccessKind, Decision
from clearinghouse.frontier.inputs import RegisterModel
from clearinghouse.frontier.services import register_model
from clearinghouse.reviews.inputs import DecideTrack, GrantAccess, RecordFinding
from clearinghouse.reviews.models import Finding

#: Typed inputs the workflow tests reuse.
GRANT = GrantAccess(kind=AccessKind.INSPECT_PROVIDER, model="hf/org/model")
NOTE_WORTHY = RecordFinding(
    category=Finding.Category.OTHER, severity=Finding.Severity.LOW, title="t", description="d"
)
CLEARED = DecideTrack(decision=Decision.CLEARED, rationale="No concerns.")


@pytest.fixture
def people(cast, org, user_in) -> dict[str, Any]:
    ns = org("National Security Agency Desk", "agency", track="national_security")
    civ = org("Civilian Desk", "agency", track="civilian")
    crew = dict(cast)
    for name, agency in (("ns", ns), ("civ", civ)):
        lead = user_in("reviewer", agency)
        lead.is_agency_lead = True
        lead.email = f"{name}-lead@example.org"
        lead.save()
        crew[f"{name}_lead"] = lead
        crew[f"{name}_reviewer"] = user_in("reviewer", agency)
        crew[f"{name}_reviewer"].email = f"{name}-reviewer@example.org"
        crew[f"{name}_reviewer"].save()
    crew["admin"].email = "admin@example.org"
    crew["admin"].save()
    crew["lab1"].email = "lab1@example.org"
    crew["lab1"].save()
    return crew


@pytest.fixture
def covered_model(people, declaration):
    return register_model(
        people["lab1"], RegisterModel(**declaration(name="Frontier", training_compute_flop=2e26))
    )


def in_days(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def post(client, path: str, body: dict[str, Any] | None = None):
    return client.post(path, body or {}, content_type="application/json")


@pytest.fixture
def submitted(people, covered_model, api_as):
    """A notice filed and submitted by lab1, releasing in 45 days under eo-2026."""
    lab = api_as(people["lab1"])
    notice = post(
        lab,
        "/api/reviews/notices",
        {"ai_model_id": covered_model.pk, "planned_release_date": in_days(45)},
    )
    assert notice.status_code == 201, notice.content
    notice_id = notice.json()["id"]
    assert post(lab, f"/api/reviews/notices/{notice_id}/submit").status_code == 200
    return notice.json()


@pytest.fixture
def under_review(people, submitted, api_as):
    """Both tracks staffed: each lead assigns their agency's reviewer."""
    tracks = {t["track"]: t["id"] for t in submitted["tracks"]}
    for prefix, track in (("ns", "national_security"), ("civ", "civilian")):
        response = post(
            api_as(people[f"{prefix}_lead"]),
            f"/api/reviews/tracks/{tracks[track]}/assignments",
            {"reviewer": people[f"{prefix}_reviewer"].username},
        )
        assert response.status_code == 201, response.content
    return submitted | {"track_ids": tracks}
