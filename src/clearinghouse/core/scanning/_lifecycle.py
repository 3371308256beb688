"""A finding's lifecycle as tables of legal transitions: what operators do, what matching does.

Matching opens a finding when an advisory affects a component. The operator then records
what it did (accepted the risk until a date, remediated it) or opens it again. A finding
whose advisory no longer matches, or whose component left the SBOM, "no longer applies"
(resolved): the operator cannot move it, only matching can, by opening it again when the
advisory matches again.
"""

from __future__ import annotations

from enum import StrEnum

from clearinghouse.core.transitions import Lifecycle


class FindingStatus(StrEnum):
    """Where a finding stands."""

    OPEN = "open"
    ACCEPTED_RISK = "accepted_risk"
    REMEDIATED = "remediated"
    RESOLVED = "resolved"


_LIVE = frozenset({FindingStatus.OPEN, FindingStatus.ACCEPTED_RISK, FindingStatus.REMEDIATED})

#: The operator's moves: between the live states (never to the same one); resolved is final.
FINDING_LIFECYCLE = Lifecycle(
    "finding",
    {
        **{state: _LIVE - {state} for state in _LIVE},
        FindingStatus.RESOLVED: frozenset(),
    },
)

#: Matching's moves: any live finding no longer applies; a resolved one matches again (open).
MATCHING_LIFECYCLE = Lifecycle(
    "finding",
    {
        **{state: frozenset({FindingStatus.RESOLVED}) for state in _LIVE},
        FindingStatus.RESOLVED: frozenset({FindingStatus.OPEN}),
    },
)

#: The states an operator may set.
OPERATOR_STATUSES = tuple(sorted(_LIVE, key=list(FindingStatus).index))
