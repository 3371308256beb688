"""API of security assessments: thin handlers over `services`, lists through `visible`."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.inputs import parse
from clearinghouse.paging import Paged
from clearinghouse.reviews.models import Notice

from . import availability, runner, services
from .inputs import StartRun, UploadLog
from .models import AssessmentRun, CandidateReport
from .transcripts import SampleView, samples_of

router = Router(tags=["security assessments"])


class RunOut(Schema):
    """An assessment run or uploaded log; never a secret."""

    id: int
    notice_id: int
    suite: str
    families: list[str]
    origin: str
    self_reported: bool
    organisation: str
    target: str
    sandbox: str
    status: str
    failure_reason: str
    samples_done: int
    samples_total: int
    scores: dict[str, float]
    levels: dict[str, int]
    policy_id: str
    policy_version: str
    started_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_organisation(run: AssessmentRun) -> str:
        return run.organisation.name if run.organisation else ""

    @staticmethod
    def resolve_started_by(run: AssessmentRun) -> str:
        return run.started_by.username if run.started_by else ""


class CandidateOut(Schema):
    """A vulnerability a model reported during an assessment, kept for the clearinghouse desk."""

    id: int
    run_id: int
    ai_model_id: int
    sample_id: str
    language: str
    cwe: str
    line: int | None
    function: str
    summary: str
    matches_ground_truth: bool
    report_id: int | None
    sent_at: dt.datetime | None
    created_at: dt.datetime


@router.get("/suites", response=list[availability.SuiteStatus])
def list_suites(request: HttpRequest) -> list[availability.SuiteStatus]:
    """The suites a run can use; optional ones say whether this server can run them."""
    signed_in(request)
    return availability.suites()


@router.get("/runs", response=list[RunOut])
@paginate(Paged)
def list_runs(request: HttpRequest, notice: int | None = None) -> QuerySet[AssessmentRun]:
    """Runs and uploaded logs I may see, newest first, paged; `?notice=ID` for one notice."""
    runs = visible(AssessmentRun, signed_in(request)).select_related("organisation", "started_by")
    if notice is not None:
        runs = runs.filter(notice_id=notice)
    return runs


@router.post("/notices/{notice_id}/runs", response={201: RunOut})
def start_run(request: HttpRequest, notice_id: int, payload: StartRun) -> Status[AssessmentRun]:
    """Queue a run of a suite against the notice's granted model (its reviewers and admins)."""
    notice = get_object_or_404(visible(Notice, signed_in(request)), pk=notice_id)
    return Status(201, services.start_run(signed_in(request), notice, payload))


@router.post("/notices/{notice_id}/logs", response={201: RunOut})
def upload_log(
    request: HttpRequest, notice_id: int, file: File[UploadedFile]
) -> Status[AssessmentRun]:
    """Upload an Inspect eval log (.eval or .json) run elsewhere: self-reported for the lab.

    A multipart body holds the file; the rules on it are `UploadLog`'s.
    """
    notice = get_object_or_404(visible(Notice, signed_in(request)), pk=notice_id)
    limit = int(runner.limits()["max_upload_bytes"])
    command = parse(UploadLog, {"file": file})
    return Status(201, services.upload_log(signed_in(request), notice, command, limit))


@router.get("/runs/{run_id}", response=RunOut)
def get_run(request: HttpRequest, run_id: int) -> AssessmentRun:
    """One run with its progress, scores and capability levels."""
    return get_object_or_404(visible(AssessmentRun, signed_in(request)), pk=run_id)


@router.get("/runs/{run_id}/samples", response=list[SampleView])
@paginate(Paged)
def run_samples(request: HttpRequest, run_id: int, **kwargs: Any) -> list[SampleView]:
    """The run's samples from its eval logs, a page at a time: input, output, score, transcript."""
    run = get_object_or_404(visible(AssessmentRun, signed_in(request)), pk=run_id)
    return samples_of(run)


@router.post("/runs/{run_id}/resume", response=RunOut)
def resume_run(request: HttpRequest, run_id: int) -> AssessmentRun:
    """Queue a failed or stalled run again; samples already finished are kept."""
    run = get_object_or_404(visible(AssessmentRun, signed_in(request)), pk=run_id)
    return services.resume_run(signed_in(request), run)


@router.get("/candidates", response=list[CandidateOut])
@paginate(Paged)
def list_candidates(request: HttpRequest, run: int | None = None) -> QuerySet[CandidateReport]:
    """Vulnerabilities models reported in assessments (the desk and the notice's reviewers),
    paged."""
    candidates = visible(CandidateReport, signed_in(request))
    if run is not None:
        candidates = candidates.filter(run_id=run)
    return candidates


@router.post("/candidates/{candidate_id}/report", response={200: CandidateOut, 201: CandidateOut})
def send_candidate(request: HttpRequest, candidate_id: int) -> Status[CandidateReport]:
    """File a candidate with intake as a report (coordinators); 200 if it was filed already."""
    user = signed_in(request)
    candidate = get_object_or_404(visible(CandidateReport, user), pk=candidate_id)
    sent, created = services.send_candidate(user, candidate)
    return Status(201 if created else 200, sent)
