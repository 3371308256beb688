"""Tracks: who assigns, who sees what, findings released to the lab, decisions combined."""

from __future__ import annotations

import pytest

from clearinghouse.notifications.models import Delivery
from clearinghouse.reviews.models import Notice

from .conftest import post

pytestmark = pytest.mark.django_db


def notice_ids(client) -> set[int]:
    return {n["id"] for n in client.get("/api/reviews/notices").json()["items"]}


def test_only_admins_and_the_tracks_lead_assign_reviewers_of_that_track(people, submitted, api_as):
    tracks = {t["track"]: t["id"] for t in submitted["tracks"]}
    ns, civ = tracks["national_security"], tracks["civilian"]
    # a plain reviewer cannot assign; a lead cannot staff the other track
    assert post(
        api_as(people["ns_reviewer"]),
        f"/api/reviews/tracks/{ns}/assignments",
        {"reviewer": people["ns_reviewer"].username},
    ).status_code in (403, 404)
    assert post(
        api_as(people["ns_lead"]),
        f"/api/reviews/tracks/{civ}/assignments",
        {"reviewer": people["civ_reviewer"].username},
    ).status_code in (403, 404)
    wrong_track = post(
        api_as(people["admin"]),
        f"/api/reviews/tracks/{ns}/assignments",
        {"reviewer": people["civ_reviewer"].username},
    )
    assert wrong_track.status_code == 422 and "national_security agency" in str(wrong_track.json())
    assert Notice.objects.get().status == "submitted"
    ok = post(
        api_as(people["ns_lead"]),
        f"/api/reviews/tracks/{ns}/assignments",
        {"reviewer": people["ns_reviewer"].username},
    )
    assert ok.status_code == 201
    assert Notice.objects.get().status == "under_review"
    assert Delivery.objects.filter(
        event="reviewer.assigned", recipient=people["ns_reviewer"].email
    ).exists()


def test_reviewers_see_only_notices_they_are_assigned_to(people, submitted, api_as, pages_as):
    notice_id = submitted["id"]
    for role in ("ns_reviewer", "civ_reviewer", "reviewer", "lab2", "operator", "coordinator"):
        assert notice_ids(api_as(people[role])) == set(), role
        assert pages_as(people[role]).get(f"/reviews/notices/{notice_id}/").status_code == 404
    assert notice_ids(api_as(people["ns_lead"])) == {notice_id}  # leads see their track's queue
    tracks = {t["track"]: t["id"] for t in submitted["tracks"]}
    post(
        api_as(people["ns_lead"]),
        f"/api/reviews/tracks/{tracks['national_security']}/assignments",
        {"reviewer": people["ns_reviewer"].username},
    )
    assert notice_ids(api_as(people["ns_reviewer"])) == {notice_id}
    assert notice_ids(api_as(people["civ_reviewer"])) == set()
    assert notice_ids(api_as(people["lab1"])) == {notice_id}
    assert notice_ids(api_as(people["admin"])) == {notice_id}


def test_labs_see_released_findings_only_and_never_reviewer_notes(
    people, under_review, api_as, pages_as
):
    ns = under_review["track_ids"]["national_security"]
    reviewer = api_as(people["ns_reviewer"])
    finding = post(
        reviewer,
        f"/api/reviews/tracks/{ns}/findings",
        {
            "category": "cyber_offense",
            "severity": "high",
            "title": "Writes working exploits",
            "description": "Solved 9 of 13 CTF challenges unaided.",
        },
    )
    assert finding.status_code == 201
    post(
        reviewer,
        f"/api/reviews/tracks/{ns}/findings",
        {
            "category": "safeguards",
            "severity": "low",
            "title": "Internal-only hunch",
            "description": "Not yet confirmed.",
        },
    )
    post(reviewer, f"/api/reviews/tracks/{ns}/notes", {"body": "SECRET-NOTE: ask the NSA desk"})
    lab = api_as(people["lab1"])
    url = f"/api/reviews/notices/{under_review['id']}/findings"
    assert lab.get(url).json() == {"items": [], "count": 0}
    assert post(lab, f"/api/reviews/findings/{finding.json()['id']}/release").status_code == 404
    civ = api_as(people["civ_reviewer"])
    assert civ.get(url).json()["count"] == 0  # findings belong to their track
    assert (
        post(reviewer, f"/api/reviews/findings/{finding.json()['id']}/release").status_code == 200
    )
    assert [f["title"] for f in lab.get(url).json()["items"]] == ["Writes working exploits"]
    page = pages_as(people["lab1"]).get(f"/reviews/notices/{under_review['id']}/").content.decode()
    assert "Writes working exploits" in page
    assert "Internal-only hunch" not in page and "SECRET-NOTE" not in page
    assert lab.get(f"/api/reviews/tracks/{ns}/notes").json()["count"] == 0
    assert Delivery.objects.filter(event="finding.released", recipient="lab1@example.org").exists()


def test_bad_findings_are_refused_per_field(people, under_review, api_as):
    ns = under_review["track_ids"]["national_security"]
    response = post(
        api_as(people["ns_reviewer"]),
        f"/api/reviews/tracks/{ns}/findings",
        {"category": "vibes", "severity": "extreme", "title": "", "description": ""},
    )
    assert response.status_code == 422
    assert {d["loc"][-1] for d in response.json()["detail"]} == {
        "category",
        "severity",
        "title",
        "description",
    }


def test_both_tracks_decide_and_the_most_restrictive_wins(people, under_review, api_as):
    ids = under_review["track_ids"]
    ns, civ = api_as(people["ns_reviewer"]), api_as(people["civ_reviewer"])
    wrong = post(
        civ,
        f"/api/reviews/tracks/{ids['national_security']}/decision",
        {"decision": "cleared", "rationale": "fine"},
    )
    assert wrong.status_code in (403, 404)
    missing = post(
        ns,
        f"/api/reviews/tracks/{ids['national_security']}/decision",
        {"decision": "cleared_with_conditions", "rationale": "ok"},
    )
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"][-1] == "conditions"
    first = post(
        ns,
        f"/api/reviews/tracks/{ids['national_security']}/decision",
        {
            "decision": "cleared_with_conditions",
            "rationale": "Exploit skills gated.",
            "conditions": ["Keep the exploit-writing refusal classifier on"],
        },
    )
    assert first.json()["status"] == "under_review" and first.json()["overall_decision"] == ""
    second = post(
        civ,
        f"/api/reviews/tracks/{ids['civilian']}/decision",
        {"decision": "cleared", "rationale": "No civilian concerns."},
    )
    body = second.json()
    assert body["status"] == "decided"
    assert body["overall_decision"] == "cleared_with_conditions"
    assert body["overall_conditions"] == ["Keep the exploit-writing refusal classifier on"]
    lab = api_as(people["lab1"])
    assert (
        post(lab, f"/api/reviews/notices/{under_review['id']}/release").json()["status"]
        == "released"
    )
    assert Delivery.objects.filter(event="notice.decided", recipient="lab1@example.org").exists()


def test_no_decision_on_a_withdrawn_notice(people, under_review, api_as):
    post(api_as(people["lab1"]), f"/api/reviews/notices/{under_review['id']}/withdraw")
    response = post(
        api_as(people["ns_reviewer"]),
        f"/api/reviews/tracks/{under_review['track_ids']['national_security']}/decision",
        {"decision": "not_cleared", "rationale": "x"},
    )
    assert response.status_code == 409 and "withdrawn" in response.json()["detail"]


def test_evidence_is_attached_by_the_track_within_the_size_limit(
    people, under_review, api_as, settings
):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    ns = under_review["track_ids"]["national_security"]
    reviewer = api_as(people["ns_reviewer"])
    finding = post(
        reviewer,
        f"/api/reviews/tracks/{ns}/findings",
        {"category": "other", "severity": "low", "title": "t", "description": "d"},
    ).json()
    url = f"/api/reviews/findings/{finding['id']}/evidence"
    ok = reviewer.post(url, {"file": SimpleUploadedFile("transcript.txt", b"model said: ...")})
    assert ok.status_code == 201
    assert ok.json()["sha256"] == hashlib.sha256(b"model said: ...").hexdigest()
    settings.CLEARINGHOUSE_MAX_EVIDENCE_BYTES = 10
    too_big = reviewer.post(url, {"file": SimpleUploadedFile("big.bin", b"x" * 11)})
    assert too_big.status_code == 422 and "limit" in too_big.json()["detail"][0]["msg"]
    civ = api_as(people["civ_reviewer"])
    assert civ.post(url, {"file": SimpleUploadedFile("x.txt", b"x")}).status_code == 404


def test_labs_never_see_who_reviews_their_notice(people, under_review, api_as, pages_as):
    notice_id = under_review["id"]
    names = {people["ns_reviewer"].username, people["civ_reviewer"].username}
    lab = api_as(people["lab1"])
    for response in (
        lab.get(f"/api/reviews/notices/{notice_id}"),
        lab.get("/api/reviews/notices"),
        pages_as(people["lab1"]).get(f"/reviews/notices/{notice_id}/"),
    ):
        assert response.status_code == 200
        assert not any(name in response.content.decode() for name in names)
    lead = api_as(people["ns_lead"]).get(f"/api/reviews/notices/{notice_id}").json()
    ns_track = next(t for t in lead["tracks"] if t["track"] == "national_security")
    assert ns_track["reviewers"] == [people["ns_reviewer"].username]


def test_the_decision_body_is_the_typed_command_in_the_openapi_document(client):
    schema = client.get("/api/openapi.json").json()
    route = schema["paths"]["/api/reviews/tracks/{track_id}/decision"]["post"]
    body = route["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/DecideTrack")
    components = schema["components"]["schemas"]
    decision = components["DecideTrack"]["properties"]["decision"]
    enum = components[decision["$ref"].rsplit("/", 1)[-1]]["enum"] if "$ref" in decision else []
    assert enum == ["cleared", "cleared_with_conditions", "not_cleared"]
    listed = schema["paths"]["/api/reviews/notices"]["get"]["responses"]["200"]
    page = listed["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(components[page]["properties"]) == {"items", "count"}


def test_an_unknown_decision_is_refused_by_the_typed_body(people, under_review, api_as):
    response = post(
        api_as(people["ns_reviewer"]),
        f"/api/reviews/tracks/{under_review['track_ids']['national_security']}/decision",
        {"decision": "maybe", "rationale": "x", "extra": 1},
    )
    assert response.status_code == 422
    assert {d["loc"][-1] for d in response.json()["detail"]} == {"decision", "extra"}
