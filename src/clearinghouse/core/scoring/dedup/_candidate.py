"""A duplicate candidate: the pair, the score and the reasons, as every step passes it on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DuplicateCandidate:
    """Two reports that may describe one vulnerability, how sure we are, and why."""

    left: str
    right: str
    score: float
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        """The reasons as one sentence for a reviewer."""
        return "; ".join(self.reasons)
