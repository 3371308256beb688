"""Triage: a coordinator accepts, declines, marks duplicate, merges, unmerges or reopens reports.

Every change is audited with the report's state before and after.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from clearinghouse.accounts.models import Role, User
from clearinghouse.audit.services import record
from clearinghouse.errors import Conflict, InvalidInput

from ..models import Report
from ._reports import cves


def is_coordinator(user: User) -> bool:
    """Coordinators and admins triage every report."""
    return user.is_program_admin or user.role == Role.COORDINATOR


def _require_coordinator(user: User) -> None:
    if not is_coordinator(user):
        raise PermissionDenied("only coordinators triage reports")


_ALLOWED = {
    Report.Status.RECEIVED: {
        Report.Status.ACCEPTED,
        Report.Status.DECLINED,
        Report.Status.DUPLICATE,
    },
    Report.Status.ACCEPTED: {Report.Status.DECLINED, Report.Status.DUPLICATE},
    Report.Status.DECLINED: {Report.Status.RECEIVED},
    Report.Status.DUPLICATE: {Report.Status.RECEIVED},
    Report.Status.CASE: set(),
}


def _transition(report: Report, status: str) -> None:
    allowed = _ALLOWED[Report.Status(report.status)]
    if status not in allowed:
        names = ", ".join(sorted(allowed)) or "none"
        raise Conflict(f"report #{report.pk} is {report.status}; it can go to: {names}")


def _state(report: Report) -> dict[str, Any]:
    return {
        "status": report.status,
        "duplicate_of": report.duplicate_of_id,
        "decline_reason": report.decline_reason,
        "aliases": list(report.aliases),
    }


def _triaged(user: User, report: Report, action: str, before: dict[str, Any]) -> Report:
    report.triaged_at = timezone.now()
    report.triaged_by = user
    report.save()
    record(
        actor=user, action=f"report.{action}", subject=report, before=before, after=_state(report)
    )
    return report


def accept(user: User, report: Report) -> Report:
    """A coordinator accepts a report as a new vulnerability for the clearinghouse to handle."""
    _require_coordinator(user)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _transition(report, Report.Status.ACCEPTED)
        before = _state(report)
        report.status = Report.Status.ACCEPTED
        report.duplicate_of = None
        return _triaged(user, report, "accepted", before)


def decline(user: User, report: Report, reason: str) -> Report:
    """A coordinator declines a report, saying why (the reporter sees the reason)."""
    _require_coordinator(user)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.single("reason", "say why the report is declined")
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _transition(report, Report.Status.DECLINED)
        before = _state(report)
        report.status = Report.Status.DECLINED
        report.decline_reason = reason[:2000]
        return _triaged(user, report, "declined", before)


def _primary(report: Report, of: Report) -> Report:
    seen = {report.pk}
    primary = of
    while primary.duplicate_of_id is not None and primary.status == Report.Status.DUPLICATE:
        if primary.duplicate_of_id in seen:
            break
        seen.add(primary.pk)
        primary = Report.objects.get(pk=primary.duplicate_of_id)
    if primary.pk == report.pk:
        raise InvalidInput.single("duplicate_of", "a report cannot be a duplicate of itself")
    return primary


def mark_duplicate(user: User, report: Report, of: Report, *, merge: bool = False) -> Report:
    """Confirm a report as a duplicate of an earlier one; `merge` also gives it its aliases.

    The primary is followed to the report everything in a chain is a duplicate of.
    """
    _require_coordinator(user)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        primary = _primary(report, Report.objects.select_for_update().get(pk=of.pk))
        _transition(report, Report.Status.DUPLICATE)
        before = _state(report)
        report.status = Report.Status.DUPLICATE
        report.duplicate_of = primary
        if merge:
            known = {alias.casefold() for alias in primary.aliases}
            added = [alias for alias in report.aliases if alias.casefold() not in known]
            primary_before = _state(primary)
            primary.aliases = [*primary.aliases, *added]
            primary.cve_ids = sorted({*primary.cve_ids, *report.cve_ids})
            primary.has_cve = bool(primary.cve_ids)
            primary.save(update_fields=["aliases", "cve_ids", "has_cve"])
            report.merged_aliases = added
            record(
                actor=user,
                action="report.merged_into",
                subject=primary,
                before=primary_before,
                after=_state(primary) | {"merged": report.pk},
            )
        return _triaged(user, report, "merged" if merge else "duplicate", before)


def unmerge(user: User, report: Report) -> Report:
    """Undo a duplicate marking or merge: the report is received again, its aliases returned."""
    _require_coordinator(user)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _transition(report, Report.Status.RECEIVED)
        if report.status != Report.Status.DUPLICATE:
            raise Conflict(f"report #{report.pk} is {report.status}, not a duplicate")
        before = _state(report)
        primary = report.duplicate_of
        if primary is not None and report.merged_aliases:
            primary = Report.objects.select_for_update().get(pk=primary.pk)
            primary_before = _state(primary)
            given = {alias.casefold() for alias in report.merged_aliases}
            primary.aliases = [a for a in primary.aliases if a.casefold() not in given]
            primary.cve_ids = cves(primary.aliases)
            primary.has_cve = bool(primary.cve_ids)
            primary.save(update_fields=["aliases", "cve_ids", "has_cve"])
            record(
                actor=user,
                action="report.unmerged_from",
                subject=primary,
                before=primary_before,
                after=_state(primary) | {"unmerged": report.pk},
            )
        report.status = Report.Status.RECEIVED
        report.duplicate_of = None
        report.merged_aliases = []
        return _triaged(user, report, "unmerged", before)


def reopen(user: User, report: Report) -> Report:
    """A declined report is received again (a coordinator changed their mind)."""
    _require_coordinator(user)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == Report.Status.DUPLICATE:
            raise Conflict(f"report #{report.pk} is a duplicate: unmerge it instead")
        _transition(report, Report.Status.RECEIVED)
        before = _state(report)
        report.status = Report.Status.RECEIVED
        report.decline_reason = ""
        return _triaged(user, report, "reopened", before)


BULK_ACTIONS = ("accept", "decline", "duplicate")


def bulk_triage(
    user: User,
    reports: QuerySet[Report],
    *,
    action: str,
    reason: str = "",
    of: Report | None = None,
) -> int:
    """Apply one action to many reports, all or none; returns how many changed."""
    _require_coordinator(user)
    if action not in BULK_ACTIONS:
        raise InvalidInput.single("action", f"must be one of {', '.join(BULK_ACTIONS)}")
    if action == "duplicate" and of is None:
        raise InvalidInput.single("duplicate_of", "name the report they duplicate")
    if action == "decline" and not reason.strip():
        raise InvalidInput.single("reason", "say why the reports are declined")
    chosen = list(reports.order_by("pk"))
    if not chosen:
        raise InvalidInput.single("reports", "choose at least one report")
    with transaction.atomic():
        for report in chosen:
            if action == "accept":
                accept(user, report)
            elif action == "decline":
                decline(user, report, reason)
            else:
                assert of is not None
                mark_duplicate(user, report, of)
    return len(chosen)
