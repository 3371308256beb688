"""The report list's filter and order, one for the API, the triage queue and bulk triage."""

from __future__ import annotations

from django.db.models import QuerySet

from ..inputs import ReportFilter, ReportSort
from ..models import Report

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
