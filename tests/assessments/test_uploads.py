"""Eval logs run elsewhere: validated, attributed, scored, marked self-reported or external."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clearinghouse.assessments.models import AssessmentRun
from clearinghouse.frontier.models import AIModel
from clearinghouse.reviews.models import Finding


def _upload(client, notice_id: int, path: Path | None, name: str = "", content: bytes = b""):
    data = path.read_bytes() if path else content
    file = SimpleUploadedFile(name or (path.name if path else "log.eval"), data)
    return client.post(f"/api/assessments/notices/{notice_id}/logs", {"file": file})


@pytest.mark.django_db
@pytest.mark.parametrize("log_format", ["eval", "json"])
def test_a_lab_uploads_a_self_reported_log_that_changes_nothing_else(
    people, under_review, api_as, logs, log_format
) -> None:
    response = _upload(api_as(people["lab1"]), under_review["id"], logs[log_format])
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["origin"] == "self_reported" and run["self_reported"] is True
    assert run["organisation"] == "Lab One"
    assert run["status"] == "completed"
    assert run["levels"] == {"cyber_vuln_id": 4}
    assert "mockllm/model" in run["target"]
    # shown to the lab and to the notice's reviewers, beside our runs
    shown = api_as(people["lab1"]).get("/api/assessments/runs").json()["items"]
    assert [r["id"] for r in shown] == [run["id"]]
    reviewer_view = api_as(people["ns_reviewer"]).get(f"/api/assessments/runs/{run['id']}")
    assert reviewer_view.json()["self_reported"] is True
    samples = api_as(people["lab1"]).get(f"/api/assessments/runs/{run['id']}/samples").json()
    assert samples["count"] == 3 and all(s["score"] == "1.0" for s in samples["items"])
    second = api_as(people["lab1"]).get(
        f"/api/assessments/runs/{run['id']}/samples?limit=1&offset=1"
    )
    assert [s["id"] for s in second.json()["items"]] == [samples["items"][1]["id"]]
    # a self-reported log never moves the model's level nor drafts findings
    assert AIModel.objects.get(pk=under_review["ai_model_id"]).cyber_capability_level is None
    assert not Finding.objects.exists()


@pytest.mark.django_db
def test_an_institute_upload_is_external_not_self_reported(people, under_review, api_as, logs):
    response = _upload(api_as(people["civ_reviewer"]), under_review["id"], logs["eval"])
    assert response.status_code == 201
    assert response.json()["origin"] == "external"
    assert response.json()["self_reported"] is False
    # the lab does not see another institute's upload
    assert api_as(people["lab1"]).get("/api/assessments/runs").json()["items"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("log.eval", b"PK\x03\x04 this is not a zip archive", "not a readable Inspect eval log"),
        ("log.json", b'{"version": 2, "status": "success"', "not a readable Inspect eval log"),
        ("log.json", b'{"hello": "world"}', "not a readable Inspect eval log"),
        ("log.txt", b"whatever", ".eval or .json"),
    ],
)
def test_corrupt_uploads_are_refused_with_a_reason_and_nothing_is_kept(
    people, under_review, api_as, settings, name, content, message
) -> None:
    response = _upload(api_as(people["lab1"]), under_review["id"], None, name, content)
    assert response.status_code == 422
    assert message in response.json()["detail"][0]["msg"]
    assert not AssessmentRun.objects.exists()
    uploads = settings.CLEARINGHOUSE_ASSESSMENT_DIR / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


@pytest.mark.django_db
def test_logs_of_other_tasks_and_oversized_logs_are_refused(
    people, under_review, api_as, logs, settings
) -> None:
    lab = api_as(people["lab1"])
    other = _upload(lab, under_review["id"], logs["other"])
    assert other.status_code == 422
    assert "not a task of the cyber suite" in other.json()["detail"][0]["msg"]
    settings.CLEARINGHOUSE_ASSESSMENT = settings.CLEARINGHOUSE_ASSESSMENT | {"max_upload_bytes": 10}
    big = _upload(lab, under_review["id"], logs["eval"])
    assert big.status_code == 422
    assert "over the 10-byte limit" in big.json()["detail"][0]["msg"]
    assert not AssessmentRun.objects.exists()


@pytest.mark.django_db
def test_other_labs_and_unassigned_roles_cannot_upload(people, under_review, api_as, logs):
    assert _upload(api_as(people["lab2"]), under_review["id"], logs["eval"]).status_code == 404
    assert _upload(api_as(people["reviewer"]), under_review["id"], logs["eval"]).status_code == 404
    coordinator = _upload(api_as(people["coordinator"]), under_review["id"], logs["eval"])
    assert coordinator.status_code == 404
    assert not AssessmentRun.objects.exists()


@pytest.mark.django_db
def test_a_lab_uploads_on_its_notice_page(people, under_review, pages_as, logs) -> None:
    page = pages_as(people["lab1"])
    notice = page.get(f"/reviews/notices/{under_review['id']}/")
    assert b"Upload an Inspect eval log" in notice.content
    assert b"Run assessment" not in notice.content
    with logs["eval"].open("rb") as handle:
        response = page.post(f"/assessments/notices/{under_review['id']}/upload/", {"file": handle})
    run = AssessmentRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/runs/{run.pk}/"
    shown = page.get(response["Location"])
    assert b"Self-reported" in shown.content
    corrupt = page.post(
        f"/assessments/notices/{under_review['id']}/upload/",
        {"file": SimpleUploadedFile("bad.eval", b"garbage")},
        follow=True,
    )
    assert b"not a readable Inspect eval log" in corrupt.content
    assert AssessmentRun.objects.count() == 1
