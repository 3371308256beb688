"""The facts the policy engine decides on, validated once for the API, the pages and the CLI."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class Capability(StrEnum):
    """Capabilities a lab declares; the covered-model criteria name two of them."""

    ADVANCED_REASONING = "advanced_reasoning"
    AUTONOMOUS_TOOL_USE = "autonomous_tool_use"


class Tool(StrEnum):
    """Digital tools a model may operate on its own (declared with autonomous tool use)."""

    SHELL = "shell"
    CODE_EXECUTION = "code_execution"
    WEB_BROWSING = "web_browsing"
    FILE_SYSTEM = "file_system"
    NETWORK_ACCESS = "network_access"
    COMPUTER_USE = "computer_use"
    EMAIL = "email"
    EXTERNAL_APIS = "external_apis"


class Modality(StrEnum):
    """Input/output modalities; biological sequences matter to some regimes' lower thresholds."""

    TEXT = "text"
    CODE = "code"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    BIOLOGICAL_SEQUENCE = "biological_sequence"


class DeploymentChannel(StrEnum):
    """How a model reaches the public once released."""

    API = "api"
    CONSUMER_APP = "consumer_app"
    ENTERPRISE = "enterprise"
    OPEN_WEIGHTS = "open_weights"
    INTERNAL = "internal"


class Designation(BaseModel):
    """An agency's designation; its grounds are classified, so only these fields exist."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    authority: Annotated[str, Field(min_length=2, max_length=200)]
    reference: Annotated[str, Field(min_length=1, max_length=200)]
    designated_on: dt.date


#: Far above all the compute ever spent (~1e27 FLOP for today's largest runs), and low enough
#: that pre-training plus fine-tuning stays a finite float.
MAX_FLOP = 1e40

Flop = Annotated[
    float,
    Field(ge=0, le=MAX_FLOP, allow_inf_nan=False, description="floating-point operations"),
]


class LabDeclaration(BaseModel):
    """What a lab declares when it registers a model: the fields of the registration form."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    version: Annotated[str, Field(min_length=1, max_length=100)]
    training_compute_flop: Flop
    fine_tuning_compute_flop: Flop = 0.0
    parameter_count: Annotated[int, Field(ge=0)] | None = None
    modalities: list[Modality] = Field(default_factory=lambda: [Modality.TEXT])
    capabilities: list[Capability] = Field(default_factory=list)
    tools: list[Tool] = Field(default_factory=list)
    planned_release_date: dt.date
    deployment_channels: list[DeploymentChannel] = Field(default_factory=list)

    @field_validator("planned_release_date")
    @classmethod
    def _release_not_past(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        context = info.context or {}
        if context.get("stored"):
            return value  # a registered model keeps its date after that date has passed
        today = context.get("today") or dt.datetime.now(dt.UTC).date()
        if value < today:
            raise ValueError(f"planned release date {value} is in the past (today is {today})")
        return value

    @field_validator("modalities", "capabilities", "tools", "deployment_channels")
    @classmethod
    def _unique(cls, value: list[StrEnum]) -> list[StrEnum]:
        return list(dict.fromkeys(value))

    @property
    def total_training_compute_flop(self) -> float:
        """Pre-training plus fine-tuning compute: the quantity thresholds are written against."""
        return self.training_compute_flop + self.fine_tuning_compute_flop


class ModelDescription(LabDeclaration):
    """A lab's declaration plus the facts the program holds about the model.

    `designation` and `cyber_capability_level` come from agencies and assessments, not the
    lab; they are part of the description so that one function decides coverage from it.
    """

    developer: Annotated[str, Field(min_length=1, max_length=200)]
    designation: Designation | None = None
    cyber_capability_level: Annotated[int, Field(ge=0, le=4)] | None = None


def parse_description(
    data: object, *, today: dt.date | None = None, stored: bool = False
) -> ModelDescription:
    """Validate a model description.

    `today` pins the clock for the release-date rule; `stored=True` skips that rule for a
    model already registered, whose release date may since have passed.
    """
    return ModelDescription.model_validate(data, context={"today": today, "stored": stored})
