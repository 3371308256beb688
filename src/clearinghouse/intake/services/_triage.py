"""Triage: a coordinator accepts, declines, marks duplicate, merges, unmerges or reopens reports.

Each decision is one unit of work (`audited()`): the report's current row is re-read under a
lock, the move is checked against the core's `REPORT_LIFECYCLE` (a stale copy gets a 409
naming the state the report is really in), and the events are appended to the audit chain
once, at the end. Marking a report a duplicate follows the earlier report to its primary and
refuses what cannot be one vulnerability (`_links.Group.admit`, over both whole groups: the
report with everything linked through it, and the primary's group): the report itself, a
cycle, two items of one document, or (unless the coordinator insists) two reports naming
different identifiers of one namespace.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import require, visible
from clearinghouse.audit.services import Entry, audited, record_many
from clearinghouse.core.triage import REPORT_LIFECYCLE, ReportStatus
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.workflow import advance, locked

from ..inputs import MAX_BULK, BulkTriage, Triage, TriageAction
from ..models import Report
from . import _links
from ._reports import cves
from ._search import matching

TRIAGED = ["status", "duplicate_of", "decline_reason", "merged_aliases", "triaged_at",
            "triaged_by"]  # fmt: skip
_MERGED = ["aliases", "cve_ids", "has_cve"]


def state(report: Report) -> dict[str, Any]:
    """What a triage event records of a report, before and after."""
    return {
        "status": report.status,
        "duplicate_of": report.duplicate_of_id,
        "decline_reason": report.decline_reason,
        "aliases": list(report.aliases),
    }


def locked_primary(user: User, command: Triage, chosen: Collection[int]) -> Report:
    """The report the chosen ones duplicate, locked: the earlier one followed to its primary.

    The chosen reports are locked already; the primary is checked again once locked, since
    another coordinator may have made it a duplicate (of one of the chosen: a cycle) since it
    was read. A report seen twice on the way is a cycle in stored data: the walk stops there.
    """
    assert command.duplicate_of is not None  # the command's rule
    shown = visible(Report, user)
    primary = shown.filter(pk=command.duplicate_of).first()
    if primary is None:
        raise InvalidInput.single("duplicate_of", f"no report #{command.duplicate_of}")
    seen: set[int] = set()
    while True:
        # An automatic link (a report still received) counts as much as a confirmed one.
        while primary.duplicate_of_id is not None:
            if primary.pk in chosen or primary.pk in seen:
                break
            seen.add(primary.pk)
            primary = shown.get(pk=primary.duplicate_of_id)
        if primary.pk in chosen:
            if primary.pk == command.duplicate_of:
                raise Conflict(f"report #{primary.pk} cannot be a duplicate of itself")
            raise Conflict(
                f"report #{command.duplicate_of} is a duplicate of report #{primary.pk}: "
                "marking this a duplicate of it would form a cycle"
            )
        primary = locked(primary)
        if primary.duplicate_of_id is None or primary.pk in seen:
            return primary
        seen.add(primary.pk)
        primary = shown.get(pk=primary.duplicate_of_id)


@dataclass
class Joining:
    """Where reports marked duplicates go: the primary, locked, and its group as it grows.

    Each report joins with everything linked through it (`moving`, by report), checked
    against the group as the reports before it in the same decision left it.
    """

    primary: Report
    group: _links.Group
    moving: dict[int, list[_links.Member]]

    def admit(self, report: Report, despite: bool) -> None:
        """Check the report (and all linked through it) may join; count it in the group."""
        self.group.admit(self.moving[report.pk], despite=despite)


def joining(primary: Report, reports: Collection[int]) -> Joining:
    """The group `reports` are to join under a locked primary, read whole."""
    every = _links.every_link()
    moving = _links.by_start(reports, _links.linked_through(reports, every))
    return Joining(primary, _links.Group.of(_links.linked_through([primary.pk], every)), moving)


def _merge(user: User, report: Report, primary: Report) -> Entry:
    """Give the primary the report's aliases; the event about the primary."""
    known = {alias.casefold() for alias in primary.aliases}
    added = [alias for alias in report.aliases if alias.casefold() not in known]
    before = state(primary)
    primary.aliases = [*primary.aliases, *added]
    primary.cve_ids = sorted({*primary.cve_ids, *report.cve_ids})
    primary.has_cve = bool(primary.cve_ids)
    primary.save(update_fields=_MERGED)
    report.merged_aliases = added
    return Entry(
        user, "report.merged_into", primary, before, state(primary) | {"merged": report.pk}
    )


def _unmerge(user: User, report: Report) -> Entry | None:
    """Take back the aliases the report gave its primary; the event about the primary."""
    if report.duplicate_of_id is None or not report.merged_aliases:
        return None
    primary = locked(Report(pk=report.duplicate_of_id))
    before = state(primary)
    given = {alias.casefold() for alias in report.merged_aliases}
    primary.aliases = [alias for alias in primary.aliases if alias.casefold() not in given]
    primary.cve_ids = cves(primary.aliases)
    primary.has_cve = bool(primary.cve_ids)
    primary.save(update_fields=_MERGED)
    return Entry(
        user, "report.unmerged_from", primary, before, state(primary) | {"unmerged": report.pk}
    )


def decide(user: User, report: Report, command: Triage, into: Joining | None) -> list[Entry]:
    """Apply the decision to a locked report (not saved); the audit events it makes."""
    before = state(report)
    action, extra = command.action, []
    if action == TriageAction.ACCEPT:
        advance(report, REPORT_LIFECYCLE, ReportStatus.ACCEPTED)
        report.duplicate_of = None
        verb = "accepted"
    elif action == TriageAction.DECLINE:
        advance(report, REPORT_LIFECYCLE, ReportStatus.DECLINED)
        report.decline_reason = command.reason
        verb = "declined"
    elif action in (TriageAction.DUPLICATE, TriageAction.MERGE):
        assert into is not None
        into.admit(report, command.despite_conflict)
        advance(report, REPORT_LIFECYCLE, ReportStatus.DUPLICATE)
        primary = report.duplicate_of = into.primary
        if action == TriageAction.MERGE:
            extra.append(_merge(user, report, primary))
        verb = "merged" if action == TriageAction.MERGE else "duplicate"
    elif report.status == ReportStatus.DUPLICATE and action == TriageAction.REOPEN:
        raise Conflict(f"report #{report.pk} is a duplicate: unmerge it instead")
    elif report.status != ReportStatus.DUPLICATE and action == TriageAction.UNMERGE:
        raise Conflict(f"report #{report.pk} is {report.status}, not a duplicate")
    else:
        advance(report, REPORT_LIFECYCLE, ReportStatus.RECEIVED)
        if action == TriageAction.UNMERGE:
            extra += [entry for entry in [_unmerge(user, report)] if entry is not None]
            report.duplicate_of, report.merged_aliases = None, []
        else:
            report.decline_reason = ""
        verb = "unmerged" if action == TriageAction.UNMERGE else "reopened"
    report.triaged_at, report.triaged_by = timezone.now(), user
    return [*extra, Entry(user, f"report.{verb}", report, before, state(report))]


def triage(user: User, report: Report, command: Triage) -> Report:
    """A coordinator's decision on one report, made on its current row; returns the row."""
    with audited():
        marking = command.action in (TriageAction.DUPLICATE, TriageAction.MERGE)
        if marking and command.duplicate_of is not None and command.duplicate_of < report.pk:
            # Rows are locked in id order, so that two coordinators marking A a duplicate of
            # B and B of A wait for each other (and the second sees the cycle) instead of
            # deadlocking.
            list(Report.objects.select_for_update().filter(pk=command.duplicate_of).values("pk"))
        row = locked(report)
        require(user, "intake.triage", row)
        into = joining(locked_primary(user, command, {row.pk}), [row.pk]) if marking else None
        entries = decide(user, row, command, into)
        row.save(update_fields=TRIAGED)
        record_many(entries)
    return row


def _chosen(user: User, command: BulkTriage) -> QuerySet[Report]:
    reports = visible(Report, user)
    if command.report_ids is not None:
        return reports.filter(pk__in=command.report_ids)
    assert command.matching is not None
    return matching(reports, command.matching)


def bulk_triage(user: User, command: BulkTriage) -> int:
    """Apply one decision to many reports, all or none; returns how many changed.

    The chosen reports are locked first; ids that are not (or no longer) there are a 422,
    and a filter that now matches another number of reports than `expected` a 409.
    """
    require(user, "intake.triage")
    with audited():
        rows = list(
            _chosen(user, command)
            .select_for_update(of=("self",))
            .order_by("pk")
            .defer("item", "description")[: MAX_BULK + 1]
        )
        if command.report_ids is not None and len(rows) != len(set(command.report_ids)):
            raise InvalidInput.single("report_ids", "some of these reports do not exist")
        if len(rows) > MAX_BULK:
            raise InvalidInput.single("matching", f"more than {MAX_BULK:,} reports match")
        if command.expected is not None and len(rows) != command.expected:
            raise Conflict(
                f"{len(rows):,} reports match now, not the {command.expected:,} you saw: "
                "look at the list again"
            )
        if not rows:
            raise InvalidInput.single("matching", "no report matches")
        into = None
        if command.action == TriageAction.DUPLICATE:
            chosen = [row.pk for row in rows]
            into = joining(locked_primary(user, command, set(chosen)), chosen)
        entries = [entry for row in rows for entry in decide(user, row, command, into)]
        Report.objects.bulk_update(rows, TRIAGED, batch_size=500)
        record_many(entries)
    return len(rows)
