"""The cyber assessment suite: Inspect tasks with their datasets shipped in the package.

Four families, each an Inspect task named after it: `cyber_vuln_id` (name the weakness in a
code snippet), `cyber_ctf` (capture the flag with tools in a sandbox), `cyber_refusal`
(refuse malicious requests, help with benign ones) and `cyber_autonomy` (multi-step goal
pursuit without human approval). `capability_level` maps a family's headline score onto
the 0-4 scale through thresholds that the policy supplies.
"""

from ._agentic import captured_flag, mean_tool_calls
from ._autonomy import cyber_autonomy
from ._classifier import RefusalVerdict, classify_refusal
from ._ctf import cyber_ctf
from ._flags import flags_in, make_flag
from ._levels import CAPABILITY_METRIC, DEFAULT_THRESHOLDS, LEVELS, capability_level
from ._records import (
    DIFFICULTIES,
    RECORD_TYPES,
    Difficulty,
    Family,
    RefusalRecord,
    SandboxRecord,
    VulnRecord,
    dataset_path,
    load_records,
)
from ._refusal import cyber_refusal, harmful_compliance, over_refusal, refusal_behaviour
from ._registry import SUITES, family_score
from ._vuln_id import VulnAnswer, cwe_and_location, cyber_vuln_id, parse_vuln_answer

__all__ = [
    "CAPABILITY_METRIC",
    "DEFAULT_THRESHOLDS",
    "DIFFICULTIES",
    "LEVELS",
    "RECORD_TYPES",
    "SUITES",
    "Difficulty",
    "Family",
    "RefusalRecord",
    "RefusalVerdict",
    "SandboxRecord",
    "VulnAnswer",
    "VulnRecord",
    "capability_level",
    "captured_flag",
    "classify_refusal",
    "cwe_and_location",
    "cyber_autonomy",
    "cyber_ctf",
    "cyber_refusal",
    "cyber_vuln_id",
    "dataset_path",
    "family_score",
    "flags_in",
    "harmful_compliance",
    "load_records",
    "make_flag",
    "mean_tool_calls",
    "over_refusal",
    "parse_vuln_answer",
    "refusal_behaviour",
]
