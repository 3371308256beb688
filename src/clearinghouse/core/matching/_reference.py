"""The reference matcher: one component against one advisory, by walking events. Simple, slow.

It compares univers version objects directly, as the OSV specification describes. The
`AdvisoryIndex` must agree with it; tests hold the two together.
"""

from __future__ import annotations

from functools import cmp_to_key, partial
from typing import Any

from clearinghouse.core.formats.osv import Advisory, AffectedPackage, Event, Range, RangeType

from ._component import Component
from ._ecosystems import base_ecosystem, canonical_ecosystem, normalise_name, range_scheme
from ._events import (
    TIE_ORDER,
    before_limits,
    is_from_start,
    naming_a_version,
    split_limits,
    walk,
)
from ._verdict import Verdict
from ._versions import VersionScheme, compare


def evaluate(advisory: Advisory, component: Component) -> Verdict:
    """Decide whether `advisory` affects `component` (a withdrawn advisory affects nothing)."""
    verdict = Verdict.NOT_AFFECTED
    if advisory.is_withdrawn:
        return verdict
    for affected in advisory.affected:
        if affected.package is not None and names_component(affected, component):
            verdict = verdict.combine(evaluate_package(affected, component.version))
    return verdict


def names_component(affected: AffectedPackage, component: Component) -> bool:
    """Whether an `affected[]` entry is about the component's package.

    An entry for a whole ecosystem ("Debian") also covers its releases ("Debian:12").
    """
    assert affected.package is not None  # callers filter package-less entries
    ecosystem = canonical_ecosystem(affected.package.ecosystem)
    return ecosystem in (component.ecosystem, base_ecosystem(component.ecosystem)) and (
        normalise_name(ecosystem, affected.package.name) == component.name
    )


def evaluate_package(
    affected: AffectedPackage, version: str, *, use_versions: bool = True
) -> Verdict:
    """Decide one `affected[]` entry for a version: its `versions` list OR'd with its ranges.

    GIT ranges are skipped when the entry says anything else; an entry with nothing but
    GIT ranges (or nothing at all) is unknown. `use_versions=False` judges the ranges alone.
    """
    assert affected.package is not None  # callers filter package-less entries
    ecosystem = canonical_ecosystem(affected.package.ecosystem)
    if use_versions and _listed(
        affected.versions, version, range_scheme(RangeType.ECOSYSTEM, ecosystem)
    ):
        return Verdict.AFFECTED
    verdict = Verdict.NOT_AFFECTED
    evaluable = [range_ for range_ in affected.ranges if range_.type is not RangeType.GIT]
    for range_ in evaluable:
        verdict = verdict.combine(evaluate_range(range_, ecosystem, version))
    if not evaluable and not (use_versions and affected.versions):
        return Verdict.UNKNOWN
    return verdict


def evaluate_range(range_: Range, ecosystem: str, version: str) -> Verdict:
    """Decide one SEMVER or ECOSYSTEM range for a version, as the OSV specification's walk does."""
    scheme = range_scheme(range_.type, ecosystem)
    if scheme is None or scheme.parse(version) is None:
        return Verdict.UNKNOWN
    if any(scheme.parse(event.version) is None for event in naming_a_version(range_.events)):
        return Verdict.UNKNOWN
    events, limits = split_limits(range_.events)

    def sign(other: str) -> int:
        result = compare(scheme, version, other)
        assert result is not None  # every version was parsed above
        return result

    ordered = sorted(events, key=lambda event: _event_order(scheme, event))
    inside = walk(ordered, sign) and before_limits(limits, sign)
    return Verdict.AFFECTED if inside else Verdict.NOT_AFFECTED


def _event_order(scheme: VersionScheme, event: Event) -> tuple[Any, ...]:
    if is_from_start(event):  # below every version
        return (0, TIE_ORDER[event.kind])
    by_version = cmp_to_key(partial(_order, scheme))
    return (1, by_version(event.version), TIE_ORDER[event.kind])


def _order(scheme: VersionScheme, left: str, right: str) -> int:
    return compare(scheme, left, right) or 0


def _listed(versions: tuple[str, ...], version: str, scheme: VersionScheme | None) -> bool:
    # Exact strings first: versions that are not valid in the scheme can only match that way.
    if version in versions:
        return True
    if scheme is None or scheme.parse(version) is None:
        return False
    return any(compare(scheme, version, listed) == 0 for listed in versions)
