"""Compiles every advisory's say about one package into sorted breakpoints, for bisect lookups.

The sorted distinct versions that events and `versions` lists name, k_0 < ... < k_n-1, cut the
version line into 2n+1 regions: below k_0, at k_0, between k_0 and k_1, at k_1, ... above
k_n-1. Every range is constant on each region, so each region stores the matches that hold
there, and a lookup is one bisect and one comparison. A region is numbered by its
"coordinate": 2i+1 at k_i, 2i between k_i-1 and k_i.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

from clearinghouse.core.formats.osv import AffectedPackage, EventKind, Range, RangeType

from ._ecosystems import range_scheme, version_scheme
from ._events import (
    TIE_ORDER,
    before_limits,
    describe,
    is_from_start,
    naming_a_version,
    split_limits,
    walk,
)
from ._verdict import Match, Verdict
from ._versions import SortKey, VersionScheme


@dataclass(frozen=True, slots=True)
class Contribution:
    """One `affected[]` entry of one advisory, filed under the package it names."""

    advisory_id: str
    affected_index: int
    affected: AffectedPackage
    ecosystem: str


@dataclass(frozen=True, slots=True)
class _Table:
    """The regions of one version scheme (a package's ranges may mix SEMVER and ECOSYSTEM)."""

    scheme: VersionScheme
    keys: list[SortKey]
    regions: list[tuple[Match, ...]]
    unparseable: tuple[Match, ...]  # unknown: a version this scheme cannot read

    def lookup(self, key: SortKey) -> tuple[Match, ...]:
        keys = self.keys
        i = bisect_left(keys, key)
        if i < len(keys) and not key < keys[i]:
            return self.regions[2 * i + 1]
        return self.regions[2 * i]


@dataclass(frozen=True, slots=True)
class PackageMatcher:
    """Everything the index knows about one (ecosystem, package), ready for lookups."""

    tables: tuple[_Table, ...]
    # `versions` entries that the ecosystem's scheme cannot read, matched as exact strings;
    # the others are points in a table, where "1.0" also finds "1.0.0".
    exact: dict[str, tuple[Match, ...]]
    always_unknown: tuple[Match, ...]  # advisories whose ranges cannot be evaluated at all

    def lookup(self, version: str) -> list[Match]:
        """The advisories that affect `version` of this package, or may (verdict unknown)."""
        tables = self.tables
        if len(tables) == 1 and not self.always_unknown and version not in self.exact:
            # The usual case (one scheme, nothing unknown): the region is already the answer.
            key = tables[0].scheme.sort_key(version)
            if key is not None:
                return list(tables[0].lookup(key))
        hits: dict[str, Match] = {}
        for match in self.exact.get(version, ()):
            hits.setdefault(match.advisory_id, match)
        doubtful: list[Match] = list(self.always_unknown)
        for table in tables:
            key = table.scheme.sort_key(version)
            if key is None:
                doubtful.extend(table.unparseable)
                continue
            for match in table.lookup(key):
                hits.setdefault(match.advisory_id, match)
        # Unknown only where no evidence says affected: an advisory is reported once.
        for match in doubtful:
            hits.setdefault(match.advisory_id, match)
        return list(hits.values())


@dataclass
class _TableBuilder:
    scheme: VersionScheme
    points: list[tuple[SortKey, Match]] = field(default_factory=list)
    ranges: list[tuple[Range, Match]] = field(default_factory=list)
    unparseable: dict[str, Match] = field(default_factory=dict)

    def build(self) -> _Table:
        keys = _distinct_sorted([key for key, _ in self.points] + self._event_keys())
        regions: list[dict[str, Match]] = [{} for _ in range(2 * len(keys) + 1)]
        for key, match in self.points:
            regions[2 * bisect_left(keys, key) + 1].setdefault(match.advisory_id, match)
        for range_, match in self.ranges:
            coordinates = {
                event.version: 2 * bisect_left(keys, self._key(event.version)) + 1
                for event in naming_a_version(range_.events)
            }
            for start, stop in _inside(range_, coordinates, len(regions)):
                for region in regions[start:stop]:
                    region.setdefault(match.advisory_id, match)
        return _Table(
            scheme=self.scheme,
            keys=keys,
            regions=[tuple(region.values()) for region in regions],
            unparseable=tuple(self.unparseable.values()),
        )

    def _key(self, version: str) -> SortKey:
        key = self.scheme.sort_key(version)
        assert key is not None  # only ranges whose versions all parse are added
        return key

    def _event_keys(self) -> list[SortKey]:
        return [
            self._key(event.version)
            for range_, _ in self.ranges
            for event in naming_a_version(range_.events)
        ]


def compile_package(contributions: Iterable[Contribution]) -> PackageMatcher:
    """Compile the `affected[]` entries that name one package into a `PackageMatcher`."""
    compiler = _Compiler()
    for contribution in contributions:
        compiler.add(contribution)
    return compiler.build()


class _Compiler:
    def __init__(self) -> None:
        self.builders: dict[str, _TableBuilder] = {}
        self.exact: dict[str, dict[str, Match]] = {}
        self.unknown: dict[str, Match] = {}

    def build(self) -> PackageMatcher:
        return PackageMatcher(
            tables=tuple(builder.build() for builder in self.builders.values()),
            exact={version: tuple(found.values()) for version, found in self.exact.items()},
            always_unknown=tuple(self.unknown.values()),
        )

    def add(self, contribution: Contribution) -> None:
        affected = contribution.affected
        listed = _match(contribution, Verdict.AFFECTED, "listed in versions")
        own_scheme = version_scheme(contribution.ecosystem)
        for version in affected.versions:
            key = own_scheme.sort_key(version) if own_scheme is not None else None
            if own_scheme is not None and key is not None:
                self._builder(own_scheme).points.append((key, listed))
            else:
                self.exact.setdefault(version, {}).setdefault(contribution.advisory_id, listed)
        evaluable = [
            (index, range_)
            for index, range_ in enumerate(affected.ranges)
            if range_.type is not RangeType.GIT
        ]
        if not evaluable and not affected.versions:
            reason = (
                "only GIT ranges, which need the repository" if affected.ranges else "no ranges"
            )
            self._unknown(_match(contribution, Verdict.UNKNOWN, reason))
        for index, range_ in evaluable:
            self._add_range(contribution, index, range_)

    def _add_range(self, contribution: Contribution, index: int, range_: Range) -> None:
        scheme = range_scheme(range_.type, contribution.ecosystem)
        if scheme is None:
            reason = f"no version ordering known for ecosystem {contribution.ecosystem}"
            self._unknown(_match(contribution, Verdict.UNKNOWN, reason, index))
            return
        for event in naming_a_version(range_.events):
            if scheme.sort_key(event.version) is None:
                reason = (
                    f"{event.kind.value} {event.version!r} is not a valid {scheme.name} version"
                )
                self._unknown(_match(contribution, Verdict.UNKNOWN, reason, index))
                return
        table = self._builder(scheme)
        table.ranges.append(
            (range_, _match(contribution, Verdict.AFFECTED, describe(range_), index))
        )
        reason = f"the version is not a valid {scheme.name} version"
        table.unparseable.setdefault(
            contribution.advisory_id, _match(contribution, Verdict.UNKNOWN, reason, index)
        )

    def _builder(self, scheme: VersionScheme) -> _TableBuilder:
        return self.builders.setdefault(scheme.name, _TableBuilder(scheme))

    def _unknown(self, match: Match) -> None:
        self.unknown.setdefault(match.advisory_id, match)


def _match(
    contribution: Contribution, verdict: Verdict, reason: str, range_index: int | None = None
) -> Match:
    return Match(
        contribution.advisory_id, verdict, reason, contribution.affected_index, range_index
    )


def _inside(range_: Range, coordinates: dict[str, int], size: int) -> list[tuple[int, int]]:
    """The runs of region coordinates [start, stop) that the range covers."""
    events, limits = split_limits(range_.events)
    ordered = sorted(
        events,
        key=lambda event: (
            -1 if is_from_start(event) else coordinates[event.version],
            TIE_ORDER[event.kind],
        ),
    )
    # The walk's answer can change only where some event starts to fire: at an event's own
    # region for introduced/fixed/limit (v >= x, v < limit), just above it for last_affected.
    changes = {0}
    for event in range_.events:
        if event.version in coordinates:
            bump = 1 if event.kind is EventKind.LAST_AFFECTED else 0
            changes.add(coordinates[event.version] + bump)
    starts = sorted(change for change in changes if change < size)
    runs = []
    for start, stop in zip(starts, [*starts[1:], size], strict=True):

        def sign(version: str, at: int = start) -> int:
            return (at > coordinates[version]) - (at < coordinates[version])

        if walk(ordered, sign) and before_limits(limits, sign):
            runs.append((start, stop))
    return runs


def _distinct_sorted(keys: list[SortKey]) -> list[SortKey]:
    # Keys need not be hashable (semver identifiers are not), so dedupe after sorting.
    keys.sort()
    distinct: list[SortKey] = []
    for key in keys:
        if not distinct or distinct[-1] < key:
            distinct.append(key)
    return distinct
