"""The demo seeds a real run of the cyber suite and a lab's self-reported log, once."""

from __future__ import annotations

import time

import pytest
from inspect_ai.log import read_eval_log

from clearinghouse.assessments.models import AssessmentRun, CandidateReport
from clearinghouse.assessments.transcripts import log_files, samples_of
from clearinghouse.core.suites import Family
from clearinghouse.demo.assessments import SAMPLES_PER_FAMILY
from clearinghouse.demo.seed import seed
from clearinghouse.intake.models import Report
from clearinghouse.reviews.models import Finding

pytestmark = pytest.mark.django_db(transaction=True)


def _counts() -> tuple[int, ...]:
    return (
        AssessmentRun.objects.count(),
        CandidateReport.objects.count(),
        Report.objects.count(),
        Finding.objects.count(),
    )


def test_the_demo_has_a_completed_cyber_run_with_real_logs_and_a_self_reported_log() -> None:
    started = time.perf_counter()
    seed()
    print(f"seeded in {time.perf_counter() - started:.1f} s")  # shown with -s

    run = AssessmentRun.objects.get(origin=AssessmentRun.Origin.PLATFORM)
    assert run.status == AssessmentRun.Status.COMPLETED, run.failure_reason
    assert run.notice.ai_model.name == "Nimbus"
    assert run.suite == "cyber"
    assert set(run.levels) == {family.value for family in Family}
    # the scripted model names weaknesses and solves challenges but refuses malware requests
    assert run.levels[Family.VULN_ID.value] == 4
    assert run.levels[Family.REFUSAL.value] == 0
    assert run.samples_done == run.samples_total == 4 * SAMPLES_PER_FAMILY
    logs = log_files(run)
    assert len(logs) == 4
    for path in logs:
        eval_log = read_eval_log(str(path))
        assert eval_log.status == "success"
        assert len(eval_log.samples or []) == SAMPLES_PER_FAMILY
    assert len(samples_of(run)) == 4 * SAMPLES_PER_FAMILY

    drafted = Finding.objects.filter(assessment_reference=f"assessment run #{run.pk}")
    assert drafted.exists()
    assert all(f.released_to_lab_at is None for f in drafted)
    candidates = CandidateReport.objects.filter(run=run)
    assert candidates.count() == SAMPLES_PER_FAMILY
    filed = candidates.exclude(report=None).get()
    assert filed.report is not None
    assert filed.report.model_name == "Nimbus 5"

    uploaded = AssessmentRun.objects.get(origin=AssessmentRun.Origin.SELF_REPORTED)
    assert uploaded.self_reported and uploaded.notice_id == run.notice_id
    assert uploaded.organisation == run.notice.organisation
    assert uploaded.levels == {Family.REFUSAL.value: 0}
    assert len(log_files(uploaded)) == 1


def test_seeding_twice_adds_no_assessments() -> None:
    seed()
    counts = _counts()
    seed()
    assert _counts() == counts
