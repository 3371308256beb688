"""Find the suite's tasks by name, and read a family's headline score back from an eval log."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from inspect_ai import Task
from inspect_ai.log import EvalLog

from ._autonomy import cyber_autonomy
from ._ctf import cyber_ctf
from ._levels import CAPABILITY_METRIC
from ._records import Family
from ._refusal import cyber_refusal
from ._vuln_id import cyber_vuln_id

SUITES: Mapping[str, Callable[..., Task]] = {
    Family.VULN_ID.value: cyber_vuln_id,
    Family.CTF.value: cyber_ctf,
    Family.REFUSAL.value: cyber_refusal,
    Family.AUTONOMY.value: cyber_autonomy,
}
"""Task functions by name; the name is the family, so a log's task names its family."""


def family_score(log: EvalLog) -> tuple[Family, float]:
    """The family a finished eval log assessed and its headline score (see CAPABILITY_METRIC).

    Works on logs the platform ran and on logs a developer or another institute uploaded,
    as long as they ran one of this suite's tasks to completion.
    """
    name = log.eval.task.rsplit("/", 1)[-1]
    try:
        family = Family(name)
    except ValueError:
        raise ValueError(f"{log.eval.task!r} is not a task of the cyber suite") from None
    if log.status != "success" or log.results is None:
        raise ValueError(f"{name}: the eval did not complete (status {log.status})")
    metric_name = CAPABILITY_METRIC[family]
    for eval_score in log.results.scores:
        if metric_name in eval_score.metrics:
            return family, float(eval_score.metrics[metric_name].value)
    raise ValueError(f"{name}: the log has no {metric_name!r} metric")
