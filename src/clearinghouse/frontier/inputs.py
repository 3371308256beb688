"""Typed inputs of the registry commands: the API's bodies, built by the pages and the CLI.

The declaration's rules are the core's (`LabDeclaration`, `Designation`); these commands
add only what every input shares (immutable, no unknown fields, no NUL).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from clearinghouse.core.policy import (
    Capability,
    DeploymentChannel,
    Designation,
    LabDeclaration,
    Modality,
    Tool,
)
from clearinghouse.inputs import Command


class RegisterModel(LabDeclaration, Command):
    """What a lab declares when it registers a model."""


class UpdateModel(Command):
    """Declared fields to change, any subset; the changed declaration must be valid as a whole.

    Only the types are here: the rules are checked once, on the whole declaration
    (`LabDeclaration`), after the change is applied to what is stored.
    """

    name: str | None = None
    version: str | None = None
    training_compute_flop: float | None = None
    fine_tuning_compute_flop: float | None = None
    parameter_count: int | None = None
    modalities: list[Modality] | None = None
    capabilities: list[Capability] | None = None
    tools: list[Tool] | None = None
    planned_release_date: dt.date | None = None
    deployment_channels: list[DeploymentChannel] | None = None


class Designate(Designation, Command):
    """An agency's designation: authority, reference and date; its grounds are not recorded."""


class ActivatePolicy(Command):
    """Which policy to put in force."""

    policy_id: Annotated[str, Field(min_length=1, max_length=64)]
