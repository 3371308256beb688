"""Who sees which notices and review material.

- A lab sees its own notices, their grants' metadata, the track decisions, and only the
  findings a reviewer released to it — never reviewers' notes, nor who the reviewers are.
- A reviewer sees the notices on which they are assigned to a track; an agency lead also
  sees every submitted notice of the agency's track, to assign reviewers. Findings and notes
  belong to a track: a reviewer sees those of the tracks they work on.
- Admins see everything (the permission layer's rule for all models).

Actions: the lab that filed a notice files, edits, submits, closes it and manages its access
grants; admins and a track's agency lead staff the track; the reviewers working on a track
(and admins) record findings and notes, release findings and decide.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from clearinghouse.accounts.models import OrganisationKind, Role, User
from clearinghouse.accounts.permissions import (
    action_rule,
    is_program_admin,
    visibility_rule,
    visible,
)
from clearinghouse.audit.history import HistoryEntry, history_rule
from clearinghouse.core.review import NoticeStatus
from clearinghouse.frontier.models import AIModel

from .models import (
    AccessGrant,
    Assignment,
    EvidenceFile,
    Finding,
    Notice,
    ReviewerNote,
    TrackReview,
)

_NOBODY = Q(pk__in=[])


def _is_lab(user: User) -> bool:
    return user.role == Role.DEVELOPER and user.organisation_id is not None


def _lead_track(user: User) -> str | None:
    if user.role == Role.REVIEWER and user.is_agency_lead and user.organisation is not None:
        return user.organisation.track or None
    return None


def track_reviews_of(user: User) -> Q:
    """The track reviews a reviewer works on: assigned, or (leads) their agency's track."""
    if user.role != Role.REVIEWER:
        return _NOBODY
    condition = Q(assignments__reviewer=user)
    track = _lead_track(user)
    if track:
        condition |= Q(track=track) & ~Q(notice__status=NoticeStatus.DRAFT)
    return condition


def _notices(user: User) -> Q:
    if _is_lab(user):
        return Q(organisation_id=user.organisation_id)
    if user.role == Role.REVIEWER:
        return Q(pk__in=TrackReview.objects.filter(track_reviews_of(user)).values("notice_id"))
    return _NOBODY


@visibility_rule(Notice)
def _notice_rule(user: User) -> Q:
    return _notices(user)


@visibility_rule(AccessGrant)
def _grant_rule(user: User) -> Q:
    return Q(notice__in=Notice.objects.filter(_notices(user)))


@visibility_rule(TrackReview)
def _track_rule(user: User) -> Q:
    return Q(notice__in=Notice.objects.filter(_notices(user)))


@history_rule(TrackReview)
def _track_history(user: User, entry: HistoryEntry) -> HistoryEntry | None:
    """Labs see their tracks' decisions, never staffing or internal notes."""
    if _is_lab(user) and entry.action != "track.decided":
        return None
    return entry


@visibility_rule(Assignment)
def _assignment_rule(user: User) -> Q:
    if _is_lab(user):
        return _NOBODY  # labs never learn who reviews their model
    return Q(track_review__notice__in=Notice.objects.filter(_notices(user)))


def assignments_shown_to(user: User) -> Prefetch[Any, Any, Any]:
    """Prefetch each track's assignments that `user` may see, as `track.shown_assignments`."""
    return Prefetch(
        "assignments",
        queryset=visible(Assignment, user).select_related("reviewer"),
        to_attr="shown_assignments",
    )


def _findings(user: User) -> Q:
    if _is_lab(user):
        return Q(track_review__notice__organisation_id=user.organisation_id) & Q(
            released_to_lab_at__isnull=False
        )
    return Q(track_review__in=TrackReview.objects.filter(track_reviews_of(user)))


@visibility_rule(Finding)
def _finding_rule(user: User) -> Q:
    return _findings(user)


@visibility_rule(EvidenceFile)
def _evidence_rule(user: User) -> Q:
    return Q(finding__in=Finding.objects.filter(_findings(user)))


@visibility_rule(ReviewerNote)
def _note_rule(user: User) -> Q:
    return Q(track_review__in=TrackReview.objects.filter(track_reviews_of(user)))


def track_leads(track: str) -> QuerySet[User]:
    """The active agency leads of `track` (told when a notice is submitted)."""
    return User.objects.filter(
        role=Role.REVIEWER, is_agency_lead=True, is_active=True, organisation__track=track
    )


def assignable_to(track_review: TrackReview) -> QuerySet[User]:
    """The active reviewers of the track's agencies not yet assigned to it."""
    return User.objects.filter(
        role=Role.REVIEWER,
        is_active=True,
        organisation__kind=OrganisationKind.AGENCY,
        organisation__track=track_review.track,
    ).exclude(review_assignments__track_review=track_review)


@action_rule("reviews.browse", denied="only labs, agency reviewers and admins take part in reviews")
def _browse(user: User, obj: object) -> bool:
    return is_program_admin(user) or _is_lab(user) or user.role == Role.REVIEWER


@action_rule("reviews.file_notice", denied="a lab files notices only for its own models")
def _file_notice(user: User, model: AIModel | None) -> bool:
    return _is_lab(user) and (model is None or model.organisation_id == user.organisation_id)


_FILING_LAB = "only the lab that filed the notice may do this"


@action_rule("reviews.edit_notice", denied=_FILING_LAB)
@action_rule("reviews.submit_notice", denied=_FILING_LAB)
@action_rule("reviews.close_notice", denied=_FILING_LAB)
@action_rule("reviews.grant_access", denied=_FILING_LAB)
def _filing_lab(user: User, notice: Notice) -> bool:
    return _is_lab(user) and user.organisation_id == notice.organisation_id


@action_rule("reviews.revoke_access", denied=_FILING_LAB)
def _revoke_access(user: User, grant: AccessGrant) -> bool:
    return _filing_lab(user, grant.notice)


@action_rule("reviews.assign", denied="only an admin or this track's agency lead assigns reviewers")
def _assign(user: User, track_review: TrackReview) -> bool:
    return is_program_admin(user) or _lead_track(user) == track_review.track


@action_rule("reviews.be_assigned", denied="only reviewers of an agency on this track review it")
def _be_assigned(user: User, track_review: TrackReview) -> bool:
    agency = user.organisation
    return (
        user.role == Role.REVIEWER
        and agency is not None
        and agency.kind == OrganisationKind.AGENCY
        and agency.track == track_review.track
    )


def _works_on(user: User, track_review: TrackReview) -> bool:
    if is_program_admin(user):
        return True
    return TrackReview.objects.filter(track_reviews_of(user), pk=track_review.pk).exists()


_TRACK_ONLY = "only reviewers of this track may do this"


@action_rule("reviews.record_finding", denied=_TRACK_ONLY)
@action_rule("reviews.add_note", denied=_TRACK_ONLY)
@action_rule("reviews.decide", denied="only reviewers of this track decide")
def _on_track(user: User, track_review: TrackReview) -> bool:
    return _works_on(user, track_review)


@action_rule("reviews.release_finding", denied=_TRACK_ONLY)
@action_rule("reviews.attach_evidence", denied=_TRACK_ONLY)
def _finding_of_track(user: User, finding: Finding) -> bool:
    return _works_on(user, finding.track_review)


@action_rule("reviews.see_staffing", denied="labs never learn who reviews their model")
def _see_staffing(user: User, obj: object) -> bool:
    return not _is_lab(user)
