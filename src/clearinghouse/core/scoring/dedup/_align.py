"""Alignment: two sources that share a near-certain duplicate list the same bugs in their words.

A vendor's advisory and its re-publication, or two vendors' advisories for one component,
describe each bug differently; once one of their pairs is near-certain, each report's unique
best match in the other source is taken for its duplicate too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from ._candidate import DuplicateCandidate

# At or above this a pair is a near-certain duplicate (grouped, linked by intake). Between two
# sources (advisories, submissions) that share such a pair, the mutual best match of two of
# their other reports is raised to it as long as it scores at least ALIGN_MIN: a vendor's
# advisory and its re-publication, or two vendors' advisories for one component, list the same
# bugs in their own words (Gemalto's Sentinel LDK bugs in Siemens' advisories, ...).
NEAR_CERTAIN = 0.95
ALIGN_MIN = 0.5


def align(
    candidates: Sequence[DuplicateCandidate], sources: Mapping[str, str]
) -> list[DuplicateCandidate]:
    """Raise the mutual best matches between two sources that share a near-certain pair."""
    linked: set[frozenset[str]] = set()
    ranked: defaultdict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for c in candidates:
        left, right = sources[c.left], sources[c.right]
        if left and right and c.score >= ALIGN_MIN:
            if c.score >= NEAR_CERTAIN:
                linked.add(frozenset((left, right)))
            ranked[c.left, right].append((c.score, c.right))
            ranked[c.right, left].append((c.score, c.left))

    def best(report_id: str, source: str) -> str:
        top = sorted(ranked[report_id, source], reverse=True)[:2]
        return "" if len(top) == 2 and top[0][0] == top[1][0] else top[0][1]  # a tie: none

    aligned = []
    for c in candidates:
        left, right = sources[c.left], sources[c.right]
        if (
            ALIGN_MIN <= c.score < NEAR_CERTAIN
            and frozenset((left, right)) in linked
            and best(c.left, right) == c.right
            and best(c.right, left) == c.left
        ):
            reason = "each other's best match in two sources sharing a near-certain duplicate"
            c = DuplicateCandidate(c.left, c.right, NEAR_CERTAIN, (*c.reasons, reason))
        aligned.append(c)
    return aligned
