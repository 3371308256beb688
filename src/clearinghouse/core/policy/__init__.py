"""Covered-model policy: versioned policy files and the determination they drive."""

from ._description import (
    Capability,
    DeploymentChannel,
    Designation,
    LabDeclaration,
    Modality,
    ModelDescription,
    Tool,
    parse_description,
)
from ._determination import CriterionResult, Determination, determine
from ._policy import (
    BUILTIN_POLICY_DIR,
    DEFAULT_POLICY_ID,
    AssessmentRules,
    Participation,
    Policy,
    PolicyError,
    load_policies,
    load_policy_file,
)

__all__ = [
    "BUILTIN_POLICY_DIR",
    "DEFAULT_POLICY_ID",
    "AssessmentRules",
    "Capability",
    "CriterionResult",
    "DeploymentChannel",
    "Designation",
    "Determination",
    "LabDeclaration",
    "Modality",
    "ModelDescription",
    "Participation",
    "Policy",
    "PolicyError",
    "Tool",
    "determine",
    "load_policies",
    "load_policy_file",
    "parse_description",
]
