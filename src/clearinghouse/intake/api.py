"""API of intake: submit documents, follow a submission, list, read and triage reports.

No `from __future__ import annotations` here: django-ninja reads the real annotations to
tell bodies, queries and paths apart. Every list is paged (`limit`, `offset`, `count`), and
a report's duplicate link is `reports_shown_to`'s: shown only where the caller may see the
earlier report.
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.errors import InvalidInput
from clearinghouse.paging import PER_PAGE, Paged

from . import services
from .inputs import BulkTriage, MergeCluster, ReportFilter, SplitCluster, SubmissionFilter, Triage
from .models import DuplicateCandidate, Report, Submission
from .permissions import reports_shown_to

router = Router(tags=["intake"])


def shown_duplicate_of(report: Report) -> int | None:
    """The duplicate link `reports_shown_to` lets the reader see (None: none, or not theirs)."""
    shown: int | None = getattr(report, "shown_duplicate_of")  # noqa: B009 - an annotation
    return shown


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
        return shown_duplicate_of(report)


class SubmissionBriefOut(Schema):
    """A submitted document as the list shows it: what, whose, and how far processing got."""

    id: int
    organisation: str
    format: str
    filename: str
    status: str
    total_items: int
    processed_items: int
    created_at: dt.datetime
    completed_at: dt.datetime | None

    @staticmethod
    def resolve_organisation(submission: Submission) -> str:
        return submission.organisation.name


class SubmissionOut(SubmissionBriefOut):
    """A submitted document: processing status, progress and errors (its reports: `/reports`)."""

    sha256: str
    reporter_kind: str
    model_name: str
    assessment_reference: str
    errors: list[Any]


class BatchItemOut(Schema):
    """One document of a batch: its submission (new or earlier), or why it was refused."""

    name: str
    created: bool
    submission: SubmissionOut | None
    errors: list[dict[str, Any]]


class DuplicateCandidateOut(Schema):
    """An earlier report that may be the same vulnerability, with dedup's score and reasons."""

    report_id: int
    title: str
    status: str
    score: float
    reasons: list[str]
    conflict: str = Field(
        description="The ids of one namespace the two reports differ in (empty when none): "
        "marking the pair needs despite_conflict"
    )

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
        return shown_duplicate_of(report)


class ReportDetailOut(ReportOut):
    """One report with its text, its part of the original document and (coordinators) candidates."""

    description: str
    item: Any
    candidates: list[DuplicateCandidateOut]

    @staticmethod
    def resolve_candidates(report: Report, context: dict[str, Any]) -> list[DuplicateCandidate]:
        return services.candidates_of(context["request"].auth, report, 50)


_FORM_FIELDS: dict[str, Any] = {
    "format": {"type": "string", "description": "osv, csaf, cve5, sarif or native"},
    "reporter_kind": {"type": "string"},
    "model": {"type": "string"},
    "assessment": {"type": "string"},
}
#: The bodies `submit` reads itself (ninja sees no body parameter): declared so that
#: /api/docs and schemathesis know what the operation accepts; the wire format is unchanged.
SUBMIT_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "object"}},
        "application/yaml": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"document": {"type": "string", "format": "binary"}, **_FORM_FIELDS},
                "required": ["document"],
            }
        },
    },
}
#: The multipart upload `submit_batch` reads: any number of files in `documents`.
BATCH_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "documents": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                    },
                    **_FORM_FIELDS,
                },
                "required": ["documents"],
            }
        },
    },
}


class BulkOut(Schema):
    """How many reports changed."""

    changed: int


@router.post(
    "/submissions",
    response={200: SubmissionOut, 201: SubmissionOut},
    openapi_extra={"requestBody": SUBMIT_BODY},
)
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
    many items are processed in the background: follow `processed_items`; the reports are
    listed by `GET /submissions/{id}/reports`.
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


@router.post(
    "/submissions/batch",
    response=list[BatchItemOut],
    openapi_extra={"requestBody": BATCH_BODY},
)
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
    stored = visible(Submission, user).filter(pk__in=ids).select_related("organisation").in_bulk()
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


@router.get("/submissions", response=list[SubmissionBriefOut])
@paginate(Paged)
def list_submissions(
    request: HttpRequest, filters: Query[SubmissionFilter]
) -> QuerySet[Submission]:
    """Submissions I may see (my organisation's; coordinators and admins all), newest first
    unless `sort` says otherwise, filtered by status, format and organisation."""
    shown = visible(Submission, signed_in(request)).select_related("organisation")
    return services.submissions_matching(shown, filters)


def _submission(request: HttpRequest, submission_id: int) -> Submission:
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


@router.get("/submissions/{submission_id}", response=SubmissionOut)
def get_submission(request: HttpRequest, submission_id: int) -> Submission:
    """One submission: its status, progress (processed / total) and any errors."""
    return _submission(request, submission_id)


@router.get("/submissions/{submission_id}/reports", response=list[ReportBriefOut])
@paginate(Paged)
def submission_reports(request: HttpRequest, submission_id: int) -> QuerySet[Report]:
    """The reports a submission became, in document order, each with its duplicate link
    where the caller may see the earlier report."""
    submission = _submission(request, submission_id)
    return reports_shown_to(signed_in(request)).filter(submission=submission).order_by("index")


@router.get("/reports", response=list[ReportOut])
@paginate(Paged)
def list_reports(request: HttpRequest, filters: Query[ReportFilter]) -> QuerySet[Report]:
    """Reports I may see (highest priority first unless `sort` says otherwise), with the
    reasons for each priority."""
    shown = reports_shown_to(signed_in(request)).select_related("organisation")
    return services.matching(shown, filters)


@router.post("/reports/bulk", response=BulkOut)
def bulk(request: HttpRequest, payload: BulkTriage) -> dict[str, int]:
    """Accept, decline (with a reason) or mark as duplicates several reports at once, all or
    none: the ticked `report_ids`, or every report `matching` a filter, with `expected` the
    number the caller saw (another number now: 409, nothing changed)."""
    return {"changed": services.bulk_triage(signed_in(request), payload)}


def _shown_report(user: User, report_id: int) -> Report:
    return get_object_or_404(reports_shown_to(user).select_related("organisation"), pk=report_id)


@router.get("/reports/{report_id}", response=ReportDetailOut)
def get_report(request: HttpRequest, report_id: int) -> Report:
    """One report; duplicate candidates are listed for coordinators only."""
    return _shown_report(signed_in(request), report_id)


@router.post("/reports/{report_id}/triage", response=ReportDetailOut)
def triage(request: HttpRequest, report_id: int, payload: Triage) -> Report:
    """Accept, decline (with a reason), mark duplicate, merge, unmerge or reopen a report.

    A duplicate naming other identifiers of one namespace (two CVE ids) is refused (409)
    unless `despite_conflict`; one of itself, or forming a cycle, always is.
    """
    user = signed_in(request)
    services.triage(user, _shown_report(user, report_id), payload)
    return _shown_report(user, report_id)


class LinkOut(Schema):
    """Why a member is linked to the report it duplicates."""

    to: int = Field(description="the report it duplicates")
    kind: str = Field(description="automatic (dedup at intake) or confirmed (a coordinator)")
    score: float | None = Field(description="dedup's score for the pair (coordinators only)")
    reasons: list[str] = Field(description="dedup's reasons (coordinators only)")
    by: str = Field(description="who confirmed it, as the caller may know it")
    at: dt.datetime | None
    conflict: str = Field(description="ids of one namespace the two name differently")


class ClusterMemberOut(Schema):
    """One member of a duplicate group, as the cluster page shows it side by side."""

    id: int
    depth: int = Field(description="links from the group's primary (0: the primary)")
    source_format: str
    submission_id: int
    index: int
    organisation: str
    reporter_kind: str
    title: str
    aliases: list[str]
    cve_ids: list[str]
    products: list[dict[str, str]]
    cwe: str
    cvss_vector: str
    cvss_score: float | None
    cvss_label: str
    ssvc_decision: str
    status: str
    link: LinkOut | None
    carries: list[int] = Field(description="members linked through it: a split takes them along")
    clashes: list[str] = Field(description="other members naming other ids of one namespace")


class ClusterOut(Schema):
    """A duplicate group: its primary and a page of its members (the primary first)."""

    report_id: int
    primary_id: int
    count: int
    items: list[ClusterMemberOut]


#: What a cluster member shows of its report as stored (the rest is the cluster's).
_REPORT_FIELDS = set(ClusterMemberOut.model_fields) - {
    "id", "depth", "organisation", "link", "carries", "clashes"
}  # fmt: skip


def _member_out(member: services.ClusterMember) -> dict[str, Any]:
    report = member.report
    return {name: getattr(report, name) for name in _REPORT_FIELDS} | {
        "id": report.pk,
        "depth": member.depth,
        "organisation": report.organisation.name,
        "link": member.evidence,
        "carries": list(member.carries),
        "clashes": list(member.clashes),
    }


def _cluster_out(user: User, report_id: int, page: Paged.Input) -> dict[str, Any]:
    found = services.cluster(user, report_id)
    chosen = found.tree[page.offset : page.offset + page.limit]
    return {
        "report_id": found.asked,
        "primary_id": found.primary,
        "count": len(found),
        "items": [_member_out(m) for m in services.members(user, found, chosen)],
    }


@router.get("/reports/{report_id}/cluster", response=ClusterOut)
def get_cluster(request: HttpRequest, report_id: int, page: Query[Paged.Input]) -> dict[str, Any]:
    """A report's duplicate group, read whole through every chain of links: the primary first,
    then each member with its link's evidence (`limit`/`offset` page the members). A reporter
    sees only its own organisation's reports and links, and no dedup candidates."""
    return _cluster_out(signed_in(request), report_id, page)


@router.post("/reports/{report_id}/cluster/split", response=ClusterOut)
def split_cluster(request: HttpRequest, report_id: int, payload: SplitCluster) -> dict[str, Any]:
    """Take one member (with all linked through it) out of the report's group; answers the
    group as it is now. Coordinators only (403); 409 for the primary or a non-member."""
    user = signed_in(request)
    _shown_report(user, report_id)
    services.split(user, report_id, payload)
    return _cluster_out(user, report_id, Paged.Input(limit=PER_PAGE, offset=0))


@router.post("/reports/{report_id}/cluster/merge", response=ClusterOut)
def merge_cluster(request: HttpRequest, report_id: int, payload: MergeCluster) -> dict[str, Any]:
    """Bring another report (or its whole group) into the report's group; answers the group
    as it is now. Coordinators only (403). 409: into itself, a cycle, two items of one
    document, or different ids of one namespace without `despite_conflict` (the clash named)."""
    user = signed_in(request)
    _shown_report(user, report_id)
    primary = services.merge(user, report_id, payload)
    return _cluster_out(user, primary.pk, Paged.Input(limit=PER_PAGE, offset=0))
