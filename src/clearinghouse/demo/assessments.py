"""Demo assessments: a real run of the cyber suite on a scripted model, and a lab's own log.

A newcomer should find assessments already there: one completed run of the cyber suite
against the model of the notice under review (run through the same services as a reviewer's
button, with real Inspect logs, capability levels, drafted findings and the vulnerabilities
the model reported, one of them filed with intake by the desk), plus one eval log the lab
uploaded as self-reported. The model is a scripted mockllm (`demo.scripted`), so seeding
needs no model, no GPU and no network; a few samples per family keep it to seconds.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from clearinghouse.accounts.models import User
from clearinghouse.assessments import runner, services
from clearinghouse.assessments.catalog import Suite
from clearinghouse.assessments.inputs import StartRun, UploadLog
from clearinghouse.assessments.models import AssessmentRun, CandidateReport
from clearinghouse.core.suites import Family
from clearinghouse.inputs import parse
from clearinghouse.reviews.models import Notice

from . import scripted

log = logging.getLogger(__name__)

MODEL = "Nimbus"
"""The demo model whose notice (under review) is assessed."""
SAMPLES_PER_FAMILY = 3
"""Samples of each family in the demo run: enough for a level, small enough to seed fast."""
REVIEWER, LAB, DESK = "ns-reviewer", "northwind-dev", "coordinator"


def _bounds() -> dict[str, Any]:
    # The demo's scripted agent runs fixed walkthroughs, so the local sandbox is enough and
    # needs no Docker images; a few samples per family keep seeding to seconds.
    return dict(settings.CLEARINGHOUSE_ASSESSMENT) | {
        "sandbox": "local",
        "sample_limit": SAMPLES_PER_FAMILY,
        "max_retries": 0,
    }


def seed_assessments() -> None:
    """Add the demo run, its filed candidate and the lab's self-reported log, if missing.

    Not inside the seed's transaction: the worker's code commits progress as samples finish.
    """
    notice = Notice.objects.filter(ai_model__name=MODEL).first()
    if notice is None:
        return
    run = _platform_run(notice)
    if run is not None and run.status == AssessmentRun.Status.COMPLETED:
        _file_one_candidate(run)
    _self_reported_log(notice)


def _platform_run(notice: Notice) -> AssessmentRun | None:
    existing = AssessmentRun.objects.filter(
        notice=notice, origin=AssessmentRun.Origin.PLATFORM, suite=Suite.CYBER
    ).first()
    if existing is not None:
        return existing
    reviewer = User.objects.get(username=REVIEWER)
    run = services.start_run(reviewer, notice, StartRun(suite=Suite.CYBER), bounds=_bounds())
    run = services.execute(run.pk)  # the grant names clearinghouse-demo/capable
    if run.status != AssessmentRun.Status.COMPLETED:
        log.warning("the demo assessment run #%s failed: %s", run.pk, run.failure_reason)
    return run


def _file_one_candidate(run: AssessmentRun) -> None:
    candidate = CandidateReport.objects.filter(run=run).order_by("sample_id").first()
    if candidate is not None and candidate.report_id is None:
        services.send_candidate(User.objects.get(username=DESK), candidate)


def _self_reported_log(notice: Notice) -> None:
    if AssessmentRun.objects.filter(
        notice=notice, origin=AssessmentRun.Origin.SELF_REPORTED
    ).exists():
        return
    from inspect_ai import eval

    bounds = _bounds()
    task = runner.task_for(Family.REFUSAL.value, bounds, "local")
    with tempfile.TemporaryDirectory(prefix="clearinghouse-demo-") as directory:
        (eval_log,) = eval(
            task,
            model=scripted.mock(scripted.refusing()),
            log_dir=directory,
            **runner.eval_options(bounds),
        )
        if eval_log.status != "success" or not eval_log.location:
            log.warning("the demo's self-reported log did not complete: %s", eval_log.error)
            return
        path = Path(eval_log.location)
        upload = SimpleUploadedFile(f"northwind-{path.name}", path.read_bytes())
    lab = User.objects.get(username=LAB)
    command = parse(UploadLog, {"file": upload})
    services.upload_log(lab, notice, command, int(bounds["max_upload_bytes"]))
