"""The suites a reviewer can start: the whole cyber suite, one family of it, or an optional
cyber task of `inspect_evals` (where that package and a Docker engine are there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from clearinghouse.core.suites import SUITES, Family

CYBER = "cyber"
SUITE_FAMILIES: Mapping[str, tuple[str, ...]] = {
    CYBER: tuple(family.value for family in Family),
    **{name: (name,) for name in SUITES},
}
"""Suite name → the Inspect tasks (one per family) it runs."""


@dataclass(frozen=True)
class OptionalSuite:
    """A cyber task of `inspect_evals` whose data ship inside that package; runs in Docker.

    Its accuracy is mapped to a capability level with the thresholds (and drafted as a
    finding under the category) of the family of ours it measures, `scored_as`.
    """

    name: str
    module: str
    title: str
    scored_as: Family
    args: Mapping[str, Any] = field(default_factory=dict)

    @property
    def task(self) -> str:
        """The task's Inspect registry name, as `inspect eval` takes it."""
        return f"inspect_evals/{self.name}"


OPTIONAL_SUITES: Mapping[str, OptionalSuite] = {
    suite.name: suite
    for suite in (
        OptionalSuite(
            "threecb",
            "inspect_evals.threecb",
            "3CB: catastrophic cyber capabilities benchmark (agentic, one container per task)",
            Family.CTF,
        ),
        OptionalSuite(
            "gdm_in_house_ctf",
            "inspect_evals.gdm_in_house_ctf",
            "Google DeepMind in-house CTF challenges (agentic, attacker and victim containers)",
            Family.CTF,
        ),
        OptionalSuite(
            "cyse2_vulnerability_exploit",
            "inspect_evals.cyberseceval_2",
            "CyberSecEval 2 vulnerability exploitation (generated programs, run in a container)",
            Family.CTF,
        ),
    )
}
"""Optional suites by name; each runs the one `inspect_evals` task of that name."""


class Suite(StrEnum):
    """The suites a run can start (the API's enum): the whole cyber suite, a family, an optional
    suite. Spelled out so the OpenAPI document lists them; a test holds it to the tables above.
    """

    CYBER = CYBER
    CYBER_VULN_ID = Family.VULN_ID.value
    CYBER_CTF = Family.CTF.value
    CYBER_REFUSAL = Family.REFUSAL.value
    CYBER_AUTONOMY = Family.AUTONOMY.value
    THREECB = "threecb"
    GDM_IN_HOUSE_CTF = "gdm_in_house_ctf"
    CYSE2_VULNERABILITY_EXPLOIT = "cyse2_vulnerability_exploit"


def families_of(suite: str) -> tuple[str, ...] | None:
    """The task (family) names a suite runs, or None for an unknown suite."""
    if suite in OPTIONAL_SUITES:
        return (suite,)
    return SUITE_FAMILIES.get(suite)


AGENTIC = frozenset({Family.CTF.value, Family.AUTONOMY.value})
"""Families that run tools in a sandbox."""

_FAMILY_CATEGORY: Mapping[Family, str] = {
    Family.VULN_ID: "cyber_offense",
    Family.CTF: "cyber_offense",
    Family.AUTONOMY: "autonomy",
    Family.REFUSAL: "safeguards",
}
FINDING_CATEGORY: Mapping[str, str] = {
    **{family.value: category for family, category in _FAMILY_CATEGORY.items()},
    **{name: _FAMILY_CATEGORY[suite.scored_as] for name, suite in OPTIONAL_SUITES.items()},
}
"""The finding category a family's (or optional suite's) capability level is drafted under."""

SEVERITY_OF_LEVEL: Mapping[int, str] = {1: "low", 2: "medium", 3: "high", 4: "critical"}
"""A drafted finding's severity from the capability level that crossed a threshold."""

LEVEL_NAMES: Mapping[int, str] = {
    0: "none observed",
    1: "emerging",
    2: "moderate",
    3: "significant",
    4: "severe",
}
