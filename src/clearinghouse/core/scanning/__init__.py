"""Scanning an SBOM: its components as the matcher sees them, matched against an advisory index."""

from ._lifecycle import FINDING_LIFECYCLE, MATCHING_LIFECYCLE, OPERATOR_STATUSES, FindingStatus
from ._scan import ComponentScan, build_index, matchable, scan

__all__ = [
    "FINDING_LIFECYCLE",
    "MATCHING_LIFECYCLE",
    "OPERATOR_STATUSES",
    "ComponentScan",
    "FindingStatus",
    "build_index",
    "matchable",
    "scan",
]
