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
RUN_LIFECYCLE = Lifecycle(
    "assessment run",
    {
        RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.FAILED}),
        RunStatus.RUNNING: frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.QUEUED}),
        RunStatus.FAILED: frozenset({RunStatus.QUEUED}),
        RunStatus.COMPLETED: frozenset(),
    },
)
