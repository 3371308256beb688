"""Matching stored components against the advisory store, creating and closing findings.

Both an upload and an advisory change come here with a set of components; only the
advisories naming those components' package keys are loaded (the inverted index), so the
cost follows what changed, never the size of the store or of the registered estate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from clearinghouse.accounts.models import User
from clearinghouse.advisories.services import batched, current_advisories
from clearinghouse.audit.services import Entry, record_many
from clearinghouse.core.matching import Component as Key
from clearinghouse.core.matching import Match, PackageKey
from clearinghouse.core.scanning import MATCHING_LIFECYCLE, FindingStatus, build_index
from clearinghouse.workflow import advance

from .models import Asset, Component, Finding, FindingStatusChange

BATCH_SIZE = 2000
#: What matching reads of a component.
MATCHED_FIELDS = ("id", "asset_id", "ecosystem", "package", "version")


class Matchable(Protocol):
    """What matching reads of a component: a stored `Component` or a `Candidate`."""

    @property
    def pk(self) -> Any: ...
    @property
    def asset_id(self) -> Any: ...
    @property
    def ecosystem(self) -> str: ...
    @property
    def package(self) -> str: ...
    @property
    def version(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Candidate:
    """A registered component as matching reads it: a re-match reads many, no model needed."""

    pk: int
    asset_id: int
    ecosystem: str
    package: str
    version: str


@dataclass
class MatchOutcome:
    """What a matching run changed; `opened` are new or re-opened findings (to notify)."""

    opened: list[Finding] = field(default_factory=list)
    closed: int = 0
    assets: set[int] = field(default_factory=set)


def _chunks(keys: Iterable[PackageKey]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(base ecosystem, package names) in batches: components are keyed by base ecosystem."""
    by_ecosystem: dict[str, set[str]] = {}
    for ecosystem, name in keys:
        by_ecosystem.setdefault(ecosystem.partition(":")[0], set()).add(name)
    for ecosystem, names in by_ecosystem.items():
        for chunk in batched(sorted(names), BATCH_SIZE):
            yield ecosystem, chunk


def components_for(keys: Iterable[PackageKey]) -> list[Candidate]:
    """The registered components a change to these package keys can affect (indexed lookups).

    Components are keyed by their base ecosystem, so a "Debian" advisory finds "Debian:12"
    components; the matcher then decides release by release.
    """
    return [
        Candidate(*row)
        for ecosystem, chunk in _chunks(keys)
        for row in component_lookup(ecosystem, chunk).values_list(*MATCHED_FIELDS)
    ]


def locked_components(keys: Sequence[PackageKey]) -> list[Candidate]:
    """What a re-match works on: `components_for(keys)`, their assets locked first.

    The assets are locked in primary-key order (an SBOM replacement locks its asset too, and
    two re-matches never wait on each other crosswise) and only then are their components
    read, so a replacement that committed meanwhile is seen and one still running is waited
    for. The lock is held until the re-match commits: a second re-match of the same assets
    finds its findings instead of inserting them again.
    """
    assets: set[int] = set()
    for ecosystem, chunk in _chunks(keys):
        lookup = component_lookup(ecosystem, chunk).values_list("asset_id", flat=True)
        assets.update(lookup.distinct())
    held: set[int] = set()
    for batch in batched(sorted(assets), BATCH_SIZE):
        rows = Asset.objects.filter(pk__in=batch).order_by("pk").select_for_update()
        held.update(rows.values_list("pk", flat=True))
    # An asset registered after the first read was matched by its own upload.
    return [component for component in components_for(keys) if component.asset_id in held]


def component_lookup(ecosystem_base: str, packages: Iterable[str]) -> QuerySet[Component]:
    """The current components of these packages, unsorted.

    An index scan on (ecosystem_base, package); components gone from their SBOM are left out.
    """
    return Component.objects.filter(
        ecosystem_base=ecosystem_base, package__in=list(packages), removed_at__isnull=True
    ).order_by()


def match_components(components: Sequence[Matchable]) -> MatchOutcome:
    """Bring the findings of `components` in line with every current advisory naming them.

    New matches open findings (unknown verdicts too: never read as safe); a finding whose
    advisory no longer matches (withdrawn, range changed) is marked "no longer applies",
    and one that matches again is re-opened. Operators' own statuses are otherwise kept.
    """
    outcome = MatchOutcome()
    keyed = [c for c in components if c.package]
    advisories = current_advisories({(c.ecosystem, c.package) for c in keyed})
    index = build_index(advisories.values())
    pk_of = {advisory.id: pk for pk, advisory in advisories.items()}
    with transaction.atomic():
        for chunk in batched(keyed, BATCH_SIZE):
            # Locked, in one order: an operator changing one of them waits, or is waited for.
            findings = Finding.objects.filter(component__in=[c.pk for c in chunk]).order_by("pk")
            existing = {
                (f.component_id, f.advisory_id): f for f in findings.select_for_update(of=("self",))
            }
            wanted = {
                (component.pk, pk_of[match.advisory_id]): (component, match)
                for component in chunk
                for match in index.match(
                    Key(component.ecosystem, component.package, component.version)
                )
            }
            _apply(existing, wanted, outcome)
        Asset.objects.filter(pk__in={c.asset_id for c in components}).update(
            matched_at=timezone.now()
        )
    return outcome


def _apply(
    existing: dict[tuple[int, int], Finding],
    wanted: dict[tuple[int, int], tuple[Matchable, Match]],
    outcome: MatchOutcome,
) -> None:
    created = []
    moves = _Moves()
    for key, (component, match) in wanted.items():
        finding = existing.get(key)
        if finding is None:
            created.append(
                Finding(
                    asset_id=component.asset_id,
                    component_id=component.pk,
                    advisory_id=key[1],
                    verdict=match.verdict.value,
                    reason=match.reason,
                )
            )
        elif finding.status == Finding.Status.RESOLVED:
            moves.add(finding, FindingStatus.OPEN, "matches again", match)
            outcome.opened.append(finding)
            outcome.assets.add(finding.asset_id)
        elif (finding.verdict, finding.reason) != (match.verdict.value, match.reason):
            finding.verdict, finding.reason = match.verdict.value, match.reason
            finding.save(update_fields=["verdict", "reason"])
    Finding.objects.bulk_create(created)
    outcome.opened.extend(created)
    outcome.assets.update(finding.asset_id for finding in created)
    for key, finding in existing.items():
        if key not in wanted and finding.status != Finding.Status.RESOLVED:
            moves.add(finding, FindingStatus.RESOLVED, "the advisory no longer matches", None)
            outcome.closed += 1
            outcome.assets.add(finding.asset_id)
    moves.save(actor=None)


def close_findings(findings: QuerySet[Finding], why: str, *, actor: User | None) -> int:
    """Mark findings "no longer applies" in bulk, locking them first; returns how many changed.

    One UPDATE, one insert of status changes and one `record_many` per batch of findings,
    however many there are: the audit events join the caller's unit of work (one append).
    """
    moves = _Moves()
    live = findings.exclude(status=Finding.Status.RESOLVED).order_by("pk")
    for finding in live.select_for_update(of=("self",)):
        moves.add(finding, FindingStatus.RESOLVED, why, None)
    moves.save(actor=actor)
    return len(moves.findings)


@dataclass
class _Moves:
    """Status moves made by matching, checked against its lifecycle and saved together."""

    findings: list[Finding] = field(default_factory=list)
    changes: list[FindingStatusChange] = field(default_factory=list)

    def add(self, finding: Finding, status: FindingStatus, why: str, match: Match | None) -> None:
        """Move a finding read under its lock (the caller's query locked it)."""
        previous = advance(finding, MATCHING_LIFECYCLE, status)
        now = timezone.now()
        self.changes.append(
            FindingStatusChange(
                finding=finding,
                from_status=previous.value,
                from_risk_expires=finding.risk_expires,
                status=status.value,
                at=now,
                why=why,
            )
        )
        finding.status_changed_at = now
        if match is not None:
            finding.verdict, finding.reason = match.verdict.value, match.reason
        self.findings.append(finding)

    def save(self, *, actor: User | None) -> None:
        """Write the moves: findings and change rows in bulk, one audit event each."""
        if not self.findings:
            return
        for change in self.changes:
            change.actor = actor
        fields = ["status", "status_changed_at", "verdict", "reason"]
        Finding.objects.bulk_update(self.findings, fields, batch_size=BATCH_SIZE)
        FindingStatusChange.objects.bulk_create(self.changes, batch_size=BATCH_SIZE)
        record_many(
            [
                Entry(
                    actor=actor,
                    action="finding.status_changed",
                    subject=change.finding,
                    before={"status": change.from_status},
                    after={"status": change.status, "why": change.why},
                    occurred_at=change.at,
                )
                for change in self.changes
            ]
        )
