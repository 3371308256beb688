"""The lifecycle of a submitted document, as a table every interface and the worker enforce.

Queued (stored, waiting for the worker) → processing (reports being made, chunk by chunk) →
completed; any unfinished state can fail. A failed submission, or one left processing or
queued with no task to finish it, goes back to queued when retried, and resumes where it
stopped.
"""

from __future__ import annotations

from enum import StrEnum

from clearinghouse.core.transitions import Lifecycle


class SubmissionStatus(StrEnum):
    """Where a submitted document stands."""

    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


SUBMISSION_LIFECYCLE = Lifecycle(
    "submission",
    {
        SubmissionStatus.QUEUED: frozenset(
            {SubmissionStatus.PROCESSING, SubmissionStatus.COMPLETED, SubmissionStatus.FAILED}
        ),
        SubmissionStatus.PROCESSING: frozenset(
            {SubmissionStatus.COMPLETED, SubmissionStatus.FAILED, SubmissionStatus.QUEUED}
        ),
        SubmissionStatus.FAILED: frozenset({SubmissionStatus.QUEUED}),
        SubmissionStatus.COMPLETED: frozenset(),
    },
)

#: States the worker still has to finish.
UNFINISHED = frozenset({SubmissionStatus.QUEUED, SubmissionStatus.PROCESSING})
