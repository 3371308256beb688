"""API of pre-deployment review: thin handlers over `services`, lists through `visible`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Body, File, Router, Schema, Status
from ninja.files import UploadedFile

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.frontier.models import AIModel

from . import services
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


class NoticeIn(Schema):
    """A lab's notice for one of its covered models."""

    ai_model_id: int
    planned_release_date: dt.date
    training_data_summary: str = ""
    stress_test_results: str = ""


class GrantIn(Schema):
    """How reviewers reach the model (see AccessGrantRequest for the rules)."""

    kind: str
    model: str
    base_url: str = ""
    api_key: str | None = None
    provider_args: dict[str, Any] = {}


class AssignIn(Schema):
    """The reviewer to assign, by username."""

    reviewer: str


class FindingIn(Schema):
    """A finding on a track."""

    category: str
    severity: str
    title: str
    description: str
    assessment_reference: str = ""
    case_reference: str = ""


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


class NoteIn(Schema):
    """An internal reviewer note."""

    body: str


class NoteOut(Schema):
    """An internal reviewer note (never sent to labs)."""

    id: int
    author: str
    body: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(note: ReviewerNote) -> str:
        return note.author.username if note.author else "deleted user"


class DecisionIn(Schema):
    """A track's decision."""

    decision: str
    rationale: str
    conditions: list[str] = []


def _notice(request: HttpRequest, notice_id: int) -> Notice:
    notices = visible(Notice, signed_in(request)).select_related("ai_model", "organisation")
    return get_object_or_404(notices, pk=notice_id)


def _track(request: HttpRequest, track_id: int) -> TrackReview:
    tracks = visible(TrackReview, signed_in(request)).select_related("notice")
    return get_object_or_404(tracks, pk=track_id)


@router.get("/notices", response=list[NoticeOut])
def list_notices(request: HttpRequest, status: str | None = None) -> list[Notice]:
    """Notices I may see, soonest deadline first (a reviewer's queue, a lab's own)."""
    notices = visible(Notice, signed_in(request)).select_related("ai_model", "organisation")
    if status:
        notices = notices.filter(status=status)
    tracks = TrackReview.objects.prefetch_related(assignments_shown_to(signed_in(request)))
    nested = (Prefetch("tracks", queryset=tracks), "access_grants")
    return list(notices.prefetch_related(*nested).order_by("review_deadline", "id"))


@router.post("/notices", response={201: NoticeOut})
def file_notice(request: HttpRequest, payload: NoticeIn) -> Status[Notice]:
    """File a draft notice for one of my lab's covered models."""
    model = get_object_or_404(visible(AIModel, signed_in(request)), pk=payload.ai_model_id)
    notice = services.file_notice(
        signed_in(request),
        model,
        planned_release_date=payload.planned_release_date,
        training_data_summary=payload.training_data_summary,
        stress_test_results=payload.stress_test_results,
    )
    return Status(201, notice)


@router.get("/notices/{notice_id}", response=NoticeOut)
def get_notice(request: HttpRequest, notice_id: int) -> Notice:
    """One notice with its clock, tracks and grants."""
    return _notice(request, notice_id)


@router.patch("/notices/{notice_id}", response=NoticeOut)
def edit_notice(request: HttpRequest, notice_id: int, payload: Body[dict[str, Any]]) -> Notice:
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
def grant_access(request: HttpRequest, notice_id: int, payload: GrantIn) -> Status[AccessGrant]:
    """Give reviewers access to the model; the key is encrypted and never returned."""
    grant = services.grant_access(
        signed_in(request), _notice(request, notice_id), payload.model_dump(exclude_none=True)
    )
    return Status(201, grant)


@router.delete("/access-grants/{grant_id}", response=GrantOut)
def revoke_access(request: HttpRequest, grant_id: int) -> AccessGrant:
    """Revoke an access grant."""
    grant = get_object_or_404(
        visible(AccessGrant, signed_in(request)).select_related("notice"), pk=grant_id
    )
    return services.revoke_access(signed_in(request), grant)


@router.post("/tracks/{track_id}/assignments", response={201: TrackOut})
def assign(request: HttpRequest, track_id: int, payload: AssignIn) -> Status[TrackReview]:
    """Assign a reviewer to a track (admins and the track's agency lead)."""
    track = _track(request, track_id)
    reviewer = get_object_or_404(User, username=payload.reviewer, is_active=True)
    services.assign_reviewer(signed_in(request), track, reviewer)
    return Status(201, track)


@router.get("/notices/{notice_id}/findings", response=list[FindingOut])
def list_findings(request: HttpRequest, notice_id: int) -> list[Finding]:
    """Findings on the notice that I may see (labs: released ones)."""
    notice = _notice(request, notice_id)
    findings = visible(Finding, signed_in(request)).filter(track_review__notice=notice)
    return list(findings.select_related("track_review"))


@router.post("/tracks/{track_id}/findings", response={201: FindingOut})
def record_finding(request: HttpRequest, track_id: int, payload: FindingIn) -> Status[Finding]:
    """Record a finding on a track I review."""
    return Status(
        201,
        services.record_finding(
            signed_in(request), _track(request, track_id), payload.model_dump()
        ),
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
def list_notes(request: HttpRequest, track_id: int) -> list[ReviewerNote]:
    """Internal notes of a track I review."""
    track = _track(request, track_id)
    return list(
        visible(ReviewerNote, signed_in(request))
        .filter(track_review=track)
        .select_related("author")
    )


@router.post("/tracks/{track_id}/notes", response={201: NoteOut})
def add_note(request: HttpRequest, track_id: int, payload: NoteIn) -> Status[ReviewerNote]:
    """Add an internal note to a track I review."""
    return Status(
        201, services.add_note(signed_in(request), _track(request, track_id), payload.body)
    )


@router.post("/tracks/{track_id}/decision", response=NoticeOut)
def decide(request: HttpRequest, track_id: int, payload: DecisionIn) -> Notice:
    """Decide on a track; when both tracks have, the notice is decided."""
    track = _track(request, track_id)
    services.decide_track(
        signed_in(request),
        track,
        decision=payload.decision,
        rationale=payload.rationale,
        conditions=payload.conditions,
    )
    return _notice(request, track.notice_id)


@router.get("/notices/{notice_id}/report.pdf")
def notice_report_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The review report as a PDF, holding what I may see of the review."""
    notice = _notice(request, notice_id)
    return HttpResponse(
        report_pdf(report_context(notice, signed_in(request))), content_type="application/pdf"
    )
