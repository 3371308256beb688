"""The assessment run lifecycle: the table of legal moves every interface enforces alike."""

from __future__ import annotations

from enum import StrEnum

from clearinghouse.core.transitions import Lifecycle


class RunStatus(StrEnum):
    """Where an assessment run stands (the values `AssessmentRun.Status` stores)."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


#: A failed run, or a running one whose worker stopped reporting, is queued again (resume).
#: Only a worker holding a run ends it, so a queued run is never failed: a worker it was
#: taken from (resumed meanwhile) finds it queued and is refused.
RUN_LIFECYCLE = Lifecycle(
    "assessment run",
    {
        RunStatus.QUEUED: frozenset({RunStatus.RUNNING}),
        RunStatus.RUNNING: frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.QUEUED}),
        RunStatus.FAILED: frozenset({RunStatus.QUEUED}),
        RunStatus.COMPLETED: frozenset(),
    },
)
