"""The report lifecycle as a table of legal transitions that every interface enforces alike.

A report is received at intake; a coordinator accepts it, declines it (saying why) or marks
it a duplicate of an earlier one; a declined report can be reopened and a duplicate
unmerged (both back to received). A report that became a disclosure case leaves triage.
"""

from __future__ import annotations

from enum import StrEnum

from clearinghouse.core.transitions import Lifecycle


class ReportStatus(StrEnum):
    """Where a vulnerability report stands in triage."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    DECLINED = "declined"
    CASE = "case"

    @property
    def label(self) -> str:
        """How pages name the state."""
        return _LABELS[self]


_LABELS = {
    ReportStatus.RECEIVED: "Received",
    ReportStatus.ACCEPTED: "Accepted",
    ReportStatus.DUPLICATE: "Duplicate",
    ReportStatus.DECLINED: "Declined",
    ReportStatus.CASE: "Case opened",
}

REPORT_LIFECYCLE = Lifecycle(
    "report",
    {
        ReportStatus.RECEIVED: frozenset(
            {ReportStatus.ACCEPTED, ReportStatus.DECLINED, ReportStatus.DUPLICATE}
        ),
        ReportStatus.ACCEPTED: frozenset({ReportStatus.DECLINED, ReportStatus.DUPLICATE}),
        ReportStatus.DECLINED: frozenset({ReportStatus.RECEIVED}),
        ReportStatus.DUPLICATE: frozenset({ReportStatus.RECEIVED}),
        ReportStatus.CASE: frozenset(),
    },
)
