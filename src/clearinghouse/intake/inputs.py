"""Typed inputs of intake's commands: the report and submission lists' filters, triage of one
report or many.

The API takes these as its bodies and query parameters (so their rules show in the OpenAPI
document); the pages' forms and the CLI build them with `clearinghouse.inputs.parse`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from clearinghouse.core.sectors import Sector
from clearinghouse.core.triage import ReportStatus
from clearinghouse.inputs import Command

from .models import ReporterKind, Submission
from .readers import Format

#: The most reports one bulk decision changes; narrow the filter for more.
MAX_BULK = 10_000
#: The largest id a database column holds (bigger numbers would fail in the database).
_MAX_ID = 2**63 - 1
#: A report's id.
ReportId = Annotated[int, Field(ge=1, le=_MAX_ID)]

_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$", re.IGNORECASE)


class ReportSort(StrEnum):
    """Orders of the report list; ties go to the higher priority, then the earlier report."""

    PRIORITY = "priority"
    NEWEST = "newest"
    OLDEST = "oldest"
    #: Act, Attend, Track*, Track, then reports with no decision.
    SSVC = "ssvc"
    #: By the first sector a report names (A to Z), reports naming none last.
    SECTOR = "sector"

    @property
    def label(self) -> str:
        """How the list's order menu and column headers name it."""
        return _SORT_LABELS[self]


_SORT_LABELS = {
    ReportSort.PRIORITY: "Priority",
    ReportSort.NEWEST: "Newest",
    ReportSort.OLDEST: "Oldest",
    ReportSort.SSVC: "SSVC decision",
    ReportSort.SECTOR: "Sector",
}


class ReportFilter(Command):
    """Which reports a list shows, and in which order (the API's query, the queue's form)."""

    status: ReportStatus | None = None
    sort: ReportSort = ReportSort.PRIORITY
    cve: str | None = Field(default=None, max_length=30, description="a CVE id the report names")
    q: str | None = Field(default=None, max_length=200, description="words in the title")
    sector: Sector | None = None
    ssvc: Literal["Act", "Attend", "Track*", "Track"] | None = None
    kev: bool | None = None
    source: Format | None = None
    has_cve: bool | None = None
    reporter_kind: ReporterKind | None = None

    @field_validator("cve")
    @classmethod
    def _a_cve_id(cls, value: str | None) -> str | None:
        if value and not _CVE.match(value):
            raise ValueError("must be a CVE id such as CVE-2021-44228")
        return value.upper() if value else None


class SubmissionSort(StrEnum):
    """Orders of the submissions list."""

    NEWEST = "newest"
    OLDEST = "oldest"


class SubmissionFilter(Command):
    """Which submissions a list shows, and in which order (the API's query, the page's form)."""

    status: Submission.Status | None = None
    format: Format | None = None
    organisation: ReportId | None = Field(
        default=None, description="the submitting organisation's id (coordinators: any)"
    )
    sort: SubmissionSort = SubmissionSort.NEWEST


class TriageAction(StrEnum):
    """What a coordinator decides about a report."""

    ACCEPT = "accept"
    DECLINE = "decline"
    DUPLICATE = "duplicate"
    MERGE = "merge"
    UNMERGE = "unmerge"
    REOPEN = "reopen"


#: The decisions that need the report they duplicate.
NAMES_PRIMARY = frozenset({TriageAction.DUPLICATE, TriageAction.MERGE})
#: The decisions one bulk action applies.
BULK_ACTIONS = frozenset({TriageAction.ACCEPT, TriageAction.DECLINE, TriageAction.DUPLICATE})


class Triage(Command):
    """A coordinator's decision on one report."""

    action: TriageAction
    duplicate_of: ReportId | None = Field(
        default=None,
        validate_default=True,
        description="to duplicate/merge: the earlier report",
    )
    reason: str = Field(
        default="", max_length=2000, validate_default=True, description="to decline: why (shown)"
    )
    despite_conflict: bool = Field(
        default=False, description="mark a duplicate although the two name different identifiers"
    )

    @field_validator("duplicate_of")
    @classmethod
    def _primary_named(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is None and info.data.get("action") in NAMES_PRIMARY:
            raise ValueError("name the report it duplicates")
        return value

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, value: str, info: ValidationInfo) -> str:
        if not value and info.data.get("action") == TriageAction.DECLINE:
            raise ValueError("say why the report is declined")
        return value


class BulkTriage(Triage):
    """One decision (accept, decline, duplicate) for ticked reports or all matching a filter.

    Either `report_ids`, or `matching` with `expected`: how many reports the coordinator saw
    match. If another change made that number different, nothing is changed (409).
    """

    report_ids: list[ReportId] | None = Field(default=None, min_length=1, max_length=MAX_BULK)
    matching: ReportFilter | None = None
    expected: int | None = Field(default=None, ge=1, le=MAX_BULK)

    @field_validator("action")
    @classmethod
    def _bulk_action(cls, value: TriageAction) -> TriageAction:
        if value not in BULK_ACTIONS:
            raise ValueError(f"must be one of {', '.join(sorted(BULK_ACTIONS))}")
        return value

    @model_validator(mode="after")
    def _one_selection(self) -> BulkTriage:
        if (self.report_ids is None) == (self.matching is None):
            raise ValueError("give either report_ids or matching (with expected)")
        if self.matching is not None and self.expected is None:
            raise ValueError("with matching, give expected: how many reports you saw match")
        return self


class SplitCluster(Command):
    """Take one member out of its duplicate group (on the cluster page or its API).

    What is linked through the member (reports marked duplicates of it before it joined the
    group) leaves with it: splitting undoes the one decision that joined it, and the member
    is the primary of its own group again.
    """

    member: ReportId = Field(description="the member to take out (not the group's primary)")


class MergeCluster(Command):
    """Bring another report, or its whole duplicate group, into this group.

    The report joins as a duplicate of this group's primary (as triage's "duplicate"
    decision: its identifiers stay its own), with everything linked through it. Refused
    (409): into itself, into a cycle, two items of one document in one group; two reports
    naming different ids of one namespace only with `despite_conflict`.
    """

    report: ReportId = Field(description="the report to bring in")
    whole_group: bool = Field(
        default=True,
        description="bring the report's whole group (its primary joins, with all linked to "
        "it); false: the report (with what is linked through it), taken out of its group first",
    )
    despite_conflict: bool = Field(
        default=False, description="merge although members name different identifiers"
    )
