"""A run cut off mid-way resumes from its eval log: finished samples are not asked again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from inspect_ai.log import read_eval_log, write_eval_log

from clearinghouse.assessments.models import AssessmentRun

pytestmark = pytest.mark.django_db(transaction=True)


def _work() -> None:
    call_command("db_worker", batch=True, startup_delay=False)


@pytest.mark.parametrize("left_as", ["error", "started"])
def test_an_interrupted_run_resumes_with_eval_retry_and_keeps_finished_samples(
    people, under_review, grant_endpoint, capable_endpoint, api_as, settings, left_as
) -> None:
    settings.CLEARINGHOUSE_ASSESSMENT = settings.CLEARINGHOUSE_ASSESSMENT | {"max_connections": 1}
    reviewer = api_as(people["ns_reviewer"])
    grant_endpoint(under_review["id"], capable_endpoint.base_url)
    capable_endpoint.fail_after = 3  # the model server dies after three answers
    started = reviewer.post(
        f"/api/assessments/notices/{under_review['id']}/runs",
        {"suite": "cyber_vuln_id"},
        content_type="application/json",
    ).json()
    _work()
    run = AssessmentRun.objects.get(pk=started["id"])
    assert run.status == "failed"
    assert "cyber_vuln_id" in run.failure_reason
    interrupted_logs = list(settings.CLEARINGHOUSE_ASSESSMENT_DIR.rglob("*.eval"))
    assert len(interrupted_logs) == 1
    if left_as == "started":  # what a killed worker leaves: a log that never ended
        interrupted = read_eval_log(str(interrupted_logs[0]))
        interrupted.status, interrupted.error, interrupted.results = "started", None, None
        write_eval_log(interrupted, str(interrupted_logs[0]))
        run.status, run.failure_reason = "running", ""
        run.heartbeat_at = timezone.now() - dt.timedelta(hours=1)
        run.save()

    first_pass = len(capable_endpoint.requests)
    capable_endpoint.fail_after = None
    # the run resumes under the bounds it started with, not the settings of the day
    assert run.bounds["sample_limit"] == 6
    settings.CLEARINGHOUSE_ASSESSMENT = settings.CLEARINGHOUSE_ASSESSMENT | {"sample_limit": 2}
    resumed = reviewer.post(f"/api/assessments/runs/{run.pk}/resume")
    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["status"] == "queued"
    _work()

    run.refresh_from_db()
    assert run.status == "completed", run.failure_reason
    assert run.attempts == 2
    assert run.samples_done == run.samples_total == 6
    assert run.levels == {"cyber_vuln_id": 4}
    # the three samples answered before the crash were kept, not asked again
    second_pass = len(capable_endpoint.requests) - first_pass
    assert second_pass == 6 - 3


def test_only_failed_or_stalled_runs_resume(people, under_review, grant_endpoint, api_as) -> None:
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    reviewer = api_as(people["ns_reviewer"])
    started = reviewer.post(
        f"/api/assessments/notices/{under_review['id']}/runs",
        {"suite": "cyber_refusal"},
        content_type="application/json",
    ).json()
    run = AssessmentRun.objects.get(pk=started["id"])
    assert reviewer.post(f"/api/assessments/runs/{run.pk}/resume").status_code == 409  # queued

    # a worker took it and then went silent (killed): stale after the configured time
    run.status, run.heartbeat_at = "running", timezone.now()
    run.save()
    assert reviewer.post(f"/api/assessments/runs/{run.pk}/resume").status_code == 409
    run.heartbeat_at = timezone.now() - dt.timedelta(minutes=5)
    run.save()
    response = reviewer.post(f"/api/assessments/runs/{run.pk}/resume")
    assert response.status_code == 200
    assert response.json()["status"] == "queued"

    # the lab cannot resume (it cannot even see our runs)
    assert api_as(people["lab1"]).post(f"/api/assessments/runs/{run.pk}/resume").status_code == 404


def _failed_run(people, under_review, grant_endpoint, api_as) -> AssessmentRun:
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    started = (
        api_as(people["ns_reviewer"])
        .post(
            f"/api/assessments/notices/{under_review['id']}/runs",
            {"suite": "cyber_refusal"},
            content_type="application/json",
        )
        .json()
    )
    AssessmentRun.objects.filter(pk=started["id"]).update(status="failed", failure_reason="x")
    return AssessmentRun.objects.get(pk=started["id"])


def test_a_stale_copy_of_a_run_resumed_meanwhile_is_a_conflict(
    people, under_review, grant_endpoint, api_as
) -> None:
    from clearinghouse.assessments.services import resume_run
    from clearinghouse.audit.models import AuditEvent
    from clearinghouse.errors import Conflict

    copy = _failed_run(people, under_review, grant_endpoint, api_as)
    resume_run(people["ns_reviewer"], AssessmentRun.objects.get(pk=copy.pk))
    assert copy.status == "failed"  # the caller's copy still says so …
    with pytest.raises(Conflict, match="queued"):
        resume_run(people["ns_reviewer"], copy)  # … but the row is queued now
    resumed = AuditEvent.objects.filter(action="assessment.resumed", object_id=str(copy.pk))
    assert resumed.count() == 1


def test_two_resumes_at_once_one_queues_the_run_and_the_other_is_told_why(
    race, people, under_review, grant_endpoint, api_as
) -> None:
    from clearinghouse.assessments.services import resume_run
    from clearinghouse.errors import Conflict

    run = _failed_run(people, under_review, grant_endpoint, api_as)
    reviewer = people["ns_reviewer"]
    results = race(lambda: resume_run(reviewer, run), lambda: resume_run(reviewer, run))
    assert sorted(type(r).__name__ for r in results) == ["AssessmentRun", "Conflict"]
    assert any(isinstance(r, Conflict) for r in results)
    assert AssessmentRun.objects.get(pk=run.pk).status == "queued"


def test_a_task_built_from_a_source_checkout_names_no_file(monkeypatch, tmp_path) -> None:
    """Where Inspect does not see our package as installed (a `src/*.egg-info` shadowing the
    editable install), the run's tasks still carry no file path for eval_retry to load."""
    import sys

    from inspect_ai._eval.task.util import task_file
    from inspect_ai._util.package import get_package_direct_url

    from clearinghouse.assessments import runner

    (tmp_path / "clearinghouse.egg-info").mkdir()
    (tmp_path / "clearinghouse.egg-info" / "PKG-INFO").write_text("Name: clearinghouse\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    get_package_direct_url.cache_clear()
    try:
        task = runner.task_for("cyber_vuln_id", runner.limits(), "local")
    finally:
        get_package_direct_url.cache_clear()
    assert task_file(task) is None
