"""Who sees intake: the reporting organisation its own submissions and reports; coordinators all.

A report can describe an unpatched vulnerability, so no other tenant ever sees it, and
duplicate candidates (which name other organisations' reports) are for coordinators only.
Scoring feeds (KEV, EPSS) are public data: every signed-in user may read them.
"""

from __future__ import annotations

from django.db.models import Q

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import action_rule, visibility_rule

from .models import DuplicateCandidate, EpssEntry, FeedImport, KevListing, Report, Submission

_NOTHING = Q(pk__in=[])


def _own(user: User, field: str) -> Q:
    if user.role == Role.COORDINATOR:
        return Q()
    if user.organisation_id is None:
        return _NOTHING
    return Q(**{field: user.organisation_id})


@visibility_rule(Submission)
def _submissions(user: User) -> Q:
    return _own(user, "organisation_id")


@visibility_rule(Report)
def _reports(user: User) -> Q:
    return _own(user, "organisation_id")


@visibility_rule(DuplicateCandidate)
def _candidates(user: User) -> Q:
    return Q() if user.role == Role.COORDINATOR else _NOTHING


@visibility_rule(KevListing)
def _kev(user: User) -> Q:
    return Q()


@visibility_rule(EpssEntry)
def _epss(user: User) -> Q:
    return Q()


@visibility_rule(FeedImport)
def _feeds(user: User) -> Q:
    return Q() if user.role == Role.COORDINATOR else _NOTHING


@action_rule(
    "intake.retry_submission",
    denied="only its submitter, or a coordinator, retries a submission",
)
def _retry_submission(user: User, submission: Submission) -> bool:
    return user.role == Role.COORDINATOR or submission.submitted_by_id == user.pk
