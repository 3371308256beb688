"""API of intake: submit documents, follow a submission, list, read and triage reports."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.errors import InvalidInput

from . import services
from .models import DuplicateCandidate, Report, Submission

router = Router(tags=["intake"])


class ReportBriefOut(Schema):
    """A report as a submission lists it: enough to find it and see if it is a duplicate."""

    id: int
    index: int
    title: str
    status: str
    duplicate_of: int | None
    ssvc_decision: str
    priority_points: int

    @staticmethod
    def resolve_duplicate_of(report: Report) -> int | None:
        return report.duplicate_of_id


class SubmissionOut(Schema):
    """A submitted document: processing status, progress and the reports it became."""

    id: int
    organisation: str
    format: str
    filename: str
    sha256: str
    status: str
    reporter_kind: str
    model_name: str
    assessment_reference: str
    total_items: int
    processed_items: int
    errors: list[Any]
    created_at: dt.datetime
    completed_at: dt.datetime | None
    reports: list[ReportBriefOut]

    @staticmethod
    def resolve_organisation(submission: Submission) -> str:
        return submission.organisation.name

    @staticmethod
    def resolve_reports(submission: Submission) -> list[Report]:
        # Sorted here so that reports prefetched for many submissions at once are used.
        return sorted(submission.reports.all(), key=lambda report: report.index)


class BatchItemOut(Schema):
    """One document of a batch: its submission (new or earlier), or why it was refused."""

    name: str
    created: bool
    submission: SubmissionOut | None
    errors: list[dict[str, Any]]


class CandidateOut(Schema):
    """An earlier report that may be the same vulnerability, with dedup's score and reasons."""

    report_id: int
    title: str
    status: str
    score: float
    reasons: list[str]

    @staticmethod
    def resolve_report_id(candidate: DuplicateCandidate) -> int:
        return candidate.candidate_id

    @staticmethod
    def resolve_title(candidate: DuplicateCandidate) -> str:
        return candidate.candidate.title

    @staticmethod
    def resolve_status(candidate: DuplicateCandidate) -> str:
        return candidate.candidate.status


class ReportOut(Schema):
    """A report with its scores and the reasons for its priority."""

    id: int
    submission_id: int
    index: int
    organisation: str
    source_format: str
    reporter_kind: str
    model_name: str
    assessment_reference: str
    title: str
    aliases: list[str]
    cve_ids: list[str]
    cwe: str
    products: list[dict[str, str]]
    cvss_vector: str
    cvss_version: str
    cvss_score: float | None
    cvss_label: str
    sectors: list[str]
    ssvc_inputs: dict[str, str]
    ssvc_decision: str
    in_kev: bool
    epss: float | None
    priority_points: int
    priority_reasons: list[str]
    status: str
    decline_reason: str
    duplicate_of: int | None
    created_at: dt.datetime
    triaged_at: dt.datetime | None

    @staticmethod
    def resolve_organisation(report: Report) -> str:
        return report.organisation.name

    @staticmethod
    def resolve_duplicate_of(report: Report) -> int | None:
        return report.duplicate_of_id


class ReportDetailOut(ReportOut):
    """One report with its text, its part of the original document and (coordinators) candidates."""

    description: str
    item: Any
    candidates: list[CandidateOut]

    @staticmethod
    def resolve_candidates(report: Report, context: dict[str, Any]) -> list[DuplicateCandidate]:
        user = context["request"].auth
        candidates = visible(DuplicateCandidate, user).filter(report=report)
        return list(candidates.select_related("candidate"))


class ReportFilter(Schema):
    """Narrow the report list (shared by the API and the triage page)."""

    status: str | None = None
    sector: str | None = None
    ssvc: str | None = None
    kev: bool | None = None
    source: str | None = None
    has_cve: bool | None = None
    reporter_kind: str | None = None
    limit: int = 100
    offset: int = 0


class TriageIn(Schema):
    """A coordinator's decision on one report."""

    action: Literal["accept", "decline", "duplicate", "merge", "unmerge", "reopen"]
    reason: str = ""
    duplicate_of: int | None = None


class BulkIn(Schema):
    """One decision applied to several reports, all or none."""

    report_ids: list[int]
    action: Literal["accept", "decline", "duplicate"]
    reason: str = ""
    duplicate_of: int | None = None


class BulkOut(Schema):
    """How many reports changed."""

    changed: int


def filtered(reports: QuerySet[Report], filters: ReportFilter) -> QuerySet[Report]:
    """Apply the queue's filters."""
    if filters.status:
        reports = reports.filter(status=filters.status)
    if filters.sector:
        reports = reports.filter(sectors__icontains=f'"{filters.sector}"')
    if filters.ssvc:
        reports = reports.filter(ssvc_decision=filters.ssvc)
    if filters.kev is not None:
        reports = reports.filter(in_kev=filters.kev)
    if filters.source:
        reports = reports.filter(source_format=filters.source)
    if filters.has_cve is not None:
        reports = reports.filter(has_cve=filters.has_cve)
    if filters.reporter_kind:
        reports = reports.filter(reporter_kind=filters.reporter_kind)
    return reports


@router.post("/submissions", response={200: SubmissionOut, 201: SubmissionOut})
def submit(
    request: HttpRequest,
    format: str | None = None,
    reporter_kind: str | None = None,
    model: str = "",
    assessment: str = "",
    filename: str = "",
) -> Status[Submission]:
    """Submit one document: the request body itself (JSON, or YAML for OSV), or a multipart
    upload in the field `document`. The format is detected unless `format` names it
    (osv, csaf, cve5, sarif, native). An `Idempotency-Key` header, or the same document
    again, returns the earlier submission (200) instead of a new one (201). Documents with
    many items are processed in the background: follow `processed_items`.
    """
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("document")
        if upload is None:
            raise InvalidInput.single("document", "attach the document in the field 'document'")
        data = services.read_upload(upload)
        filename = filename or upload.name or ""
        format = format or request.POST.get("format") or None
        reporter_kind = reporter_kind or request.POST.get("reporter_kind") or None
        model = model or request.POST.get("model", "")
        assessment = assessment or request.POST.get("assessment", "")
    else:
        data = request.body
        if "yaml" in (request.content_type or "") and not filename:
            filename = "document.yaml"
    outcome = services.submit(
        signed_in(request),
        data,
        filename=filename,
        format=format,
        idempotency_key=request.headers.get("Idempotency-Key"),
        reporter_kind=reporter_kind,
        model_name=model,
        assessment_reference=assessment,
    )
    return Status(201 if outcome.created else 200, outcome.submission)


@router.post("/submissions/batch", response=list[BatchItemOut])
def submit_batch(
    request: HttpRequest,
    format: str | None = None,
    reporter_kind: str | None = None,
    model: str = "",
    assessment: str = "",
) -> list[dict[str, Any]]:
    """Submit several documents at once: a multipart upload with each file in the field
    `documents`. Each becomes its own submission, as if sent one by one, but they are stored
    together (much faster for many small documents). The answer lists every document in
    order with its submission (`created` false: sent before) or its errors; a refused one
    stores nothing and does not hold back the others. Limits: each file as for one
    submission, and `max_batch_bytes` / `max_batch_documents` for the whole (422).
    """
    user = signed_in(request)
    files = request.FILES.getlist("documents") if request.FILES else []
    if not files:
        raise InvalidInput.single("documents", "attach the documents in the field 'documents'")
    answered = services.submit_files(
        user,
        files,
        format=format or request.POST.get("format") or None,
        reporter_kind=reporter_kind or request.POST.get("reporter_kind") or None,
        model_name=model or request.POST.get("model", ""),
        assessment_reference=assessment or request.POST.get("assessment", ""),
    )
    ids = [r.outcome.submission.pk for r in answered if r.outcome is not None]
    stored = (
        visible(Submission, user)
        .filter(pk__in=ids)
        .select_related("organisation")
        .prefetch_related("reports")
        .in_bulk()
    )
    return [
        {
            "name": result.name,
            "created": bool(result.outcome and result.outcome.created),
            "submission": stored[result.outcome.submission.pk] if result.outcome else None,
            "errors": _errors(result.error),
        }
        for result in answered
    ]


def _errors(error: Exception | None) -> list[dict[str, Any]]:
    if error is None:
        return []
    if isinstance(error, InvalidInput):
        return error.detail()
    return [{"loc": ["document"], "msg": str(error)}]


@router.get("/submissions", response=list[SubmissionOut])
def list_submissions(request: HttpRequest, limit: int = 100, offset: int = 0) -> list[Submission]:
    """Submissions I may see: my organisation's; coordinators and admins see all."""
    limit = max(1, min(limit, 1000))
    submissions = visible(Submission, signed_in(request)).select_related("organisation")
    return list(submissions[offset : offset + limit])


@router.get("/submissions/{submission_id}", response=SubmissionOut)
def get_submission(request: HttpRequest, submission_id: int) -> Submission:
    """One submission: its status, progress (processed / total) and its reports."""
    return get_object_or_404(
        visible(Submission, signed_in(request)).select_related("organisation"), pk=submission_id
    )


@router.post("/submissions/{submission_id}/retry", response=SubmissionOut)
def retry_submission(request: HttpRequest, submission_id: int) -> Submission:
    """Send a failed or stalled submission back to the worker; it resumes where it stopped.

    Its submitter or a coordinator (403 otherwise); 409 when it is completed, or still
    queued or processing with its task alive.
    """
    user = signed_in(request)
    submission = get_object_or_404(visible(Submission, user), pk=submission_id)
    services.retry(user, submission)
    return get_submission(request, submission_id)


@router.get("/reports", response=list[ReportOut])
def list_reports(request: HttpRequest, filters: Query[ReportFilter]) -> list[Report]:
    """Reports I may see, highest priority first, with the reasons for each priority."""
    reports = filtered(visible(Report, signed_in(request)), filters).select_related("organisation")
    limit = max(1, min(filters.limit, 1000))
    return list(reports.order_by("-priority_points", "pk")[filters.offset : filters.offset + limit])


@router.post("/reports/bulk", response=BulkOut)
def bulk(request: HttpRequest, payload: BulkIn) -> dict[str, int]:
    """Accept, decline (with a reason) or mark as duplicates several reports at once."""
    user = signed_in(request)
    reports = visible(Report, user).filter(pk__in=payload.report_ids)
    if reports.count() != len(set(payload.report_ids)):
        raise InvalidInput.single("report_ids", "some of these reports do not exist")
    of = _visible_report(request, payload.duplicate_of) if payload.duplicate_of else None
    changed = services.bulk_triage(
        user, reports, action=payload.action, reason=payload.reason, of=of
    )
    return {"changed": changed}


def _visible_report(request: HttpRequest, report_id: int) -> Report:
    return get_object_or_404(
        visible(Report, signed_in(request)).select_related("organisation"), pk=report_id
    )


@router.get("/reports/{report_id}", response=ReportDetailOut)
def get_report(request: HttpRequest, report_id: int) -> Report:
    """One report; duplicate candidates are listed for coordinators only."""
    return _visible_report(request, report_id)


@router.post("/reports/{report_id}/triage", response=ReportDetailOut)
def triage(request: HttpRequest, report_id: int, payload: TriageIn) -> Report:
    """Accept, decline (with a reason), mark duplicate, merge, unmerge or reopen a report."""
    user = signed_in(request)
    report = _visible_report(request, report_id)
    return apply(user, report, payload.action, payload.reason, payload.duplicate_of)


def apply(
    user: User,
    report: Report,
    action: str,
    reason: str,
    duplicate_of: int | None,
) -> Report:
    """Run one triage action (shared by the API and the report page)."""
    if action == "accept":
        return services.accept(user, report)
    if action == "decline":
        return services.decline(user, report, reason)
    if action in {"duplicate", "merge"}:
        if duplicate_of is None:
            raise InvalidInput.single("duplicate_of", "name the report it duplicates")
        of = get_object_or_404(visible(Report, user), pk=duplicate_of)
        return services.mark_duplicate(user, report, of, merge=action == "merge")
    if action == "unmerge":
        return services.unmerge(user, report)
    if action == "reopen":
        return services.reopen(user, report)
    raise InvalidInput.single("action", f"unknown action {action!r}")
