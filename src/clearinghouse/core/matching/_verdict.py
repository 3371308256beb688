"""What matching concludes about a component and an advisory, and why."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    """Whether an advisory applies to a component; `unknown` is never read as safe."""

    AFFECTED = "affected"
    NOT_AFFECTED = "not_affected"
    UNKNOWN = "unknown"

    def combine(self, other: Verdict) -> Verdict:
        """The verdict of two pieces of evidence together: affected, else unknown, else not."""
        return min(self, other, key=_PRECEDENCE.index)


_PRECEDENCE = (Verdict.AFFECTED, Verdict.UNKNOWN, Verdict.NOT_AFFECTED)


@dataclass(frozen=True, slots=True)
class Match:
    """An advisory that affects (or may affect) a component, with the evidence for it.

    `affected_index` and `range_index` point into the advisory's `affected[]` and its
    `ranges[]` (None when the evidence is the `versions` list or not a single range).
    """

    advisory_id: str
    verdict: Verdict
    reason: str
    affected_index: int
    range_index: int | None = None
