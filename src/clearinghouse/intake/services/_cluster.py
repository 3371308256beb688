"""One duplicate group side by side, and a coordinator's split and merge of groups.

A group is a tree under its primary (`_links`); the page and the API read it whole, through
the viewer's links (`reports_shown_to`: a reporter sees a link only to its own
organisation's report, so its cluster holds its own reports only), and show a page of its
members at a time with the evidence for each link: dedup's candidate score and reasons
(coordinators only, as candidates are), and who confirmed it, from the audit history.

- **Split** takes one member out with everything linked through it: it undoes the one
  decision (or automatic link) that joined it, so the member is the primary of its own group
  again, with the reports that were judged duplicates of *it*. A confirmed duplicate goes
  back to received (the core's table) and takes back the identifiers it gave its primary;
  an automatic link is removed, the report's state unchanged.
- **Merge** is triage's "duplicate" decision (`_triage.decide`, its checks included): the
  report, or its group's primary, becomes a duplicate of this group's primary, bringing all
  linked through it.

Neither touches dedup's index: postings and word counts are per report, and groups are read
live; candidates stay as dedup found them (evidence, not decisions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import require, visible
from clearinghouse.audit.history import history_for
from clearinghouse.audit.services import Entry, audited, record_many
from clearinghouse.core.scoring.dedup import conflicting_identifiers
from clearinghouse.core.triage import ReportStatus
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.workflow import locked

from ..inputs import MergeCluster, SplitCluster, Triage, TriageAction
from ..models import DuplicateCandidate, Report
from ..permissions import reports_shown_to
from . import _links
from ._triage import TRIAGED, decide, joining, locked_primary, state

#: The audit actions that confirm a link (the evidence's "by whom").
_CONFIRMING = frozenset({"report.duplicate", "report.merged"})


@dataclass(frozen=True)
class Evidence:
    """Why a member is linked to the report it duplicates."""

    to: int
    #: "automatic" (dedup at intake, not confirmed yet) or "confirmed" (by a coordinator).
    kind: str
    score: float | None
    reasons: tuple[str, ...]
    #: Who confirmed it and when, as the viewer may know it ("" / None: not recorded).
    by: str
    at: dt.datetime | None
    #: The ids of one namespace the two name differently ("" when none).
    conflict: str


@dataclass(frozen=True)
class ClusterMember:
    """One member as the cluster shows it: the report, its link, what a split takes along."""

    report: Report
    depth: int
    evidence: Evidence | None
    #: Members linked through this one: they leave with it on a split.
    carries: tuple[int, ...]
    #: Other members naming other ids of one namespace, said for a coordinator.
    clashes: tuple[str, ...]


@dataclass(frozen=True)
class Cluster:
    """A duplicate group as one viewer may see it: every member, the primary first."""

    asked: int
    primary: int
    tree: tuple[_links.Member, ...]

    def __len__(self) -> int:
        return len(self.tree)

    def depths(self) -> dict[int, int]:
        """How many links each member is from the primary."""
        depth = {self.primary: 0}
        for member in self.tree[1:]:  # found level by level: a parent before its children
            depth[member.pk] = depth.get(member.duplicate_of_id or 0, 0) + 1
        return depth

    def carried(self, pk: int) -> tuple[int, ...]:
        """The members linked through `pk` (its subtree, itself left out)."""
        inside = {pk}
        for member in self.tree:
            if member.duplicate_of_id in inside:
                inside.add(member.pk)
        return tuple(sorted(inside - {pk}))


def cluster(user: User, report_id: int) -> Cluster:
    """The group of a report the user may see (404 otherwise), read whole through their links."""
    shown = reports_shown_to(user)
    get_object_or_404(shown, pk=report_id)
    primary = _links.primary_of(report_id, shown)
    return Cluster(report_id, primary, tuple(_links.linked_through([primary], shown)))


def members(user: User, found: Cluster, chosen: Sequence[_links.Member]) -> list[ClusterMember]:
    """The chosen members (a page of `found.tree`) with their reports and evidence, in order."""
    pks = [member.pk for member in chosen]
    rows = reports_shown_to(user).select_related("organisation").defer("item").in_bulk(pks)
    tree = {member.pk: member for member in found.tree}
    group = _links.Group.of(found.tree)
    depths = found.depths()
    candidates = _candidates(user, [m for m in chosen if m.duplicate_of_id is not None])
    confirmed = _confirmations(user, [rows[pk] for pk in pks if pk in rows])
    shown = []
    for member in chosen:
        report = rows.get(member.pk)
        if report is None:  # gone since the tree was read
            continue
        evidence = None
        if member.duplicate_of_id is not None:
            evidence = _evidence(member, report, tree, candidates, confirmed)
        clashes = tuple(group.conflicts([member], moving={member.pk}))
        carries = found.carried(member.pk)
        shown.append(ClusterMember(report, depths.get(member.pk, 0), evidence, carries, clashes))
    return shown


def _evidence(
    member: _links.Member,
    report: Report,
    tree: dict[int, _links.Member],
    candidates: dict[tuple[int, int], DuplicateCandidate],
    confirmed: dict[int, tuple[str, dt.datetime]],
) -> Evidence:
    """The evidence for a member's link: dedup's candidate, who confirmed it, any clash."""
    to = member.duplicate_of_id
    assert to is not None  # linked members only
    pair = candidates.get((member.pk, to)) or candidates.get((to, member.pk))
    by, at = confirmed.get(member.pk, ("", None))
    clashes = conflicting_identifiers(member.aliases, tree[to].aliases) if to in tree else []
    return Evidence(
        to=to,
        kind="confirmed" if report.status == ReportStatus.DUPLICATE else "automatic",
        score=pair.score if pair else None,
        reasons=tuple(pair.reasons) if pair else (),
        by=by,
        at=at,
        conflict="; ".join(str(clash) for clash in clashes),
    )


def _candidates(
    user: User, linked: Sequence[_links.Member]
) -> dict[tuple[int, int], DuplicateCandidate]:
    """Dedup's candidate for each link, either way round, where the user may see candidates."""
    if not linked:
        return {}
    pair = Q()
    for member in linked:
        pair |= Q(report_id=member.pk, candidate_id=member.duplicate_of_id)
        pair |= Q(report_id=member.duplicate_of_id, candidate_id=member.pk)
    found = visible(DuplicateCandidate, user).filter(pair)
    return {(c.report_id, c.candidate_id): c for c in found}


def _confirmations(user: User, reports: Sequence[Report]) -> dict[int, tuple[str, dt.datetime]]:
    """Who last confirmed each report's link and when, from its history as the user sees it."""
    confirmed = [report for report in reports if report.status == ReportStatus.DUPLICATE]
    found: dict[int, tuple[str, dt.datetime]] = {}
    for entry in history_for(user, confirmed, newest=20 * max(1, len(confirmed))):
        if entry.action in _CONFIRMING:
            found[int(entry.subject_id)] = (entry.actor, entry.occurred_at)
    return found


def _lock(pks: Collection[int | None]) -> None:
    """Lock these reports in id order, so that two decisions never wait on each other crosswise."""
    wanted = sorted({pk for pk in pks if pk is not None})
    list(Report.objects.select_for_update().filter(pk__in=wanted).order_by("pk").values("pk"))


def _detach(user: User, row: Report) -> list[Entry]:
    """Take a locked member out of its group (not saved); the audit events it makes."""
    if row.status == ReportStatus.DUPLICATE:  # confirmed: unmerge, back to received
        return decide(user, row, Triage(action=TriageAction.UNMERGE), None)
    before = state(row)
    row.duplicate_of, row.merged_aliases = None, []
    row.triaged_at, row.triaged_by = timezone.now(), user
    return [Entry(user, "report.split", row, before, state(row))]


def _named(user: User, field: str, pk: int) -> None:
    if not visible(Report, user).filter(pk=pk).exists():
        raise InvalidInput.single(field, f"no report #{pk}")


def _unchanged(row: Report, link: int | None, *, or_unlinked: bool = False) -> None:
    """409 when the locked row's link is not the one read (and locked) before."""
    if row.duplicate_of_id != link and not (or_unlinked and row.duplicate_of_id is None):
        raise Conflict(f"report #{row.pk} was changed meanwhile: look at its group again")


def split(user: User, report_id: int, command: SplitCluster) -> Report:
    """Take `command.member` (with all linked through it) out of report_id's group.

    Returns the member, now the primary of its own group. 409 for a member not in this
    group, or the group's primary (split its members off instead).
    """
    require(user, "intake.triage")
    _named(user, "member", command.member)
    with audited():
        every = _links.every_link()
        link = every.filter(pk=command.member).values_list("duplicate_of_id", flat=True).first()
        _lock([command.member, link])
        row = locked(Report(pk=command.member))
        require(user, "intake.triage", row)
        _unchanged(row, link)
        primary = _links.primary_of(report_id, every)
        if _links.primary_of(row.pk, every) != primary:
            raise Conflict(f"report #{row.pk} is not in the group of report #{report_id}")
        if row.pk == primary:
            raise Conflict(
                f"report #{row.pk} is the group's primary: split its members off instead"
            )
        entries = _detach(user, row)
        row.save(update_fields=TRIAGED)
        record_many(entries)
    return row


def merge(user: User, report_id: int, command: MergeCluster) -> Report:
    """Bring `command.report` (or its whole group) into report_id's group; returns the primary.

    The joining report becomes a duplicate of the group's primary through triage's
    "duplicate" decision, so the same rules refuse it (409): itself, a cycle, two items of
    one document in one group, different ids of one namespace unless `despite_conflict`.
    """
    require(user, "intake.triage")
    _named(user, "report", command.report)
    with audited():
        every = _links.every_link()
        into = _links.primary_of(report_id, every)
        coming = _links.primary_of(command.report, every) if command.whole_group else command.report
        if command.report == into:
            raise Conflict(f"report #{into} is this group's primary: it cannot merge into itself")
        if coming == into or _links.primary_of(coming, every) == into:
            raise Conflict(f"report #{command.report} is in this group already (of #{into})")
        link = every.filter(pk=coming).values_list("duplicate_of_id", flat=True).first()
        _lock([into, coming, link])
        row = locked(Report(pk=coming))
        require(user, "intake.triage", row)
        _unchanged(row, link, or_unlinked=True)  # split off meanwhile: it may join all the same
        entries = _detach(user, row) if row.duplicate_of_id is not None else []
        decision = Triage(
            action=TriageAction.DUPLICATE,
            duplicate_of=into,
            despite_conflict=command.despite_conflict,
        )
        primary = locked_primary(user, decision, {row.pk})
        entries += decide(user, row, decision, joining(primary, [row.pk]))
        row.save(update_fields=TRIAGED)
        record_many(entries)
    return primary
