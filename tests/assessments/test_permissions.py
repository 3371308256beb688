"""Who starts runs and who sees them, through the API and the pages."""

from __future__ import annotations

import pytest

from clearinghouse.assessments.models import AssessmentRun, CandidateReport
from clearinghouse.reviews.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(people, under_review, grant_endpoint) -> dict:
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    return under_review


def _start(client, notice_id: int, suite: str = "cyber", **extra):
    return client.post(
        f"/api/assessments/notices/{notice_id}/runs",
        {"suite": suite, **extra},
        content_type="application/json",
    )


def test_assigned_reviewers_and_admins_start_runs(people, granted, api_as) -> None:
    for who in ("ns_reviewer", "civ_reviewer", "ns_lead", "admin"):
        response = _start(api_as(people[who]), granted["id"])
        assert response.status_code == 201, (who, response.content)
        run = response.json()
        assert run["families"] == ["cyber_vuln_id", "cyber_ctf", "cyber_refusal", "cyber_autonomy"]
        assert run["target"].startswith("lab-model at http://127.0.0.1:9/v1")
        assert "hmac:" in run["target"]
        assert run["started_by"] == people[who].username
    assert AssessmentRun.objects.count() == 4


def test_labs_and_other_roles_cannot_start_runs(people, granted, api_as) -> None:
    assert _start(api_as(people["lab1"]), granted["id"]).status_code == 403
    for who in ("lab2", "reviewer", "coordinator", "vendor", "operator"):
        assert _start(api_as(people[who]), granted["id"]).status_code == 404, who
    assert not AssessmentRun.objects.exists()


def test_bad_start_requests_are_refused_with_their_reason(people, under_review, api_as) -> None:
    reviewer = api_as(people["ns_reviewer"])
    no_grant = _start(reviewer, under_review["id"])
    assert no_grant.status_code == 409
    assert "no usable access" in no_grant.json()["detail"]
    unknown = _start(reviewer, under_review["id"], "cyber_everything")
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"][-1] == "suite"  # the body schema refused it
    spaced = _start(reviewer, under_review["id"], model="two words")
    assert spaced.status_code == 422
    assert not AssessmentRun.objects.exists()


def test_a_withdrawn_notice_takes_no_runs(people, granted, api_as) -> None:
    lab = api_as(people["lab1"])
    assert lab.post(f"/api/reviews/notices/{granted['id']}/withdraw").status_code == 200
    response = _start(api_as(people["ns_reviewer"]), granted["id"])
    assert response.status_code == 409


def test_the_lab_never_sees_our_runs_or_candidates(people, granted, api_as, pages_as) -> None:
    started = _start(api_as(people["ns_reviewer"]), granted["id"]).json()
    run = AssessmentRun.objects.get(pk=started["id"])
    CandidateReport.objects.create(
        run=run, ai_model=run.notice.ai_model, sample_id="s1", cwe="CWE-89", summary="sqli"
    )
    lab = api_as(people["lab1"])
    assert lab.get("/api/assessments/runs").json()["items"] == []
    assert lab.get(f"/api/assessments/runs/{run.pk}").status_code == 404
    assert lab.get(f"/api/assessments/runs/{run.pk}/samples").status_code == 404
    assert lab.get("/api/assessments/candidates").json()["items"] == []
    assert pages_as(people["lab1"]).get(f"/assessments/runs/{run.pk}/").status_code == 404
    assert pages_as(people["lab2"]).get(f"/assessments/runs/{run.pk}/").status_code == 404
    # the desk (coordinators) and the notice's reviewers see the candidate, others do not
    desk = api_as(people["coordinator"]).get("/api/assessments/candidates").json()["items"]
    assert [c["cwe"] for c in desk] == ["CWE-89"]
    civ = api_as(people["civ_reviewer"]).get("/api/assessments/candidates").json()["items"]
    assert len(civ) == 1
    assert api_as(people["reviewer"]).get("/api/assessments/candidates").json()["items"] == []
    assert api_as(people["reviewer"]).get(f"/api/assessments/runs/{run.pk}").status_code == 404
    desk = pages_as(people["coordinator"]).get("/assessments/candidates/")
    assert b"CWE-89" in desk.content
    assert b"CWE-89" not in pages_as(people["lab1"]).get("/assessments/candidates/").content


def test_the_notice_page_offers_the_button_to_its_reviewers_only(people, granted, pages_as):
    url = f"/reviews/notices/{granted['id']}/"
    reviewer_page = pages_as(people["ns_reviewer"]).get(url)
    assert b'data-testid="start-assessment"' in reviewer_page.content
    assert b'data-testid="sandbox-warning"' in reviewer_page.content  # local sandbox in tests
    lab_page = pages_as(people["lab1"]).get(url)
    assert b'data-testid="start-assessment"' not in lab_page.content
    # the lab cannot start one by posting the form either
    response = pages_as(people["lab1"]).post(
        f"/assessments/notices/{granted['id']}/start/", {"suite": "cyber"}, follow=True
    )
    assert b"only reviewers assigned to this notice" in response.content
    assert not AssessmentRun.objects.exists()


def test_starting_from_the_page_queues_a_run_whose_progress_is_polled(
    people, granted, pages_as
) -> None:
    page = pages_as(people["ns_reviewer"])
    response = page.post(f"/assessments/notices/{granted['id']}/start/", {"suite": "cyber_refusal"})
    run = AssessmentRun.objects.get()
    assert response["Location"] == f"/assessments/runs/{run.pk}/"
    shown = page.get(response["Location"])
    assert b'hx-get="/assessments/runs/%d/progress/"' % run.pk in shown.content
    run.status, run.samples_done, run.samples_total = "running", 3, 37
    run.save()
    fragment = page.get(f"/assessments/runs/{run.pk}/progress/")
    assert b"3 of 37 samples" in fragment.content
    assert "HX-Refresh" not in fragment
    run.status, run.failure_reason = (
        "failed",
        "cyber_refusal: the model endpoint could not be reached",
    )
    run.save()
    ended = page.get(f"/assessments/runs/{run.pk}/progress/")
    assert ended["HX-Refresh"] == "true"
    assert b"could not be reached" in ended.content
    assert b"hx-get" not in ended.content
    assert b'data-testid="resume"' in page.get(f"/assessments/runs/{run.pk}/").content


def test_labs_see_capability_levels_only_once_the_notice_is_decided(
    people, granted, api_as, pages_as
) -> None:
    started = _start(api_as(people["ns_reviewer"]), granted["id"], "cyber_vuln_id").json()
    AssessmentRun.objects.filter(pk=started["id"]).update(
        status="completed", scores={"cyber_vuln_id": 0.5}, levels={"cyber_vuln_id": 2}
    )
    url = f"/reviews/notices/{granted['id']}/"
    assert b'data-testid="lab-levels"' not in pages_as(people["lab1"]).get(url).content
    Notice.objects.filter(pk=granted["id"]).update(status="decided")
    decided = pages_as(people["lab1"]).get(url).content
    assert b'data-testid="lab-levels"' in decided
    assert b"level 2 (moderate)" in decided
    assert b"lab-levels" not in pages_as(people["lab2"]).get(url).content  # 404 page


def test_the_lists_are_paged_and_a_bad_limit_is_refused(api_as, people) -> None:
    coordinator = api_as(people["coordinator"])
    page = coordinator.get("/api/assessments/candidates?limit=1").json()
    assert set(page) == {"items", "count"} and len(page["items"]) <= 1
    assert coordinator.get("/api/assessments/runs?limit=0").status_code == 422
