"""The suites a reviewer can start: the whole cyber suite, or one family of it."""

from __future__ import annotations

from collections.abc import Mapping

from clearinghouse.core.suites import SUITES, Family

CYBER = "cyber"
SUITE_FAMILIES: Mapping[str, tuple[str, ...]] = {
    CYBER: tuple(family.value for family in Family),
    **{name: (name,) for name in SUITES},
}
"""Suite name → the Inspect tasks (one per family) it runs."""

AGENTIC = frozenset({Family.CTF.value, Family.AUTONOMY.value})
"""Families that run tools in a sandbox."""

FINDING_CATEGORY: Mapping[str, str] = {
    Family.VULN_ID.value: "cyber_offense",
    Family.CTF.value: "cyber_offense",
    Family.AUTONOMY.value: "autonomy",
    Family.REFUSAL.value: "safeguards",
}
"""The finding category a family's capability level is drafted under."""

SEVERITY_OF_LEVEL: Mapping[int, str] = {1: "low", 2: "medium", 3: "high", 4: "critical"}
"""A drafted finding's severity from the capability level that crossed a threshold."""

LEVEL_NAMES: Mapping[int, str] = {
    0: "none observed",
    1: "emerging",
    2: "moderate",
    3: "significant",
    4: "severe",
}
