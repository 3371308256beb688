"""The review workflow: file and submit notices, grant access, assign, find, decide, run the clock.

Every command follows one shape (docs/architecture.md): inside `audited()` it re-reads the
rows it changes with `locked` (the notice first, then its track, everywhere, so two commands
never wait on each other in opposite orders), checks the action rule on those rows with
`require`, moves state with `advance` against the core's lifecycle, and records its events
and notifications in the same transaction. Views, the API and commands all call these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import can, program_admins, require, visible
from clearinghouse.audit.services import audited, record
from clearinghouse.core.egress import check_url
from clearinghouse.core.policy import Policy
from clearinghouse.core.review import (
    NOTICE_LIFECYCLE,
    OPEN_FOR_REVIEW,
    TRACK_LIFECYCLE,
    Decision,
    NoticeStatus,
    TrackStatus,
    combined_conditions,
    earliest_release_date,
    is_overdue,
    overall_decision,
    provider_urls,
    reminders_due,
    review_deadline,
)
from clearinghouse.errors import Conflict, FieldError, InvalidInput
from clearinghouse.frontier.models import AIModel
from clearinghouse.frontier.policies import active_policy, get_policy
from clearinghouse.notifications.services import notify
from clearinghouse.sealed import fingerprint, seal
from clearinghouse.workflow import advance, locked

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
from .permissions import track_leads

DISCLOSURE_FIELDS = ("training_data_summary", "stress_test_results")


def _today() -> dt.date:
    return timezone.now().date()


def _lab_members(notice: Notice) -> QuerySet[User]:
    return User.objects.filter(organisation=notice.organisation, is_active=True)


def _state(notice: Notice) -> dict[str, Any]:
    return {
        "status": notice.status,
        "planned_release_date": notice.planned_release_date.isoformat(),
        "review_deadline": notice.review_deadline.isoformat(),
        "overall_decision": notice.overall_decision,
    }


def _policy_of(notice: Notice) -> Policy:
    return get_policy(notice.policy_id)


def _locked_notice(notice: Notice) -> Notice:
    """The notice's current row, locked, with what messages and notifications name."""
    return locked(notice, Notice.objects.select_related("ai_model", "organisation"))


def _locked_track(track_review: TrackReview) -> tuple[Notice, TrackReview]:
    """The track's notice and the track itself, current and locked in that order."""
    notice = _locked_notice(Notice(pk=track_review.notice_id))
    track = locked(track_review)
    track.notice = notice
    return notice, track


def _locked_finding(finding: Finding) -> Finding:
    """The finding's current row, locked, with its track and notice (for rules and messages)."""
    return locked(
        finding,
        Finding.objects.select_related(
            "track_review__notice__ai_model", "track_review__notice__organisation"
        ),
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


def _record_notice(user: User | None, notice: Notice, action: str, before: dict[str, Any]) -> None:
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


def file_notice(user: User, command: FileNotice) -> Notice:
    """A lab files a draft notice for one of its covered models, under the active policy.

    A model the user may not see is a 404, as every lookup of a hidden row.
    """
    model = get_object_or_404(visible(AIModel, user), pk=command.ai_model_id)
    with audited():
        model = locked(model, AIModel.objects.select_related("organisation"))
        require(user, "reviews.file_notice", model)
        if not model.covered:
            raise InvalidInput.single("ai_model_id", f"{model} is not a covered frontier model")
        policy = active_policy()
        _check_release_date(command.planned_release_date, policy)
        notice = Notice.objects.create(
            ai_model=model,
            organisation=model.organisation,
            policy_id=policy.id,
            policy_version=policy.version,
            planned_release_date=command.planned_release_date,
            review_deadline=review_deadline(command.planned_release_date),
            training_data_summary=command.training_data_summary,
            stress_test_results=command.stress_test_results,
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


def update_draft(user: User, notice: Notice, command: EditDraft) -> Notice:
    """The lab edits a draft: release date and disclosures (only the fields it gave)."""
    with audited():
        notice = _locked_notice(notice)
        require(user, "reviews.edit_notice", notice)
        if notice.status != NoticeStatus.DRAFT:
            raise Conflict(f"only a draft notice can be edited; this one is {notice.status}")
        before = _state(notice)
        changed = []
        if command.planned_release_date is not None:
            release = command.planned_release_date
            _check_release_date(release, _policy_of(notice))
            notice.planned_release_date, notice.review_deadline = release, review_deadline(release)
            changed += ["planned_release_date", "review_deadline"]
        for name in DISCLOSURE_FIELDS:
            value = getattr(command, name)
            if value is not None:
                setattr(notice, name, value)
                changed.append(name)
        notice.save(update_fields=changed)
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
    with audited():
        notice = _locked_notice(notice)
        require(user, "reviews.submit_notice", notice)
        policy = _policy_of(notice)
        if notice.status == NoticeStatus.DRAFT:
            _check_release_date(notice.planned_release_date, policy)
            _check_disclosures(notice, policy)
        before = _state(notice)
        advance(notice, NOTICE_LIFECYCLE, NoticeStatus.SUBMITTED)
        notice.submitted_at = timezone.now()
        notice.save(update_fields=["status", "submitted_at"])
        _record_notice(user, notice, "notice.submitted", before)
        leads = [lead for track in policy.review.tracks for lead in track_leads(track)]
        notify(
            "notice.submitted",
            subject=f"{notice} submitted for review",
            payload=_payload(notice),
            users=[*program_admins(), *leads],
            organisations=[notice.organisation],
        )
    return notice


def _close(user: User, notice: Notice, target: NoticeStatus, action: str) -> Notice:
    """Move the notice to a final state; no access grant outlives a closed notice's review."""
    with audited():
        notice = _locked_notice(notice)
        require(user, "reviews.close_notice", notice)
        before = _state(notice)
        advance(notice, NOTICE_LIFECYCLE, target)
        notice.closed_at = timezone.now()
        notice.save(update_fields=["status", "closed_at"])
        if target == NoticeStatus.WITHDRAWN:
            AccessGrant.objects.filter(notice=notice, revoked_at__isnull=True).update(
                revoked_at=notice.closed_at
            )
        _record_notice(user, notice, action, before)
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


def _checked_urls(command: GrantAccess) -> dict[str, str]:
    """Every URL the grant gives the server to call (its base_url, a provider's URL
    arguments), checked against the server's outbound allow-list here, not in the input."""
    urls = {"base_url": command.base_url} if command.base_url else {}
    urls |= {f"provider_args.{k}": v for k, v in provider_urls(command.provider_args).items()}
    checked = {}
    for name, url in urls.items():
        try:
            checked[name] = check_url(url, settings.CLEARINGHOUSE_OUTBOUND_ALLOW)
        except ValueError as error:
            raise InvalidInput.single(name, str(error)) from None
    return checked


def grant_access(user: User, notice: Notice, command: GrantAccess) -> AccessGrant:
    """The lab tells reviewers how to reach the model; the secret is sealed immediately."""
    secret = command.api_key.get_secret_value() if command.api_key else ""
    with audited():
        notice = _locked_notice(notice)
        require(user, "reviews.grant_access", notice)
        _require_open(notice, "grant access")
        base_url = _checked_urls(command).get("base_url", "")
        expires = review_deadline(notice.planned_release_date) + dt.timedelta(
            days=_policy_of(notice).policy.access_grace_days
        )
        grant = AccessGrant.objects.create(
            notice=notice,
            kind=command.kind,
            base_url=base_url,
            model=command.model,
            provider_args=command.provider_args,
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
    with audited():
        grant = locked(grant, AccessGrant.objects.select_related("notice"))
        require(user, "reviews.revoke_access", grant)
        if grant.revoked_at is not None:
            raise Conflict("this access grant is already revoked")
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


def assign_reviewer(user: User, track_review: TrackReview, command: AssignReviewer) -> Assignment:
    """An admin or the track's agency lead assigns a reviewer of an agency on that track."""
    reviewer = (
        User.objects.select_related("organisation")
        .filter(username=command.reviewer, is_active=True)
        .first()
    )
    if reviewer is None:
        raise InvalidInput.single("reviewer", f"no active user named {command.reviewer!r}")
    with audited():
        notice, track = _locked_track(track_review)
        require(user, "reviews.assign", track)
        if notice.status not in OPEN_FOR_REVIEW:
            raise Conflict(
                f"reviewers are assigned to submitted notices; this one is {notice.status}"
            )
        if not can(reviewer, "reviews.be_assigned", track):
            raise InvalidInput.single(
                "reviewer", f"{reviewer.username} is not a reviewer of a {track.track} agency"
            )
        if Assignment.objects.filter(track_review=track, reviewer=reviewer).exists():
            raise Conflict(f"{reviewer.username} is already assigned to this track")
        assignment = Assignment.objects.create(
            track_review=track, reviewer=reviewer, assigned_by=user
        )
        record(
            actor=user,
            action="reviewer.assigned",
            subject=track,
            after={"reviewer": reviewer.username, "track": track.track},
        )
        if notice.status == NoticeStatus.SUBMITTED:
            before = _state(notice)
            advance(notice, NOTICE_LIFECYCLE, NoticeStatus.UNDER_REVIEW)
            notice.save(update_fields=["status"])
            _record_notice(user, notice, "notice.review_started", before)
        notify(
            "reviewer.assigned",
            subject=f"You are assigned to review {notice}",
            payload=_payload(notice) | {"track": track.track},
            users=[reviewer],
        )
    return assignment


def record_finding(user: User, track_review: TrackReview, command: RecordFinding) -> Finding:
    """A reviewer on the track records a finding (internal until released to the lab)."""
    with audited():
        notice, track = _locked_track(track_review)
        require(user, "reviews.record_finding", track)
        _require_open(notice, "record findings")
        finding = Finding.objects.create(
            track_review=track,
            category=command.category,
            severity=command.severity,
            title=command.title,
            description=command.description,
            assessment_reference=command.assessment_reference,
            case_reference=command.case_reference,
            created_by=user,
        )
        record(
            actor=user,
            action="finding.recorded",
            subject=finding,
            after={
                "track": track.track,
                "category": finding.category,
                "severity": finding.severity,
                "title": finding.title,
            },
        )
    return finding


def release_finding(user: User, finding: Finding) -> Finding:
    """A reviewer releases a finding to the lab, which is told."""
    with audited():
        finding = _locked_finding(finding)
        require(user, "reviews.release_finding", finding)
        if finding.released_to_lab_at is not None:
            raise Conflict("this finding was already released to the lab")
        notice = finding.track_review.notice
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
    size = upload.size or 0
    with audited():
        finding = _locked_finding(finding)
        require(user, "reviews.attach_evidence", finding)
        if size > max_bytes:
            raise InvalidInput.single("file", f"{size} bytes is over the {max_bytes}-byte limit")
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        name = (upload.name or "evidence").replace("/", "_").replace("\\", "_")[-200:]
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


def add_note(user: User, track_review: TrackReview, command: AddNote) -> ReviewerNote:
    """An internal note for the track's reviewers; never shown to the lab."""
    with audited():
        require(user, "reviews.add_note", track_review)
        note = ReviewerNote.objects.create(
            track_review=track_review, author=user, body=command.body
        )
        record(actor=user, action="note.added", subject=track_review, after={"note": note.pk})
    return note


def decide_track(user: User, track_review: TrackReview, command: DecideTrack) -> TrackReview:
    """A reviewer on the track decides; once every track has, the notice is decided.

    The notice is re-read under its lock first, so a decision racing the lab's withdrawal
    (or a colleague's decision on the same track) waits for it and is then refused.
    """
    with audited():
        notice, track = _locked_track(track_review)
        require(user, "reviews.decide", track)
        if notice.status != NoticeStatus.UNDER_REVIEW:
            raise Conflict(
                f"a {notice.status} notice takes no decisions; decisions are made while it is "
                f"under review"
            )
        policy = _policy_of(notice)
        before = {"status": track.status, "decision": track.decision}
        advance(track, TRACK_LIFECYCLE, TrackStatus.DECIDED)
        track.decision, track.conditions = command.decision.value, command.conditions
        track.rationale, track.decided_by = command.rationale, user
        track.decided_at = timezone.now()
        track.save(
            update_fields=[
                "status",
                "decision",
                "conditions",
                "rationale",
                "decided_by",
                "decided_at",
            ]
        )
        record(
            actor=user,
            action="track.decided",
            subject=track,
            before=before,
            after={
                "track": track.track,
                "decision": track.decision,
                "conditions": track.conditions,
            },
            policy_id=policy.id,
            policy_version=policy.version,
        )
        _conclude_if_all_decided(user, notice, policy)
    return track


def _conclude_if_all_decided(user: User, notice: Notice, policy: Policy) -> None:
    tracks = {review.track: review for review in notice.tracks.all()}
    decisions = {name: Decision(r.decision) if r.decision else None for name, r in tracks.items()}
    overall = overall_decision(decisions, policy.review.tracks)
    if overall is None:
        return
    before = _state(notice)
    advance(notice, NOTICE_LIFECYCLE, NoticeStatus.DECIDED)
    notice.overall_decision = overall.value
    notice.overall_conditions = combined_conditions(
        {name: tracks[name].conditions for name in policy.review.tracks}
    )
    notice.decided_at = timezone.now()
    notice.save(update_fields=["status", "overall_decision", "overall_conditions", "decided_at"])
    _record_notice(user, notice, "notice.decided", before)
    notify(
        "notice.decided",
        subject=f"{notice}: {overall.value.replace('_', ' ')}",
        payload=_payload(notice)
        | {"decision": overall.value, "conditions": notice.overall_conditions},
        users=[*_lab_members(notice), *program_admins()],
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

    Idempotent: an overdue notice is escalated once; each reminder point is sent once. Each
    notice is re-read under its lock, so one withdrawn or decided meanwhile is left alone.
    """
    now = now or timezone.now()
    counts = {"overdue": 0, "reminders": 0}
    open_notices = Notice.objects.filter(status__in=list(OPEN_FOR_REVIEW)).only("pk")
    for candidate in open_notices.iterator(chunk_size=500):
        with audited():
            notice = _locked_notice(candidate)
            if notice.status not in OPEN_FOR_REVIEW:
                continue
            policy = _policy_of(notice)
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
                        users=program_admins(),
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
                review_assignments__track_review__status=TrackStatus.OPEN,
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
