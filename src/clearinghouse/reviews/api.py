"""API of pre-deployment review: thin handlers over `services`, lists through `visible`."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.core.review import NoticeStatus
from clearinghouse.paging import Paged

from . import services
from .inputs import (
    AddNote,
    AssignReviewer,
    DecideTrack,
    EditDraft,
    FileNotice,
    GrantAccess,
    RecordFinding,
)
from .models import (
    AccessGrant,
    Assignment,
    EvidenceFile,
    Finding,
    Notice,
    ReviewerNote,
    TrackReview,
)
from .permissions import assignments_shown_to
from .report import report_context, report_pdf

router = Router(tags=["pre-deployment review"])


class TrackOut(Schema):
    """A review track and its decision."""

    id: int
    track: str
    status: str
    decision: str
    conditions: list[str]
    rationale: str
    decided_at: dt.datetime | None
    reviewers: list[str]

    @staticmethod
    def resolve_reviewers(track: TrackReview, context: dict[str, Any]) -> list[str]:
        # Only the assignments the permission layer shows (labs: none); lists prefetch them.
        shown = getattr(track, "shown_assignments", None)
        if shown is None:
            user = signed_in(context["request"])
            shown = visible(Assignment, user).filter(track_review=track).select_related("reviewer")
        return [a.reviewer.username for a in shown]


class GrantOut(Schema):
    """An access grant as anyone sees it: never the secret, only its fingerprint."""

    id: int
    kind: str
    base_url: str
    model: str
    secret_fingerprint: str
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


class NoticeOut(Schema):
    """A notice with its clock, tracks and grants."""

    id: int
    ai_model_id: int
    model: str
    organisation: str
    status: str
    policy_id: str
    policy_version: str
    planned_release_date: dt.date
    review_deadline: dt.datetime
    days_remaining: int
    overdue_since: dt.datetime | None
    overall_decision: str
    overall_conditions: list[str]
    has_training_data_summary: bool
    has_stress_test_results: bool
    tracks: list[TrackOut]
    access_grants: list[GrantOut]

    @staticmethod
    def resolve_model(notice: Notice) -> str:
        return str(notice.ai_model)

    @staticmethod
    def resolve_organisation(notice: Notice) -> str:
        return notice.organisation.name

    @staticmethod
    def resolve_days_remaining(notice: Notice) -> int:
        return notice.days_left

    @staticmethod
    def resolve_has_training_data_summary(notice: Notice) -> bool:
        return bool(notice.training_data_summary)

    @staticmethod
    def resolve_has_stress_test_results(notice: Notice) -> bool:
        return bool(notice.stress_test_results)

    @staticmethod
    def resolve_tracks(notice: Notice) -> list[TrackReview]:
        return list(notice.tracks.all())

    @staticmethod
    def resolve_access_grants(notice: Notice) -> list[AccessGrant]:
        return list(notice.access_grants.all())


class FindingOut(Schema):
    """A finding; labs only ever receive released ones."""

    id: int
    track: str
    category: str
    severity: str
    title: str
    description: str
    assessment_reference: str
    case_reference: str
    released_to_lab_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_track(finding: Finding) -> str:
        return finding.track_review.track


class EvidenceOut(Schema):
    """An evidence file, identified by its digest."""

    id: int
    name: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class NoteOut(Schema):
    """An internal reviewer note (never sent to labs)."""

    id: int
    author: str
    body: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(note: ReviewerNote) -> str:
        return note.author.username if note.author else "deleted user"


def _notice(request: HttpRequest, notice_id: int) -> Notice:
    notices = visible(Notice, signed_in(request)).select_related("ai_model", "organisation")
    return get_object_or_404(notices, pk=notice_id)


def _track(request: HttpRequest, track_id: int) -> TrackReview:
    tracks = visible(TrackReview, signed_in(request)).select_related("notice")
    return get_object_or_404(tracks, pk=track_id)


def _with_tracks(request: HttpRequest, notices: QuerySet[Notice]) -> QuerySet[Notice]:
    tracks = TrackReview.objects.prefetch_related(assignments_shown_to(signed_in(request)))
    return notices.prefetch_related(Prefetch("tracks", queryset=tracks), "access_grants")


@router.get("/notices", response=list[NoticeOut])
@paginate(Paged)
def list_notices(
    request: HttpRequest, status: NoticeStatus | None = None, **kwargs: Any
) -> QuerySet[Notice]:
    """Notices I may see, soonest deadline first (a reviewer's queue, a lab's own)."""
    notices = visible(Notice, signed_in(request)).select_related("ai_model", "organisation")
    if status:
        notices = notices.filter(status=status)
    return _with_tracks(request, notices.order_by("review_deadline", "id"))


@router.post("/notices", response={201: NoticeOut})
def file_notice(request: HttpRequest, payload: FileNotice) -> Status[Notice]:
    """File a draft notice for one of my lab's covered models."""
    return Status(201, services.file_notice(signed_in(request), payload))


@router.get("/notices/{notice_id}", response=NoticeOut)
def get_notice(request: HttpRequest, notice_id: int) -> Notice:
    """One notice with its clock, tracks and grants."""
    return _notice(request, notice_id)


@router.patch("/notices/{notice_id}", response=NoticeOut)
def edit_notice(request: HttpRequest, notice_id: int, payload: EditDraft) -> Notice:
    """Edit a draft: release date, training-data summary, stress-test results."""
    return services.update_draft(signed_in(request), _notice(request, notice_id), payload)


@router.post("/notices/{notice_id}/submit", response=NoticeOut)
def submit_notice(request: HttpRequest, notice_id: int) -> Notice:
    """Submit the notice for review; the clock starts."""
    return services.submit_notice(signed_in(request), _notice(request, notice_id))


@router.post("/notices/{notice_id}/withdraw", response=NoticeOut)
def withdraw_notice(request: HttpRequest, notice_id: int) -> Notice:
    """Withdraw the notice."""
    return services.withdraw_notice(signed_in(request), _notice(request, notice_id))


@router.post("/notices/{notice_id}/release", response=NoticeOut)
def release_notice(request: HttpRequest, notice_id: int) -> Notice:
    """Record that the model was released after the decision."""
    return services.mark_released(signed_in(request), _notice(request, notice_id))


@router.post("/notices/{notice_id}/access-grants", response={201: GrantOut})
def grant_access(request: HttpRequest, notice_id: int, payload: GrantAccess) -> Status[AccessGrant]:
    """Give reviewers access to the model; the key is encrypted and never returned."""
    return Status(
        201, services.grant_access(signed_in(request), _notice(request, notice_id), payload)
    )


@router.delete("/access-grants/{grant_id}", response=GrantOut)
def revoke_access(request: HttpRequest, grant_id: int) -> AccessGrant:
    """Revoke an access grant."""
    grant = get_object_or_404(
        visible(AccessGrant, signed_in(request)).select_related("notice"), pk=grant_id
    )
    return services.revoke_access(signed_in(request), grant)


@router.post("/tracks/{track_id}/assignments", response={201: TrackOut})
def assign(request: HttpRequest, track_id: int, payload: AssignReviewer) -> Status[TrackReview]:
    """Assign a reviewer to a track (admins and the track's agency lead)."""
    track = _track(request, track_id)
    services.assign_reviewer(signed_in(request), track, payload)
    return Status(201, _track(request, track_id))


@router.get("/notices/{notice_id}/findings", response=list[FindingOut])
@paginate(Paged)
def list_findings(request: HttpRequest, notice_id: int, **kwargs: Any) -> QuerySet[Finding]:
    """Findings on the notice that I may see (labs: released ones), newest first."""
    notice = _notice(request, notice_id)
    findings = visible(Finding, signed_in(request)).filter(track_review__notice=notice)
    return findings.select_related("track_review").order_by("-created_at", "-id")


@router.post("/tracks/{track_id}/findings", response={201: FindingOut})
def record_finding(request: HttpRequest, track_id: int, payload: RecordFinding) -> Status[Finding]:
    """Record a finding on a track I review."""
    return Status(
        201, services.record_finding(signed_in(request), _track(request, track_id), payload)
    )


@router.post("/findings/{finding_id}/release", response=FindingOut)
def release_finding(request: HttpRequest, finding_id: int) -> Finding:
    """Release a finding to the lab."""
    finding = get_object_or_404(
        visible(Finding, signed_in(request)).select_related("track_review__notice"), pk=finding_id
    )
    return services.release_finding(signed_in(request), finding)


@router.post("/findings/{finding_id}/evidence", response={201: EvidenceOut})
def attach_evidence(
    request: HttpRequest, finding_id: int, file: File[UploadedFile]
) -> Status[EvidenceFile]:
    """Attach an evidence file to a finding on a track I review (size-limited)."""
    finding = get_object_or_404(
        visible(Finding, signed_in(request)).select_related("track_review__notice"), pk=finding_id
    )
    evidence = services.attach_evidence(
        signed_in(request), finding, file, settings.CLEARINGHOUSE_MAX_EVIDENCE_BYTES
    )
    return Status(201, evidence)


@router.get("/tracks/{track_id}/notes", response=list[NoteOut])
@paginate(Paged)
def list_notes(request: HttpRequest, track_id: int, **kwargs: Any) -> QuerySet[ReviewerNote]:
    """Internal notes of a track I review, oldest first."""
    track = _track(request, track_id)
    notes = visible(ReviewerNote, signed_in(request)).filter(track_review=track)
    return notes.select_related("author").order_by("created_at", "id")


@router.post("/tracks/{track_id}/notes", response={201: NoteOut})
def add_note(request: HttpRequest, track_id: int, payload: AddNote) -> Status[ReviewerNote]:
    """Add an internal note to a track I review."""
    return Status(201, services.add_note(signed_in(request), _track(request, track_id), payload))


@router.post("/tracks/{track_id}/decision", response=NoticeOut)
def decide(request: HttpRequest, track_id: int, payload: DecideTrack) -> Notice:
    """Decide on a track; when both tracks have, the notice is decided."""
    track = _track(request, track_id)
    services.decide_track(signed_in(request), track, payload)
    return _notice(request, track.notice_id)


@router.get("/notices/{notice_id}/report.pdf")
def notice_report_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The review report as a PDF, holding what I may see of the review."""
    notice = _notice(request, notice_id)
    return HttpResponse(
        report_pdf(report_context(notice, signed_in(request))), content_type="application/pdf"
    )
