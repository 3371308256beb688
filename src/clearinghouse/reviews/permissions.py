"""Who sees which notices and review material.

- A lab sees its own notices, their grants' metadata, the track decisions, and only the
  findings a reviewer released to it — never reviewers' notes, nor who the reviewers are.
- A reviewer sees the notices on which they are assigned to a track; an agency lead also
  sees every submitted notice of the agency's track, to assign reviewers. Findings and notes
  belong to a track: a reviewer sees those of the tracks they work on.
- Admins see everything (the permission layer's rule for all models).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import visibility_rule, visible
from clearinghouse.audit.history import HistoryEntry, history_rule
from clearinghouse.core.review import NoticeStatus

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
