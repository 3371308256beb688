"""Who sees intake and who acts on it.

A report can describe an unpatched vulnerability, so no other tenant ever sees it: the
reporting organisation sees its own submissions and reports, coordinators (and admins) all.
Duplicate candidates and duplicate links name other organisations' reports, so a submitter
sees a link only to its own organisation's earlier report (`reports_shown_to`): a lab that
reports a bug another organisation already reported learns that its report was received,
not that the bug is known. Scoring feeds (KEV, EPSS) are public data every signed-in user
may read; their imports are the coordinators'.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, When

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import action_rule, has_role, visibility_rule, visible
from clearinghouse.audit.history import HistoryEntry, history_rule

from .models import DuplicateCandidate, EpssEntry, FeedImport, KevListing, Report, Submission

_NOTHING = Q(pk__in=[])


def _is_desk(user: User) -> bool:
    """The clearinghouse desk: coordinators and admins see and triage every report."""
    return user.is_program_admin or has_role(user, Role.COORDINATOR)


def _own(user: User, field: str) -> Q:
    if _is_desk(user):
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
    return Q() if _is_desk(user) else _NOTHING


@visibility_rule(KevListing)
def _kev(user: User) -> Q:
    return Q()


@visibility_rule(EpssEntry)
def _epss(user: User) -> Q:
    return Q()


@visibility_rule(FeedImport)
def _feeds(user: User) -> Q:
    return Q() if _is_desk(user) else _NOTHING


@action_rule("intake.submit", denied="only members of an organisation submit reports")
def _may_submit(user: User, obj: Any) -> bool:
    return user.organisation_id is not None


@action_rule("intake.triage", denied="only coordinators triage reports")
def _may_triage(user: User, obj: Any) -> bool:
    return _is_desk(user)


@action_rule("intake.import_feed", denied="only coordinators and admins import scoring feeds")
def _may_import_feed(user: User, obj: Any) -> bool:
    return _is_desk(user)


def reports_shown_to(user: User) -> QuerySet[Report]:
    """The reports `user` may see, each with `shown_duplicate_of`: its duplicate link or None.

    The link (`duplicate_of`, set by dedup or a coordinator) is shown only where the viewer
    may see the earlier report: always to the desk, to a submitter only when it is its own
    organisation's. Pages and the API show `shown_duplicate_of`, never `duplicate_of`.
    """
    if _is_desk(user):
        shown: F | Case = F("duplicate_of_id")
    else:
        shown = Case(
            When(
                Q(duplicate_of__organisation_id=user.organisation_id)
                & Q(duplicate_of__organisation_id__isnull=False),
                then=F("duplicate_of_id"),
            ),
            default=None,
            output_field=IntegerField(),
        )
    return visible(Report, user).annotate(shown_duplicate_of=shown)


#: Fields of a report's events that name another report.
_LINKS = ("duplicate_of", "merged", "unmerged")


@history_rule(Report)
def _report_history(user: User, entry: HistoryEntry) -> HistoryEntry | None:
    """Reporters see what happened to their report, never which report it was linked to."""
    return entry if _is_desk(user) else entry.without(*_LINKS)


@action_rule(
    "intake.retry_submission",
    denied="only its submitter, or a coordinator, retries a submission",
)
def _retry_submission(user: User, submission: Submission) -> bool:
    return _is_desk(user) or submission.submitted_by_id == user.pk
