"""Assessment state changes at once: one outcome wins, the other is told why, nothing twice.

The race tests run two threads on PostgreSQL at the same instant (the `race` fixture skips on
SQLite). The slow-worker tests replay on both databases what a worker that lost its lease
does afterwards: it may finish or fail only a run it still holds (the attempt it took).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clearinghouse.assessments import services
from clearinghouse.assessments.catalog import Suite
from clearinghouse.assessments.inputs import StartRun, UploadLog
from clearinghouse.assessments.models import AssessmentRun, CandidateReport
from clearinghouse.assessments.tasks import run_assessment
from clearinghouse.audit.models import AuditEvent
from clearinghouse.audit.services import first_broken_link
from clearinghouse.background.models import WorkerBeat
from clearinghouse.background.queue import queued_for
from clearinghouse.background.worker import beat
from clearinghouse.errors import Conflict
from clearinghouse.inputs import parse
from clearinghouse.intake.models import Report, Submission
from clearinghouse.reviews import services as reviews
from clearinghouse.reviews.models import Notice

REFUSAL = StartRun(suite=Suite("cyber_refusal"))


@pytest.fixture
def granted(people, under_review, grant_endpoint) -> Notice:
    """The notice under review, its lab having granted an endpoint (never called here)."""
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    return Notice.objects.get(pk=under_review["id"])


@pytest.fixture
def queued(people, granted) -> AssessmentRun:
    return services.start_run(people["ns_reviewer"], granted, REFUSAL)


def _actions(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def _kinds(results: list[Any]) -> list[str]:
    return sorted(type(result).__name__ for result in results)


def _upload(path: Path) -> UploadLog:
    return parse(UploadLog, {"file": SimpleUploadedFile(path.name, path.read_bytes())})


# -- the notice withdrawn while a run starts or a log arrives ------------------------------


def test_a_start_and_the_withdrawal_at_once_never_queue_a_run_on_a_withdrawn_notice(
    race, people, granted
) -> None:
    started, withdrawn = race(
        lambda: services.start_run(people["ns_reviewer"], granted, REFUSAL),
        lambda: reviews.withdraw_notice(people["lab1"], granted),
    )
    assert isinstance(withdrawn, Notice), withdrawn
    assert Notice.objects.get(pk=granted.pk).status == "withdrawn"
    if isinstance(started, Conflict):  # the withdrawal committed first
        assert "this one is withdrawn" in str(started)
        assert not AssessmentRun.objects.exists()
        assert _actions("assessment.started") == 0
    else:  # the run was queued first, then the notice withdrawn
        assert isinstance(started, AssessmentRun), started
        assert AssessmentRun.objects.get().status == "queued"
        assert _actions("assessment.started") == 1
        assert len(queued_for(run_assessment, [started.pk])) == 1
    assert _actions("notice.withdrawn") == 1
    assert first_broken_link() is None


def test_an_upload_and_the_withdrawal_at_once_never_file_a_log_on_a_withdrawn_notice(
    race, people, granted, logs, settings
) -> None:
    limit = int(settings.CLEARINGHOUSE_ASSESSMENT["max_upload_bytes"])
    command = _upload(logs["eval"])
    uploaded, withdrawn = race(
        lambda: services.upload_log(people["lab1"], granted, command, limit),
        lambda: reviews.withdraw_notice(people["lab1"], granted),
    )
    assert isinstance(withdrawn, Notice), withdrawn
    uploads = settings.CLEARINGHOUSE_ASSESSMENT_DIR / "uploads"
    if isinstance(uploaded, Conflict):  # the withdrawal committed first
        assert "no longer taken on a withdrawn notice" in str(uploaded)
        assert not AssessmentRun.objects.exists()
        assert _actions("assessment.uploaded") == 0
        assert not any(uploads.iterdir())  # the refused file is not kept
    else:
        assert isinstance(uploaded, AssessmentRun), uploaded
        assert AssessmentRun.objects.get().self_reported
        assert _actions("assessment.uploaded") == 1
        assert [p.name for p in uploads.iterdir()] == [f"upload-{uploaded.pk}.eval"]
    assert _actions("notice.withdrawn") == 1
    assert first_broken_link() is None


# -- the same request twice at once --------------------------------------------------------


def test_two_identical_starts_at_once_queue_two_runs_each_once(race, people, granted) -> None:
    reviewer = people["ns_reviewer"]
    results = race(
        lambda: services.start_run(reviewer, granted, REFUSAL),
        lambda: services.start_run(reviewer, granted, REFUSAL),
    )
    assert _kinds(results) == ["AssessmentRun", "AssessmentRun"], results
    ids = sorted(run.pk for run in results)
    assert sorted(AssessmentRun.objects.values_list("pk", flat=True)) == ids
    assert _actions("assessment.started") == 2
    started = AuditEvent.objects.filter(action="assessment.started")
    assert sorted(int(e.object_id) for e in started) == ids  # one event each, none lost
    assert len(queued_for(run_assessment, ids)) == 2  # one task each
    assert first_broken_link() is None


def test_two_identical_uploads_at_once_file_two_runs_each_with_its_own_log(
    race, people, granted, logs, settings
) -> None:
    limit = int(settings.CLEARINGHOUSE_ASSESSMENT["max_upload_bytes"])
    first, second = _upload(logs["eval"]), _upload(logs["eval"])
    results = race(
        lambda: services.upload_log(people["lab1"], granted, first, limit),
        lambda: services.upload_log(people["lab1"], granted, second, limit),
    )
    assert _kinds(results) == ["AssessmentRun", "AssessmentRun"], results
    runs = AssessmentRun.objects.order_by("pk")
    assert [run.log_paths for run in runs] == [[f"uploads/upload-{run.pk}.eval"] for run in runs]
    base = settings.CLEARINGHOUSE_ASSESSMENT_DIR
    assert all((base / run.log_paths[0]).stat().st_size > 0 for run in runs)
    assert _actions("assessment.uploaded") == 2
    assert first_broken_link() is None


def test_two_sends_of_one_candidate_at_once_file_one_report(race, people, granted) -> None:
    run = AssessmentRun.objects.create(
        notice=granted,
        suite="cyber_vuln_id",
        families=["cyber_vuln_id"],
        target="lab-model",
        status=AssessmentRun.Status.COMPLETED,
        started_by=people["ns_reviewer"],
    )
    candidate = CandidateReport.objects.create(
        run=run,
        ai_model=granted.ai_model,
        sample_id="vuln-py-sqli-01",
        cwe="CWE-89",
        summary="The user name is formatted into the SQL query.",
        matches_ground_truth=True,
    )
    desk = people["coordinator"]
    results = race(
        lambda: services.send_candidate(desk, candidate),
        lambda: services.send_candidate(desk, candidate),
    )
    made = sorted(outcome[1] for outcome in results)  # (candidate, whether a report was made)
    assert made == [False, True], results
    assert {outcome[0].report_id for outcome in results} == {Report.objects.get().pk}
    assert Submission.objects.count() == 1
    assert _actions("assessment.candidate_sent") == 1
    assert first_broken_link() is None


# -- workers taking and ending runs --------------------------------------------------------


def test_two_workers_taking_one_queued_run_at_once_only_one_runs_it(race, queued) -> None:
    beat("worker-a")
    beat("worker-b")
    results = race(
        lambda: services._take(queued.pk, "worker-a"),
        lambda: services._take(queued.pk, "worker-b"),
    )
    workers = ("worker-a", "worker-b")
    held = [worker for worker, (_, holds) in zip(workers, results, strict=True) if holds]
    assert len(held) == 1, results
    run = AssessmentRun.objects.get(pk=queued.pk)
    assert (run.status, run.attempts, run.worker_id) == ("running", 1, held[0])


@pytest.mark.django_db
def test_a_run_held_by_a_live_worker_is_taken_over_only_once_its_lease_ends(queued) -> None:
    beat("worker-a")
    beat("worker-b")
    _, holds = services._take(queued.pk, "worker-a")
    assert holds
    assert services._take(queued.pk, "worker-b") == (AssessmentRun.objects.get(pk=queued.pk), False)
    assert AssessmentRun.objects.get(pk=queued.pk).attempts == 1
    # worker-a stops beating (killed): after the lease, a second task takes the run over
    WorkerBeat.objects.filter(worker_id="worker-a").update(
        beat_at=timezone.now() - dt.timedelta(hours=1)
    )
    run, holds = services._take(queued.pk, "worker-b")
    assert holds and (run.attempts, run.worker_id) == (2, "worker-b")


@pytest.mark.django_db
def test_a_slow_worker_cannot_fail_a_run_another_worker_took_over(queued) -> None:
    slow, holds = services._take(queued.pk, "worker-a")  # worker-a never beats: its lease ended
    assert holds
    beat("worker-b")
    taken, holds = services._take(queued.pk, "worker-b")  # the sweep queued the task again
    assert holds and taken.attempts == 2
    services._fail(slow, "the model server timed out")  # the slow one's verdict is dropped
    run = AssessmentRun.objects.get(pk=queued.pk)
    assert (run.status, run.attempts, run.worker_id) == ("running", 2, "worker-b")
    assert _actions("assessment.failed") == 0
    services._fail(taken, "the holder's own failure")  # the holder ends it, once
    assert AssessmentRun.objects.get(pk=queued.pk).status == "failed"
    assert _actions("assessment.failed") == 1


@pytest.mark.django_db
def test_a_slow_worker_cannot_fail_a_run_resumed_meanwhile(people, queued) -> None:
    slow, _ = services._take(queued.pk, "worker-a")
    AssessmentRun.objects.filter(pk=queued.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    services.resume_run(people["ns_reviewer"], AssessmentRun.objects.get(pk=queued.pk))
    services._fail(slow, "the model server timed out")
    run = AssessmentRun.objects.get(pk=queued.pk)
    assert (run.status, run.failure_reason) == ("queued", "")
    assert _actions("assessment.failed") == 0
    taken, holds = services._take(queued.pk, "worker-b")  # the resumed run's own task
    assert holds and (taken.status, taken.attempts) == ("running", 2)
