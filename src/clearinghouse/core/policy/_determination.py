"""The one function that decides whether a model is a covered frontier model, and says why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ._description import Capability, ModelDescription
from ._policy import Policy


@dataclass(frozen=True)
class CriterionResult:
    """One criterion of the policy, whether it was met, and the values it compared."""

    criterion: str
    met: bool
    detail: str
    values: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    label: str = ""


@dataclass(frozen=True)
class Determination:
    """The outcome for one model under one policy version, with every criterion's reason."""

    covered: bool
    policy_id: str
    policy_version: str
    reasons: tuple[CriterionResult, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, as stored and as printed by `policy check --json`."""
        return asdict(self) | {"reasons": [asdict(reason) for reason in self.reasons]}


def _designation(policy: Policy, model: ModelDescription) -> CriterionResult:
    designation = model.designation
    if designation is None:
        return CriterionResult("designation", False, "not designated by an authorised agency")
    # Only the designation's identity is stated: its grounds are classified.
    return CriterionResult(
        "designation",
        True,
        f"designated by {designation.authority} ({designation.reference}, "
        f"{designation.designated_on.isoformat()})",
        {
            "authority": designation.authority,
            "reference": designation.reference,
            "designated_on": designation.designated_on.isoformat(),
        },
    )


def _training_compute(policy: Policy, model: ModelDescription) -> CriterionResult:
    threshold = policy.criteria.training_compute.threshold_flop
    total = model.total_training_compute_flop
    met = total >= threshold
    relation = "≥" if met else "<"
    parts = f"{model.training_compute_flop:.3g}"
    if model.fine_tuning_compute_flop:
        parts += f" + fine-tuning {model.fine_tuning_compute_flop:.3g} = {total:.3g}"
    return CriterionResult(
        "training_compute",
        met,
        f"training compute {parts} FLOP {relation} threshold {threshold:.3g} FLOP",
        {"training_compute_flop": total, "threshold_flop": threshold},
    )


def _reasoning_and_autonomy(policy: Policy, model: ModelDescription) -> CriterionResult:
    reasoning = Capability.ADVANCED_REASONING in model.capabilities
    autonomy = Capability.AUTONOMOUS_TOOL_USE in model.capabilities
    met = reasoning and autonomy
    tools = ", ".join(tool.value for tool in model.tools) or "none declared"
    detail = (
        f"advanced reasoning {'declared' if reasoning else 'not declared'}; "
        f"autonomous tool use {'declared' if autonomy else 'not declared'} (tools: {tools})"
    )
    return CriterionResult(
        "reasoning_and_autonomy",
        met,
        detail,
        {
            "advanced_reasoning": reasoning,
            "autonomous_tool_use": autonomy,
            "tools": [tool.value for tool in model.tools],
        },
    )


def _cyber_assessment(policy: Policy, model: ModelDescription) -> CriterionResult:
    threshold = policy.criteria.cyber_assessment.threshold_level
    level = model.cyber_capability_level
    if level is None:
        return CriterionResult(
            "cyber_assessment",
            False,
            "no completed cyber assessment",
            {"level": None, "threshold_level": threshold},
        )
    met = level >= threshold
    return CriterionResult(
        "cyber_assessment",
        met,
        f"assessed cyber capability level {level} {'≥' if met else '<'} threshold {threshold}",
        {"level": level, "threshold_level": threshold},
    )


_CRITERIA = (
    ("designation", "Agency designation", _designation),
    ("training_compute", "Training compute", _training_compute),
    (
        "reasoning_and_autonomy",
        "Advanced reasoning and autonomous tool use",
        _reasoning_and_autonomy,
    ),
    ("cyber_assessment", "Cyber capability assessment", _cyber_assessment),
)


def determine(model: ModelDescription, policy: Policy) -> Determination:
    """Decide coverage: a model is covered when any enabled criterion of the policy is met."""
    reasons = []
    for name, label, evaluate in _CRITERIA:
        result = replace(evaluate(policy, model), label=label)
        if not getattr(policy.criteria, name).enabled:
            result = replace(
                result,
                met=False,
                enabled=False,
                detail=f"criterion disabled by policy ({result.detail})",
            )
        reasons.append(result)
    return Determination(
        covered=any(reason.met for reason in reasons),
        policy_id=policy.id,
        policy_version=policy.version,
        reasons=tuple(reasons),
    )
