"""The coordinator's desk at a glance: triage counts by status, SSVC decision and sector.

Three aggregate queries over the reports the viewer may see (`visible`), whatever the
store's size: statuses by SSVC decision in one GROUP BY, statuses by the stored list of sectors in
another (a report naming two sectors counts in both), and the oldest report
still waiting for triage in a critical-infrastructure sector, read from the status-and-date
index. A reporter gets the same figures for its own organisation's reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import visible
from clearinghouse.core.sectors import Sector
from clearinghouse.core.triage import ReportStatus

from ..models import NO_SECTOR, SSVC_DECISIONS, Report

#: The status of a report nobody has triaged yet.
UNTRIAGED = ReportStatus.RECEIVED


@dataclass(frozen=True)
class Oldest:
    """The report waiting longest for triage among those naming a sector."""

    report_id: int
    title: str
    received: dt.datetime
    age: dt.timedelta


@dataclass(frozen=True)
class TriageCounts:
    """How many visible reports are in each status, overall, per SSVC decision, per sector.

    `by_ssvc` and `by_sector` map a decision ("" for none) or a sector to counts per status.
    """

    by_status: dict[ReportStatus, int]
    by_ssvc: dict[str, dict[ReportStatus, int]]
    by_sector: dict[Sector, dict[ReportStatus, int]]
    oldest_untriaged: Oldest | None

    @property
    def total(self) -> int:
        """Every report counted."""
        return sum(self.by_status.values())


def _by_status() -> dict[ReportStatus, int]:
    return dict.fromkeys(ReportStatus, 0)


def triage_counts(user: User) -> TriageCounts:
    """The desk's figures over the reports `user` may see (three queries)."""
    reports = visible(Report, user).order_by()
    by_ssvc = {decision: _by_status() for decision in (*SSVC_DECISIONS, "")}
    by_status = _by_status()
    for row in reports.values("status", "ssvc_decision").annotate(n=Count("pk")):
        status = ReportStatus(row["status"])
        by_ssvc.setdefault(row["ssvc_decision"], _by_status())[status] += row["n"]
        by_status[status] += row["n"]
    by_sector = {sector: _by_status() for sector in Sector}
    # Grouped by the stored list itself: few distinct lists, however many reports, so one
    # pass counts them all (16 conditional counts of a JSON pattern cost ten times more).
    for row in reports.values("status", "sectors").annotate(n=Count("pk")):
        for code in set(row["sectors"] or ()):
            if code in by_sector:
                by_sector[Sector(code)][ReportStatus(row["status"])] += row["n"]
    return TriageCounts(by_status, by_ssvc, by_sector, _oldest_untriaged(user))


def _oldest_untriaged(user: User) -> Oldest | None:
    first = (
        visible(Report, user)
        .filter(status=UNTRIAGED)
        .exclude(sector_key=NO_SECTOR)
        .order_by("created_at", "pk")
        .values("pk", "title", "created_at")
        .first()
    )
    if first is None:
        return None
    received = first["created_at"]
    return Oldest(first["pk"], first["title"], received, timezone.now() - received)
