"""The desk files a model-found candidate with intake: coordinators only, once, audited."""

from __future__ import annotations

import json

import pytest

from clearinghouse.accounts.permissions import visible
from clearinghouse.assessments.models import AssessmentRun, CandidateReport
from clearinghouse.audit.models import AuditEvent
from clearinghouse.audit.services import first_broken_link
from clearinghouse.intake.models import Report, Submission
from clearinghouse.reviews.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(people, under_review) -> CandidateReport:
    """A completed run of the notice's model that reported a SQL injection in one snippet."""
    notice = Notice.objects.get(pk=under_review["id"])
    run = AssessmentRun.objects.create(
        notice=notice,
        suite="cyber_vuln_id",
        families=["cyber_vuln_id"],
        target="lab-model (Inspect provider)",
        status=AssessmentRun.Status.COMPLETED,
        started_by=people["ns_reviewer"],
    )
    return CandidateReport.objects.create(
        run=run,
        ai_model=notice.ai_model,
        sample_id="vuln-py-sqli-01",
        language="python",
        cwe="CWE-89",
        line=7,
        function="find_user",
        summary="The user name is formatted into the SQL query.",
        matches_ground_truth=True,
    )


def _send(client, candidate_id: int):
    return client.post(f"/api/assessments/candidates/{candidate_id}/report")


def test_a_coordinator_files_a_candidate_as_a_report_citing_model_and_run(
    people, candidate, api_as
) -> None:
    response = _send(api_as(people["coordinator"]), candidate.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get(pk=body["report_id"])
    assert body["sent_at"] is not None
    assert report.cwe == "CWE-89"
    assert report.model_name == str(candidate.ai_model)
    assert f"assessment run #{candidate.run_id}" in report.assessment_reference
    assert "vuln-py-sqli-01" in report.assessment_reference
    assert "line 7" in report.description and "find_user" in report.description
    assert report.reporter_kind == "researcher"
    assert report.organisation == people["coordinator"].organisation
    event = AuditEvent.objects.get(action="assessment.candidate_sent")
    assert event.actor == people["coordinator"]
    assert json.loads(event.after)["report"] == report.pk
    assert first_broken_link() is None


def test_filing_a_candidate_twice_creates_nothing_new(people, candidate, api_as) -> None:
    desk = api_as(people["coordinator"])
    first = _send(desk, candidate.pk).json()
    counts = (Submission.objects.count(), Report.objects.count())
    again = _send(desk, candidate.pk)
    assert again.status_code == 200
    assert again.json()["report_id"] == first["report_id"]
    assert (Submission.objects.count(), Report.objects.count()) == counts == (1, 1)
    # even with the link lost, intake's idempotency key finds the earlier report
    CandidateReport.objects.filter(pk=candidate.pk).update(report=None, sent_at=None)
    relinked = _send(desk, candidate.pk)
    assert relinked.json()["report_id"] == first["report_id"]
    assert (Submission.objects.count(), Report.objects.count()) == counts
    assert AuditEvent.objects.filter(action="assessment.candidate_sent").count() == 2


def test_reviewers_and_labs_cannot_file_candidates(people, candidate, api_as) -> None:
    # the notice's reviewer sees the candidate but may not file it; others do not see it
    assert _send(api_as(people["ns_reviewer"]), candidate.pk).status_code == 403
    for who in ("lab1", "lab2", "reviewer", "vendor", "operator"):
        assert _send(api_as(people[who]), candidate.pk).status_code == 404, who
    assert not Submission.objects.exists()
    candidate.refresh_from_db()
    assert candidate.report_id is None


def test_the_lab_of_the_model_never_sees_the_candidate_or_its_report(
    people, candidate, api_as
) -> None:
    assert _send(api_as(people["coordinator"]), candidate.pk).status_code == 201
    lab = people["lab1"]
    assert candidate.ai_model.organisation == lab.organisation
    assert not visible(CandidateReport, lab).exists()
    assert not visible(Report, lab).exists()
    assert not visible(Submission, lab).exists()
    assert api_as(lab).get("/api/assessments/candidates").json()["items"] == []
    assert visible(Report, people["coordinator"]).count() == 1


def test_the_candidates_page_offers_the_button_to_the_desk_only(
    people, candidate, pages_as
) -> None:
    desk = pages_as(people["coordinator"])
    page = desk.get("/assessments/candidates/")
    assert b'data-testid="send-candidate"' in page.content
    reviewer = pages_as(people["ns_reviewer"])
    assert b'data-testid="send-candidate"' not in reviewer.get("/assessments/candidates/").content
    refused = reviewer.post(f"/assessments/candidates/{candidate.pk}/send/", follow=True)
    assert b"only the clearinghouse desk" in refused.content
    assert not Submission.objects.exists()

    filed = desk.post(f"/assessments/candidates/{candidate.pk}/send/", follow=True)
    report = Report.objects.get()
    assert f"report #{report.pk}".encode() in filed.content
    assert f'href="/intake/reports/{report.pk}/"'.encode() in filed.content
    assert b'data-testid="send-candidate"' not in filed.content
    again = desk.post(f"/assessments/candidates/{candidate.pk}/send/", follow=True)
    assert b"nothing new made" in again.content
    assert Report.objects.count() == 1
