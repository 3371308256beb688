"""The review workflow: file and submit notices, grant access, assign, find, decide, run the clock.

Every function checks the actor's role, changes state in one transaction, writes an audit
event and queues notifications; views, the API and commands all call these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from pydantic import ValidationError

from clearinghouse.accounts.models import OrganisationKind, Role, User
from clearinghouse.audit.services import record
from clearinghouse.core.policy import Policy
from clearinghouse.core.review import (
    NOTICE_LIFECYCLE,
    OPEN_FOR_REVIEW,
    AccessGrantRequest,
    Decision,
    NoticeStatus,
    combined_conditions,
    earliest_release_date,
    is_overdue,
    overall_decision,
    reminders_due,
    review_deadline,
)
from clearinghouse.core.transitions import IllegalTransition
from clearinghouse.errors import Conflict, FieldError, InvalidInput
from clearinghouse.frontier.models import AIModel
from clearinghouse.frontier.policies import active_policy, get_policy
from clearinghouse.notifications.services import notify
from clearinghouse.sealed import fingerprint, seal

from .models import (
    AccessGrant,
    Assignment,
    EvidenceFile,
    Finding,
    Notice,
    ReviewerNote,
    TrackReview,
)
from .permissions import track_reviews_of

DISCLOSURE_FIELDS = ("training_data_summary", "stress_test_results")


def _today() -> dt.date:
    return timezone.now().date()


def _admins() -> QuerySet[User]:
    return User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)


def _lab_members(notice: Notice) -> QuerySet[User]:
    return User.objects.filter(organisation=notice.organisation, is_active=True)


def _leads(track: str) -> QuerySet[User]:
    return User.objects.filter(
        role=Role.REVIEWER, is_agency_lead=True, is_active=True, organisation__track=track
    )


def _state(notice: Notice) -> dict[str, Any]:
    return {
        "status": notice.status,
        "planned_release_date": notice.planned_release_date.isoformat(),
        "review_deadline": notice.review_deadline.isoformat(),
        "overall_decision": notice.overall_decision,
    }


def _policy_of(notice: Notice) -> Policy:
    return get_policy(notice.policy_id)


def _require_owning_lab(user: User, notice: Notice) -> None:
    if not (user.role == Role.DEVELOPER and user.organisation_id == notice.organisation_id):
        raise PermissionDenied("only the lab that filed the notice may do this")


def _move(user: User, notice: Notice, target: NoticeStatus, action: str) -> None:
    """Apply a lifecycle transition (409 with the allowed ones if illegal) and audit it."""
    before = _state(notice)
    try:
        NOTICE_LIFECYCLE.check(NoticeStatus(notice.status), target)
    except IllegalTransition as error:
        raise Conflict(str(error)) from None
    notice.status = target
    notice.save()
    policy = _policy_of(notice)
    record(
        actor=user,
        action=action,
        subject=notice,
        before=before,
        after=_state(notice),
        policy_id=policy.id,
        policy_version=policy.version,
    )


def _check_release_date(release: dt.date, policy: Policy) -> None:
    earliest = earliest_release_date(_today(), policy.policy.notice_period_days)
    if release < earliest:
        raise InvalidInput.single(
            "planned_release_date",
            f"release {release.isoformat()} is closer than the "
            f"{policy.policy.notice_period_days}-day notice period of {policy.id}; "
            f"the earliest allowed date is {earliest.isoformat()}",
        )


def _check_disclosures(notice: Notice, policy: Policy) -> None:
    missing = [
        name for name in policy.policy.required_disclosures if not getattr(notice, name).strip()
    ]
    if missing:
        raise InvalidInput(
            [
                FieldError(
                    (name,),
                    f"required by {policy.id} ({policy.policy.participation} participation)",
                )
                for name in missing
            ]
        )


def file_notice(
    user: User,
    model: AIModel,
    *,
    planned_release_date: dt.date,
    training_data_summary: str = "",
    stress_test_results: str = "",
) -> Notice:
    """A lab files a draft notice for one of its covered models, under the active policy."""
    if not (user.role == Role.DEVELOPER and user.organisation_id == model.organisation_id):
        raise PermissionDenied("a lab files notices only for its own models")
    if not model.covered:
        raise InvalidInput.single("ai_model", f"{model} is not a covered frontier model")
    policy = active_policy()
    _check_release_date(planned_release_date, policy)
    with transaction.atomic():
        notice = Notice.objects.create(
            ai_model=model,
            organisation=model.organisation,
            policy_id=policy.id,
            policy_version=policy.version,
            planned_release_date=planned_release_date,
            review_deadline=review_deadline(planned_release_date),
            training_data_summary=training_data_summary.strip(),
            stress_test_results=stress_test_results.strip(),
            created_by=user,
        )
        TrackReview.objects.bulk_create(
            TrackReview(notice=notice, track=track) for track in policy.review.tracks
        )
        record(
            actor=user,
            action="notice.filed",
            subject=notice,
            after=_state(notice),
            policy_id=policy.id,
            policy_version=policy.version,
        )
    return notice


def update_draft(user: User, notice: Notice, changes: Mapping[str, Any]) -> Notice:
    """The lab edits a draft: release date and disclosures."""
    _require_owning_lab(user, notice)
    if notice.status != NoticeStatus.DRAFT:
        raise Conflict(f"only a draft notice can be edited; this one is {notice.status}")
    allowed = {"planned_release_date", *DISCLOSURE_FIELDS}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidInput([FieldError((name,), "cannot be changed") for name in unknown])
    before = _state(notice)
    if "planned_release_date" in changes:
        release = changes["planned_release_date"]
        if not isinstance(release, dt.date):
            try:
                release = dt.date.fromisoformat(str(release))
            except ValueError:
                raise InvalidInput.single(
                    "planned_release_date", "not a date (YYYY-MM-DD)"
                ) from None
        _check_release_date(release, _policy_of(notice))
        notice.planned_release_date, notice.review_deadline = release, review_deadline(release)
    for name in DISCLOSURE_FIELDS:
        if name in changes:
            setattr(notice, name, str(changes[name] or "").strip())
    with transaction.atomic():
        notice.save()
        record(
            actor=user,
            action="notice.edited",
            subject=notice,
            before=before,
            after=_state(notice)
            | {name: bool(getattr(notice, name)) for name in DISCLOSURE_FIELDS},
        )
    return notice


def submit_notice(user: User, notice: Notice) -> Notice:
    """The lab submits: the clock starts; admins and agency leads are told."""
    _require_owning_lab(user, notice)
    policy = _policy_of(notice)
    if notice.status == NoticeStatus.DRAFT:
        _check_release_date(notice.planned_release_date, policy)
        _check_disclosures(notice, policy)
    with transaction.atomic():
        _move(user, notice, NoticeStatus.SUBMITTED, "notice.submitted")
        notice.submitted_at = timezone.now()
        notice.save(update_fields=["submitted_at"])
        leads = [lead for track in policy.review.tracks for lead in _leads(track)]
        notify(
            "notice.submitted",
            subject=f"{notice} submitted for review",
            payload=_payload(notice),
            users=[*_admins(), *leads],
            organisations=[notice.organisation],
        )
    return notice


def _close(user: User, notice: Notice, target: NoticeStatus, action: str) -> Notice:
    """Move the notice to a final state; no access grant outlives a closed notice's review."""
    _require_owning_lab(user, notice)
    with transaction.atomic():
        _move(user, notice, target, action)
        notice.closed_at = timezone.now()
        notice.save(update_fields=["closed_at"])
        if target == NoticeStatus.WITHDRAWN:
            AccessGrant.objects.filter(notice=notice, revoked_at__isnull=True).update(
                revoked_at=notice.closed_at
            )
    return notice


def withdraw_notice(user: User, notice: Notice) -> Notice:
    """The lab withdraws its notice; reviews stop and its access grants are revoked."""
    return _close(user, notice, NoticeStatus.WITHDRAWN, "notice.withdrawn")


def mark_released(user: User, notice: Notice) -> Notice:
    """The lab records that the model was released after the decision."""
    return _close(user, notice, NoticeStatus.RELEASED, "notice.released")


def _require_open(notice: Notice, doing: str) -> None:
    if notice.status not in {*OPEN_FOR_REVIEW, NoticeStatus.DRAFT, NoticeStatus.DECIDED}:
        raise Conflict(f"cannot {doing} on a {notice.status} notice")


def grant_access(user: User, notice: Notice, data: Mapping[str, Any]) -> AccessGrant:
    """The lab tells reviewers how to reach the model; the secret is sealed immediately."""
    _require_owning_lab(user, notice)
    _require_open(notice, "grant access")
    try:
        request = AccessGrantRequest.model_validate(
            dict(data), context={"outbound_allow": settings.CLEARINGHOUSE_OUTBOUND_ALLOW}
        )
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None
    secret = request.api_key.get_secret_value() if request.api_key else ""
    expires = review_deadline(notice.planned_release_date) + dt.timedelta(
        days=_policy_of(notice).policy.access_grace_days
    )
    with transaction.atomic():
        grant = AccessGrant.objects.create(
            notice=notice,
            kind=request.kind,
            base_url=request.base_url,
            model=request.model,
            provider_args=request.provider_args,
            secret_ciphertext=seal(secret) if secret else None,
            secret_fingerprint=fingerprint(secret) if secret else "",
            expires_at=expires,
            created_by=user,
        )
        record(
            actor=user,
            action="access.granted",
            subject=grant,
            after={
                "notice": notice.pk,
                "kind": grant.kind,
                "base_url": grant.base_url,
                "model": grant.model,
                "fingerprint": grant.secret_fingerprint,
                "expires_at": expires.isoformat(),
            },
        )
    return grant


def revoke_access(user: User, grant: AccessGrant) -> AccessGrant:
    """The lab revokes a grant; it stops being usable at once."""
    _require_owning_lab(user, grant.notice)
    if grant.revoked_at is not None:
        raise Conflict("this access grant is already revoked")
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record(
            actor=user,
            action="access.revoked",
            subject=grant,
            after={"fingerprint": grant.secret_fingerprint},
        )
    return grant


def usable_grant(notice: Notice, now: dt.datetime | None = None) -> AccessGrant | None:
    """The newest grant that is neither revoked nor expired (what an assessment would use)."""
    now = now or timezone.now()
    return notice.access_grants.filter(revoked_at__isnull=True, expires_at__gt=now).first()


def can_lead(user: User, track_review: TrackReview) -> bool:
    if user.is_program_admin:
        return True
    return bool(
        user.role == Role.REVIEWER
        and user.is_agency_lead
        and user.organisation is not None
        and user.organisation.track == track_review.track
    )


def _require_on_track(user: User, track_review: TrackReview) -> None:
    works_on = TrackReview.objects.filter(track_reviews_of(user), pk=track_review.pk).exists()
    if not (works_on or user.is_program_admin):
        raise PermissionDenied(
            f"only reviewers of the {track_review.get_track_display()} track may do this"
        )


def assign_reviewer(user: User, track_review: TrackReview, reviewer: User) -> Assignment:
    """An admin or the track's agency lead assigns a reviewer of an agency on that track."""
    if not can_lead(user, track_review):
        raise PermissionDenied("only an admin or this track's agency lead assigns reviewers")
    notice = track_review.notice
    if notice.status not in OPEN_FOR_REVIEW:
        raise Conflict(f"reviewers are assigned to submitted notices; this one is {notice.status}")
    organisation = reviewer.organisation
    if not (
        reviewer.role == Role.REVIEWER
        and organisation is not None
        and organisation.kind == OrganisationKind.AGENCY
        and organisation.track == track_review.track
    ):
        raise InvalidInput.single(
            "reviewer", f"{reviewer.username} is not a reviewer of a {track_review.track} agency"
        )
    with transaction.atomic():
        assignment, created = Assignment.objects.get_or_create(
            track_review=track_review, reviewer=reviewer, defaults={"assigned_by": user}
        )
        if not created:
            raise Conflict(f"{reviewer.username} is already assigned to this track")
        record(
            actor=user,
            action="reviewer.assigned",
            subject=track_review,
            after={"reviewer": reviewer.username, "track": track_review.track},
        )
        if notice.status == NoticeStatus.SUBMITTED:
            _move(user, notice, NoticeStatus.UNDER_REVIEW, "notice.review_started")
        notify(
            "reviewer.assigned",
            subject=f"You are assigned to review {notice}",
            payload=_payload(notice) | {"track": track_review.track},
            users=[reviewer],
        )
    return assignment


def record_finding(user: User, track_review: TrackReview, data: Mapping[str, Any]) -> Finding:
    """A reviewer on the track records a finding (internal until released to the lab)."""
    _require_on_track(user, track_review)
    _require_open(track_review.notice, "record findings")
    errors = []
    category, severity = str(data.get("category") or ""), str(data.get("severity") or "")
    if category not in Finding.Category.values:
        errors.append(FieldError(("category",), f"one of {', '.join(Finding.Category.values)}"))
    if severity not in Finding.Severity.values:
        errors.append(FieldError(("severity",), f"one of {', '.join(Finding.Severity.values)}"))
    title, description = (
        str(data.get("title") or "").strip(),
        str(data.get("description") or "").strip(),
    )
    if not 1 <= len(title) <= 200:
        errors.append(FieldError(("title",), "between 1 and 200 characters"))
    if not description:
        errors.append(FieldError(("description",), "a finding needs a description"))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        finding = Finding.objects.create(
            track_review=track_review,
            category=category,
            severity=severity,
            title=title,
            description=description,
            assessment_reference=str(data.get("assessment_reference") or "")[:200],
            case_reference=str(data.get("case_reference") or "")[:200],
            created_by=user,
        )
        record(
            actor=user,
            action="finding.recorded",
            subject=finding,
            after={
                "track": track_review.track,
                "category": category,
                "severity": severity,
                "title": title,
            },
        )
    return finding


def release_finding(user: User, finding: Finding) -> Finding:
    """A reviewer releases a finding to the lab, which is told."""
    _require_on_track(user, finding.track_review)
    if finding.released_to_lab_at is not None:
        raise Conflict("this finding was already released to the lab")
    notice = finding.track_review.notice
    with transaction.atomic():
        finding.released_to_lab_at = timezone.now()
        finding.save(update_fields=["released_to_lab_at"])
        record(
            actor=user,
            action="finding.released",
            subject=finding,
            after={"released_to_lab_at": finding.released_to_lab_at.isoformat()},
        )
        notify(
            "finding.released",
            subject=f"A finding on {notice} was released to you",
            payload=_payload(notice) | {"finding": finding.title, "severity": finding.severity},
            users=_lab_members(notice),
            organisations=[notice.organisation],
        )
    return finding


def attach_evidence(
    user: User, finding: Finding, upload: UploadedFile, max_bytes: int
) -> EvidenceFile:
    """Attach a file to a finding, refusing files over the size limit."""
    _require_on_track(user, finding.track_review)
    size = upload.size or 0
    if size > max_bytes:
        raise InvalidInput.single("file", f"{size} bytes is over the {max_bytes}-byte limit")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    name = (upload.name or "evidence").replace("/", "_").replace("\\", "_")[-200:]
    with transaction.atomic():
        evidence = EvidenceFile.objects.create(
            finding=finding,
            file=upload,
            name=name,
            size=size,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        record(
            actor=user,
            action="evidence.attached",
            subject=finding,
            after={"name": name, "sha256": evidence.sha256, "size": size},
        )
    return evidence


def add_note(user: User, track_review: TrackReview, body: str) -> ReviewerNote:
    """An internal note for the track's reviewers; never shown to the lab."""
    _require_on_track(user, track_review)
    body = body.strip()
    if not body:
        raise InvalidInput.single("body", "a note cannot be empty")
    with transaction.atomic():
        note = ReviewerNote.objects.create(track_review=track_review, author=user, body=body)
        record(actor=user, action="note.added", subject=track_review, after={"note": note.pk})
    return note


def decide_track(
    user: User,
    track_review: TrackReview,
    *,
    decision: str,
    rationale: str,
    conditions: Iterable[str] = (),
) -> TrackReview:
    """A reviewer on the track decides; once every track has, the notice is decided."""
    _require_on_track(user, track_review)
    notice = track_review.notice
    if notice.status != NoticeStatus.UNDER_REVIEW:
        raise Conflict(f"decisions are made on notices under review; this one is {notice.status}")
    errors = []
    try:
        chosen = Decision(decision)
    except ValueError:
        errors.append(FieldError(("decision",), f"one of {', '.join(d.value for d in Decision)}"))
        chosen = None
    listed = [condition.strip() for condition in conditions if condition.strip()]
    if chosen is Decision.CLEARED_WITH_CONDITIONS and not listed:
        errors.append(FieldError(("conditions",), "list the conditions of the clearance"))
    if chosen is not None and chosen is not Decision.CLEARED_WITH_CONDITIONS and listed:
        errors.append(FieldError(("conditions",), "conditions belong to 'cleared with conditions'"))
    if not rationale.strip():
        errors.append(FieldError(("rationale",), "a decision needs its rationale"))
    if errors or chosen is None:
        raise InvalidInput(errors)
    policy = _policy_of(notice)
    with transaction.atomic():
        before = {"decision": track_review.decision}
        track_review.decision, track_review.conditions = chosen.value, listed
        track_review.rationale, track_review.decided_by = rationale.strip(), user
        track_review.decided_at = timezone.now()
        track_review.save()
        record(
            actor=user,
            action="track.decided",
            subject=track_review,
            before=before,
            after={"track": track_review.track, "decision": chosen.value, "conditions": listed},
            policy_id=policy.id,
            policy_version=policy.version,
        )
        _conclude_if_all_decided(user, notice, policy)
    return track_review


def _conclude_if_all_decided(user: User, notice: Notice, policy: Policy) -> None:
    tracks = {review.track: review for review in notice.tracks.all()}
    decisions = {name: Decision(r.decision) if r.decision else None for name, r in tracks.items()}
    overall = overall_decision(decisions, policy.review.tracks)
    if overall is None:
        return
    notice.overall_decision = overall.value
    notice.overall_conditions = combined_conditions(
        {name: tracks[name].conditions for name in policy.review.tracks}
    )
    notice.decided_at = timezone.now()
    notice.save(update_fields=["overall_decision", "overall_conditions", "decided_at"])
    _move(user, notice, NoticeStatus.DECIDED, "notice.decided")
    notify(
        "notice.decided",
        subject=f"{notice}: {overall.value.replace('_', ' ')}",
        payload=_payload(notice)
        | {"decision": overall.value, "conditions": notice.overall_conditions},
        users=[*_lab_members(notice), *_admins()],
        organisations=[notice.organisation],
    )


def _payload(notice: Notice) -> dict[str, Any]:
    return {
        "notice": notice.pk,
        "model": str(notice.ai_model),
        "lab": notice.organisation.name,
        "status": notice.status,
        "review_deadline": notice.review_deadline.isoformat(),
        "policy": f"{notice.policy_id} v{notice.policy_version}",
    }


def run_clock(now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic check: flag notices whose window closed undecided, send due reminders.

    Idempotent: an overdue notice is escalated once; each reminder point is sent once.
    """
    now = now or timezone.now()
    counts = {"overdue": 0, "reminders": 0}
    open_notices = Notice.objects.filter(status__in=list(OPEN_FOR_REVIEW)).select_related(
        "ai_model", "organisation"
    )
    for notice in open_notices:
        policy = _policy_of(notice)
        with transaction.atomic():
            if is_overdue(notice.review_deadline, now):
                if notice.overdue_since is None:
                    notice.overdue_since = now
                    notice.save(update_fields=["overdue_since"])
                    record(
                        actor=None,
                        action="notice.overdue",
                        subject=notice,
                        after={"overdue_since": now.isoformat()},
                        policy_id=policy.id,
                        policy_version=policy.version,
                    )
                    notify(
                        "notice.overdue",
                        subject=f"OVERDUE: {notice} was not decided in time",
                        payload=_payload(notice),
                        users=_admins(),
                    )
                    counts["overdue"] += 1
                continue
            due = reminders_due(
                notice.review_deadline, now, policy.policy.reminder_days_left, notice.reminders_sent
            )
            if not due:
                continue
            reviewers = User.objects.filter(
                review_assignments__track_review__notice=notice,
                review_assignments__track_review__decision="",
            ).distinct()
            for point in due:
                notify(
                    "review.reminder",
                    subject=f"{point} days left to decide on {notice}",
                    payload=_payload(notice) | {"days_left": point},
                    users=reviewers,
                )
            notice.reminders_sent = sorted({*notice.reminders_sent, *due}, reverse=True)
            notice.save(update_fields=["reminders_sent"])
            counts["reminders"] += len(due)
    return counts
