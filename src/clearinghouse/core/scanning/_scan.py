"""One scan for the offline scanner and the server: SBOM components in, matches per component out.

The server stores what `matchable` concludes and matches again when advisories change; the
offline scanner does the same in memory, so both give an operator the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from clearinghouse.core.formats.osv import Advisory
from clearinghouse.core.formats.sbom import SbomComponent
from clearinghouse.core.matching import (
    AdvisoryIndex,
    Component,
    Match,
    Verdict,
    component_from_purl,
    is_supported_ecosystem,
)

# Distribution packages carry their source package and release in purl qualifiers, which
# only the matcher's full purl parser reads; the fast SBOM splitter ignores qualifiers.
_DISTRIBUTION_PURLS = ("pkg:deb/", "pkg:apk/", "pkg:rpm/")


def matchable(component: SbomComponent) -> tuple[Component | None, str | None]:
    """The component as the matcher sees it, and why its verdicts may be unknown.

    Returns (None, reason) when it cannot be looked up at all (no version, no usable purl):
    such a component is reported as not evaluated, never as safe. A component of an
    ecosystem whose versions cannot be ordered is looked up, with a reason: any advisory
    naming it gives an unknown verdict.
    """
    if component.problem is not None:
        return None, component.problem
    if component.ecosystem is None or component.package_name is None or not component.version:
        return None, "no package URL of an ecosystem that advisories cover"
    if component.purl is not None and component.purl.startswith(_DISTRIBUTION_PURLS):
        try:
            found = component_from_purl(component.purl)
        except ValueError as error:
            return None, f"purl does not parse: {error}"
        found = Component(found.ecosystem, found.name, found.version or component.version)
    else:
        found = Component(component.ecosystem, component.package_name, component.version)
    if not is_supported_ecosystem(found.ecosystem):
        return found, f"versions in {found.ecosystem} cannot be ordered: verdicts are unknown"
    return found, None


@dataclass(frozen=True, slots=True)
class ComponentScan:
    """One SBOM component's outcome: its matcher identity, its problem, its matches."""

    component: SbomComponent
    key: Component | None
    problem: str | None
    matches: tuple[Match, ...]

    @property
    def vulnerable(self) -> bool:
        """Whether an advisory affects it for certain."""
        return any(match.verdict is Verdict.AFFECTED for match in self.matches)


def build_index(advisories: Iterable[Advisory]) -> AdvisoryIndex:
    """An index of the advisories (withdrawn ones, and older duplicates, are left out)."""
    index = AdvisoryIndex()
    for advisory in advisories:
        index.add(advisory)
    return index


def scan(components: Iterable[SbomComponent], index: AdvisoryIndex) -> list[ComponentScan]:
    """Match every component; components that cannot be looked up keep their reason."""
    results = []
    for component in components:
        key, problem = matchable(component)
        matches = tuple(index.match(key)) if key is not None else ()
        results.append(ComponentScan(component, key, problem, matches))
    return results
