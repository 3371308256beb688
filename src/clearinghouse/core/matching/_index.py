"""The advisory index: an inverted index by package, so a lookup is a dict get and a bisect.

DESIGN §5: a new advisory must cost time proportional to the packages it names, not to all
components; `add` and `remove` return the package keys they touched so that a caller re-matches
only the components of those packages.
"""

from __future__ import annotations

from clearinghouse.core.formats.osv import Advisory

from ._compile import Contribution, PackageMatcher, compile_package
from ._component import Component
from ._ecosystems import base_ecosystem, canonical_ecosystem, normalise_name
from ._verdict import Match, Verdict

PackageKey = tuple[str, str]
"""(OSV ecosystem, normalised package name): how advisories and components meet."""


class _Entry:
    """The advisories that name one package; compiled on first lookup after a change."""

    __slots__ = ("contributions", "matcher")

    def __init__(self) -> None:
        self.contributions: dict[str, list[Contribution]] = {}
        self.matcher: PackageMatcher | None = None

    def lookup(self, version: str) -> list[Match]:
        matcher = self.matcher
        if matcher is None:
            # Compiling lazily keeps a bulk import linear: a package named by a hundred
            # advisories is compiled once, at its first lookup, not a hundred times.
            contributions = [item for items in self.contributions.values() for item in items]
            matcher = self.matcher = compile_package(contributions)
        return matcher.lookup(version)


class AdvisoryIndex:
    """All current advisories, indexed by the packages they name, for fast component lookups.

    Withdrawn advisories are not kept, and a record older (by `modified`) than the one held
    under its id is ignored, so re-importing a feed in any order converges on the newest.
    """

    def __init__(self) -> None:
        self._advisories: dict[str, Advisory] = {}
        self._entries: dict[PackageKey, _Entry] = {}

    def __len__(self) -> int:
        return len(self._advisories)

    def __contains__(self, advisory_id: object) -> bool:
        return advisory_id in self._advisories

    def get(self, advisory_id: str) -> Advisory | None:
        """The advisory held under `advisory_id`, if any."""
        return self._advisories.get(advisory_id)

    def add(self, advisory: Advisory) -> frozenset[PackageKey]:
        """Add or replace an advisory; return the package keys whose matches may have changed.

        A withdrawn advisory removes the one held under its id.
        """
        held = self._advisories.get(advisory.id)
        if held is not None and held.modified > advisory.modified:
            return frozenset()
        touched = self.remove(advisory.id)
        if advisory.is_withdrawn:
            return touched
        self._advisories[advisory.id] = advisory
        for key, contribution in _contributions(advisory):
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
            entry.contributions.setdefault(advisory.id, []).append(contribution)
            entry.matcher = None
        return touched | self.keys_for(advisory)

    def remove(self, advisory_id: str) -> frozenset[PackageKey]:
        """Drop an advisory; return the package keys it named (empty if it was not held)."""
        advisory = self._advisories.pop(advisory_id, None)
        if advisory is None:
            return frozenset()
        keys = self.keys_for(advisory)
        for key in keys:
            entry = self._entries[key]
            del entry.contributions[advisory_id]
            entry.matcher = None
            if not entry.contributions:
                del self._entries[key]
        return keys

    @staticmethod
    def keys_for(advisory: Advisory) -> frozenset[PackageKey]:
        """The package keys an advisory names: the components a change to it can affect."""
        return frozenset(key for key, _ in _contributions(advisory))

    def match(self, component: Component) -> list[Match]:
        """The advisories that affect the component, or may (verdict unknown), one per advisory.

        An advisory filed for a whole ecosystem ("Debian") also applies to a component of one
        of its releases ("Debian:12").
        """
        entry = self._entries.get((component.ecosystem, component.name))
        matches = entry.lookup(component.version) if entry is not None else []
        if ":" in component.ecosystem:
            whole = self._entries.get((base_ecosystem(component.ecosystem), component.name))
            if whole is not None:
                matches = _merge(matches, whole.lookup(component.version))
        return matches


def _contributions(advisory: Advisory) -> list[tuple[PackageKey, Contribution]]:
    found = []
    for index, affected in enumerate(advisory.affected):
        if affected.package is None:
            continue
        ecosystem = canonical_ecosystem(affected.package.ecosystem)
        key = (ecosystem, normalise_name(ecosystem, affected.package.name))
        found.append((key, Contribution(advisory.id, index, affected, ecosystem)))
    return found


def _merge(first: list[Match], second: list[Match]) -> list[Match]:
    merged = {match.advisory_id: match for match in first}
    for match in second:
        held = merged.get(match.advisory_id)
        if held is None or (held.verdict is Verdict.UNKNOWN and match.verdict is Verdict.AFFECTED):
            merged[match.advisory_id] = match
    return list(merged.values())
