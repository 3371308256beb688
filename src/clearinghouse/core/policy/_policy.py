"""Versioned policy files: the covered-model criteria and review rules as data, never code edits."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

BUILTIN_POLICY_DIR = Path(__file__).resolve().parent.parent.parent / "policies"
DEFAULT_POLICY_ID = "eo-2026"
_MAX_POLICY_BYTES = 256 * 1024


class Participation(StrEnum):
    """Whether labs must file notices (mandatory) or may (voluntary)."""

    VOLUNTARY = "voluntary"
    MANDATORY = "mandatory"


def _non_decreasing(bounds: tuple[float, ...]) -> tuple[float, ...]:
    if list(bounds) != sorted(bounds):
        raise ValueError("thresholds of levels 1-4 must not decrease")
    return bounds


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Toggle(_Strict):
    enabled: bool = True


class TrainingComputeCriterion(_Toggle):
    """Covered at or above a training-compute threshold (pre-training plus fine-tuning)."""

    threshold_flop: Annotated[float, Field(gt=0, allow_inf_nan=False)]


class CyberAssessmentCriterion(_Toggle):
    """Covered when a completed assessment reaches this capability level."""

    threshold_level: Annotated[int, Field(ge=0, le=4)]


class Criteria(_Strict):
    """The covered-model criteria of DESIGN.md §7; any one met makes a model covered."""

    designation: _Toggle = _Toggle()
    training_compute: TrainingComputeCriterion
    reasoning_and_autonomy: _Toggle = _Toggle()
    cyber_assessment: CyberAssessmentCriterion


class ReviewRules(_Strict):
    """Which tracks review a notice and how their decisions combine."""

    tracks: list[Literal["national_security", "civilian"]] = ["national_security", "civilian"]
    decision_rule: Literal["most_restrictive"] = "most_restrictive"


_Thresholds = Annotated[
    tuple[
        Annotated[float, Field(ge=0, le=1)],
        Annotated[float, Field(ge=0, le=1)],
        Annotated[float, Field(ge=0, le=1)],
        Annotated[float, Field(ge=0, le=1)],
    ],
    AfterValidator(_non_decreasing),
]
AssessmentFamily = Literal["cyber_vuln_id", "cyber_ctf", "cyber_refusal", "cyber_autonomy"]


class AssessmentRules(_Strict):
    """Lower bounds of capability levels 1-4 per assessment family (headline score in [0, 1]).

    Families left out use the suite's defaults (`core.suites.DEFAULT_THRESHOLDS`), so a policy
    file without an `[assessment]` table still loads.
    """

    thresholds: dict[AssessmentFamily, _Thresholds] = {}


class PolicyHeader(_Strict):
    """Identity and timing of a policy version."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,63}$")]
    version: Annotated[str, Field(min_length=1, max_length=32)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    effective: dt.date
    participation: Participation
    notice_period_days: Annotated[int, Field(ge=1, le=365)]
    access_grace_days: Annotated[int, Field(ge=0, le=365)] = 14
    reminder_days_left: list[Annotated[int, Field(ge=1)]] = [7, 2]
    required_disclosures: list[Literal["training_data_summary", "stress_test_results"]] = []


class Policy(_Strict):
    """One policy version as loaded from its file."""

    policy: PolicyHeader
    criteria: Criteria
    review: ReviewRules = ReviewRules()
    assessment: AssessmentRules = AssessmentRules()

    @property
    def id(self) -> str:
        """The policy id, e.g. `eo-2026`."""
        return self.policy.id

    @property
    def version(self) -> str:
        """The version of this policy id; determinations record it."""
        return self.policy.version


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file, line and reason."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """Find the line a validation error points at: the key inside its [table], else the table."""
    tables = [str(part) for part in loc[:-1] if isinstance(part, str)]
    key = str(loc[-1]) if loc and isinstance(loc[-1], str) else None
    lines = text.splitlines()
    start, table_line = 0, None
    if tables:
        header = re.compile(r"^\s*\[\s*" + re.escape(".".join(tables)) + r"\s*\]")
        for number, line in enumerate(lines):
            if header.match(line):
                start, table_line = number + 1, number + 1
                break
    if key is not None:
        assignment = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        for number in range(start, len(lines)):
            if lines[number].lstrip().startswith("["):
                break
            if assignment.match(lines[number]):
                return number + 1
    return table_line


def load_policy_file(path: Path) -> Policy:
    """Load and validate one policy file, refusing it with file, line and reason on any error."""
    if path.stat().st_size > _MAX_POLICY_BYTES:
        raise PolicyError(path, None, f"file is larger than {_MAX_POLICY_BYTES} bytes")
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise PolicyError(path, int(match.group(1)) if match else None, str(error)) from None
    try:
        return Policy.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        reason = f"{where}: {first['msg']}"
        if len(error.errors()) > 1:
            reason += f" (and {len(error.errors()) - 1} more)"
        raise PolicyError(path, _line_of(text, tuple(first["loc"])), reason) from None


def load_policies(directory: Path = BUILTIN_POLICY_DIR) -> dict[str, Policy]:
    """Load every `*.toml` policy in a directory, keyed by id; duplicate ids are an error."""
    policies: dict[str, Policy] = {}
    for path in sorted(directory.glob("*.toml")):
        policy = load_policy_file(path)
        if policy.id in policies:
            raise PolicyError(path, None, f"policy id {policy.id!r} is defined twice")
        policies[policy.id] = policy
    return policies
