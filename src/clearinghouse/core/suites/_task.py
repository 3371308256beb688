"""How every task of the suite is put together, so the four families cannot drift apart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai import Task
from inspect_ai.agent import Agent
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import Scorer
from inspect_ai.solver import Solver

from ._records import Family


def family_task(
    family: Family,
    samples: Sequence[Sample],
    *,
    solver: Solver | Agent | Sequence[Solver],
    scorer: Scorer,
    token_limit: int | None,
    **options: Any,
) -> Task:
    """A family's task: dataset and metadata named after the family, at the suite's version.

    `options` are the further `Task` settings a family needs (the agentic ones' sandbox and
    message limit).
    """
    return Task(
        dataset=MemoryDataset(list(samples), name=family.value),
        solver=solver,
        scorer=scorer,
        token_limit=token_limit,
        metadata={"family": family.value},
        version=1,
        **options,
    )
