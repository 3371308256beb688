"""CISA's Mission & Well-being input, derived from the table's definitions, raised for key sectors.

The CISA Coordinator table takes one input, Mission and Well-Being Impact (Low, Medium, High), that
its definitions build from two CISA decision points: Mission Prevalence and Public Well-Being
Impact. The definitions are read from the table file (e.g. 'Mission Prevalence:Essential OR Public
Well-Being Impact:(Irreversible)'), not copied into code.

The definitions leave one pair undefined: Mission Prevalence Minimal with Public Well-Being Impact
Material. For an undefined pair we take the most severe value whose definition names one of the
given inputs, which gives Medium there, the value CERT/CC's SSVC calculator for CISA Coordinator v2
shows for that cell.

Sector raise (the clearinghouse's rule): when affected products are used in the energy or financial
services sectors, Mission Prevalence is raised to at least Support and Public Well-Being Impact to
at least Material, so Mission & Well-being is at least Medium. Why these floors, in the CISA SSVC
guide's terms:

- Support is "the vulnerable component only supports MEFs [mission essential functions] for two or
  more entities". A product in use across a sector supports its entities' essential functions
  (delivering power, clearing payments). Essential needs the component to *directly provide* an
  MEF, which depends on the deployment, so it stays the analyst's call.
- Material includes "major externalities (property damage, environmental damage, etc.) imposed on
  other parties" and "financial losses that likely lead to bankruptcy of multiple persons": the
  harm that compromise of energy operations or of financial services plausibly causes. Irreversible
  (multiple fatalities likely; financial systems destabilised) needs specific evidence, so it too
  stays the analyst's call.

A raise never lowers a value an analyst already set higher.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from clearinghouse.core.sectors import PRIORITY_SECTORS, Sector

from ._errors import ScoringError
from ._ssvc import DecisionTable, DecisionValue, cisa_coordinator_table


class MissionPrevalence(StrEnum):
    """CISA Mission Prevalence (cisa:MP:1.0.0), least to most severe."""

    MINIMAL = "Minimal"
    SUPPORT = "Support"
    ESSENTIAL = "Essential"


class PublicWellBeingImpact(StrEnum):
    """CISA Public Well-Being Impact, least to most severe."""

    MINIMAL = "Minimal"
    MATERIAL = "Material"
    IRREVERSIBLE = "Irreversible"


_E = TypeVar("_E", MissionPrevalence, PublicWellBeingImpact)
_POINTS: dict[str, type[StrEnum]] = {
    "mission prevalence": MissionPrevalence,
    "public well-being impact": PublicWellBeingImpact,
}
_CLAUSE = re.compile(
    r"\s*(?P<point>[^:()]+?)\s*:\s*(?:\((?P<group>[^()]*)\)|(?P<single>[^\s()]+))\s*(?P<op>AND|OR)?"
)


@dataclass(frozen=True)
class _Definition:
    """A definition such as 'A:x AND B:(y OR z)': one operator joining point-value clauses."""

    operator: str
    clauses: tuple[tuple[str, frozenset[str]], ...]

    def holds(self, given: dict[str, str]) -> bool:
        results = [given[point] in values for point, values in self.clauses]
        return all(results) if self.operator == "AND" else any(results)

    def names_any(self, given: dict[str, str]) -> bool:
        return any(given[point] in values for point, values in self.clauses)


def mission_and_well_being(
    mission_prevalence: MissionPrevalence,
    public_well_being_impact: PublicWellBeingImpact,
    table: DecisionTable | None = None,
) -> DecisionValue:
    """Derive the Mission and Well-Being Impact value (Low/Medium/High) for the CISA table.

    Uses the definitions in `table` (the shipped CISA Coordinator table by default); see the
    module docstring for the one pair those definitions leave open.
    """
    point = (table or cisa_coordinator_table()).point("MWI")
    prevalence = MissionPrevalence(mission_prevalence)
    well_being = PublicWellBeingImpact(public_well_being_impact)
    given = {
        "mission prevalence": prevalence.casefold(),
        "public well-being impact": well_being.casefold(),
    }
    definitions = [(value, _parse(value.definition)) for value in point.values]
    holding = [value for value, definition in definitions if definition.holds(given)]
    named = [value for value, definition in definitions if definition.names_any(given)]
    if candidates := holding or named:
        return candidates[-1]
    raise ScoringError(f"{point.name}: no definition covers {given}")


def raise_for_sectors(
    mission_prevalence: MissionPrevalence,
    public_well_being_impact: PublicWellBeingImpact,
    sectors: Iterable[Sector],
) -> tuple[MissionPrevalence, PublicWellBeingImpact]:
    """Apply the energy and financial services floors (module docstring); never lowers a value."""
    if PRIORITY_SECTORS.isdisjoint(sectors):
        return mission_prevalence, public_well_being_impact
    return (
        _at_least(mission_prevalence, MissionPrevalence.SUPPORT),
        _at_least(public_well_being_impact, PublicWellBeingImpact.MATERIAL),
    )


def _at_least(value: _E, floor: _E) -> _E:
    members = list(type(floor))
    return max(type(floor)(value), floor, key=members.index)


def _parse(definition: str) -> _Definition:
    clauses: list[tuple[str, frozenset[str]]] = []
    operators: set[str] = set()
    position = 0
    while position < len(definition):
        match = _CLAUSE.match(definition, position)
        if match is None or match.end() == position:
            raise ScoringError(f"cannot read definition {definition!r} at {position}")
        clauses.append(_clause(definition, match))
        if match["op"]:
            operators.add(match["op"])
        position = match.end()
    if len(operators) > 1 or len(operators) != (len(clauses) > 1):
        raise ScoringError(f"cannot read definition {definition!r}: mixed or missing AND/OR")
    return _Definition(operators.pop() if operators else "AND", tuple(clauses))


def _clause(definition: str, match: re.Match[str]) -> tuple[str, frozenset[str]]:
    point = match["point"].casefold()
    if point not in _POINTS:
        raise ScoringError(f"definition {definition!r} names unknown point {match['point']!r}")
    raw = match["single"] or match["group"]
    values = frozenset(value.strip().casefold() for value in re.split(r"\s+OR\s+", raw))
    allowed = {member.value.casefold() for member in _POINTS[point]}
    if not values <= allowed:
        raise ScoringError(f"definition {definition!r} uses values outside {sorted(allowed)}")
    return point, values
