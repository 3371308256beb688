"""An advisory's severity for dashboards: its database's own rating, else its highest CVSS score."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clearinghouse.core.scoring import ScoringError, parse_cvss

from .models import Severity

# GitHub's advisory database writes MODERATE where CVSS says Medium.
_RATINGS = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "moderate": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
}
_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.UNKNOWN]


def severity_of(document: Mapping[str, Any]) -> Severity:
    """`database_specific.severity` when the feed rates the advisory, else the worst CVSS rating."""
    specific = document.get("database_specific")
    if isinstance(specific, Mapping) and isinstance(specific.get("severity"), str):
        rating = _RATINGS.get(specific["severity"].lower())
        if rating is not None:
            return rating
    found = [Severity.UNKNOWN]
    for entry in document.get("severity") or ():
        try:
            score = parse_cvss(str(entry.get("score", "")))
        except ScoringError:
            continue  # an unscorable vector says nothing; other entries may
        found.append(_RATINGS.get(score.severity.lower(), Severity.UNKNOWN))
    return min(found, key=_ORDER.index)
