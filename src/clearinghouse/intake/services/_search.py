"""The report and submission lists' filters and orders, one for the API, the pages and bulk
triage."""

from __future__ import annotations

from django.db.models import QuerySet

from clearinghouse.accounts.models import Organisation, User
from clearinghouse.accounts.permissions import visible

from ..inputs import ReportFilter, ReportSort, SubmissionFilter, SubmissionSort
from ..models import Report, Submission

# Each order is one of Report's indexes (models.Report.Meta.indexes), read forwards or back.
_ORDER = {
    ReportSort.PRIORITY: ("-priority_points", "pk"),
    ReportSort.NEWEST: ("-created_at", "-pk"),
    ReportSort.OLDEST: ("created_at", "pk"),
    ReportSort.SSVC: ("ssvc_rank", "-priority_points", "pk"),
    ReportSort.SECTOR: ("sector_key", "-priority_points", "pk"),
}


def matching(reports: QuerySet[Report], filters: ReportFilter) -> QuerySet[Report]:
    """The reports that pass `filters`, in its order."""
    exact = {
        "status": filters.status,
        "ssvc_decision": filters.ssvc,
        "in_kev": filters.kev,
        "source_format": filters.source,
        "has_cve": filters.has_cve,
        "reporter_kind": filters.reporter_kind,
    }
    reports = reports.filter(
        **{field: value for field, value in exact.items() if value is not None}
    )
    # JSON lists matched by their quoted item: works alike on SQLite and PostgreSQL.
    if filters.sector:
        reports = reports.filter(sectors__icontains=f'"{filters.sector}"')
    if filters.cve:
        reports = reports.filter(cve_ids__icontains=f'"{filters.cve}"')
    for word in (filters.q or "").split():
        reports = reports.filter(title__icontains=word)
    return reports.order_by(*_ORDER[filters.sort])


_SUBMISSION_ORDER = {
    SubmissionSort.NEWEST: ("-created_at", "-pk"),
    SubmissionSort.OLDEST: ("created_at", "pk"),
}


def submissions_matching(
    submissions: QuerySet[Submission], filters: SubmissionFilter
) -> QuerySet[Submission]:
    """The submissions that pass `filters`, in its order."""
    exact = {
        "status": filters.status,
        "format": filters.format,
        "organisation_id": filters.organisation,
    }
    submissions = submissions.filter(
        **{field: value for field, value in exact.items() if value is not None}
    )
    return submissions.order_by(*_SUBMISSION_ORDER[filters.sort])


def submitting_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations whose submissions `user` may see, by name (the list's menu)."""
    submitted = visible(Submission, user).order_by().values("organisation_id")
    return Organisation.objects.filter(pk__in=submitted).order_by("name")
