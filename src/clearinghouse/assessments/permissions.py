"""Who sees assessment runs and the vulnerabilities models reported in them.

- Reviewers see the runs (ours and uploaded) of the notices on whose tracks they work, and
  the candidate reports those runs produced.
- A lab sees only the eval logs it uploaded itself (self-reported). Our runs stay internal,
  like unreleased findings: what reaches the lab is the findings reviewers release and, once
  the notice is decided, the capability level per family (see `services.levels_for_lab`).
- Coordinators (the clearinghouse desk) see every candidate report, not the runs.
- Admins see everything (the permission layer's rule for all models).

Actions: reviewers on the notice's tracks and admins run assessments
(`assessments.run`); they and the notice's own lab upload eval logs (`assessments.upload_log`);
coordinators and admins file candidate reports with intake (`assessments.send_candidate`);
they and reviewers open the list of candidates (`assessments.browse_candidates`).
"""

from __future__ import annotations

from django.db.models import Q

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import action_rule, visibility_rule
from clearinghouse.reviews.models import Notice, TrackReview
from clearinghouse.reviews.permissions import track_reviews_of

from .models import AssessmentRun, CandidateReport

_NOBODY = Q(pk__in=[])


def reviewed_notices(user: User) -> Q:
    """Notices (as a filter on `notice`) on whose tracks the user works as a reviewer."""
    return Q(notice__in=TrackReview.objects.filter(track_reviews_of(user)).values("notice_id"))


@visibility_rule(AssessmentRun)
def _run_rule(user: User) -> Q:
    if user.role == Role.DEVELOPER and user.organisation_id is not None:
        return Q(
            origin=AssessmentRun.Origin.SELF_REPORTED,
            organisation_id=user.organisation_id,
            notice__organisation_id=user.organisation_id,
        )
    if user.role == Role.REVIEWER:
        return reviewed_notices(user)
    return _NOBODY


@visibility_rule(CandidateReport)
def _candidate_rule(user: User) -> Q:
    if user.role == Role.COORDINATOR:
        return Q()
    if user.role == Role.REVIEWER:
        return Q(run__in=AssessmentRun.objects.filter(reviewed_notices(user)))
    return _NOBODY


def speaks_for_a_lab(user: User) -> bool:
    """Whether the user is a lab's developer (what a notice page shows them differs)."""
    return user.role == Role.DEVELOPER


@action_rule(
    "assessments.run", denied="only reviewers assigned to this notice and admins run assessments"
)
def _may_run(user: User, notice: Notice) -> bool:
    return bool(
        user.is_program_admin
        or TrackReview.objects.filter(track_reviews_of(user), notice=notice).exists()
    )


@action_rule(
    "assessments.upload_log", denied="the notice's lab, its reviewers and admins upload eval logs"
)
def _may_upload_log(user: User, notice: Notice) -> bool:
    return is_notice_lab(user, notice) or _may_run(user, notice)


def is_notice_lab(user: User, notice: Notice) -> bool:
    """Whether the user speaks for the lab that filed the notice (its logs are self-reported)."""
    return speaks_for_a_lab(user) and user.organisation_id == notice.organisation_id


@action_rule(
    "assessments.browse_candidates",
    denied="only the clearinghouse desk and reviewers see the vulnerabilities models reported",
)
def _may_browse_candidates(user: User, obj: object) -> bool:
    return bool(user.is_program_admin or user.role in {Role.COORDINATOR, Role.REVIEWER})


@action_rule(
    "assessments.send_candidate",
    denied="only the clearinghouse desk (coordinators) files candidates",
)
def _may_send_candidate(user: User, candidate: CandidateReport | None) -> bool:
    return bool(user.is_program_admin or user.role == Role.COORDINATOR)
