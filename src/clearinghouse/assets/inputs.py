"""Typed inputs of scanning's commands: register an asset, replace its SBOM, change a finding.

The API takes these as its bodies and query parameters (so their rules show in the OpenAPI
document); the pages' forms and the CLI build them with `clearinghouse.inputs.parse`. The
SBOM file itself travels beside the command as bytes (read within the upload limit).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.utils import timezone
from pydantic import Field, ValidationInfo, field_validator

from clearinghouse.core.scanning import FindingStatus
from clearinghouse.inputs import Command


class OperatorStatus(StrEnum):
    """The statuses an operator sets; "no longer applies" is matching's alone."""

    OPEN = FindingStatus.OPEN.value
    ACCEPTED_RISK = FindingStatus.ACCEPTED_RISK.value
    REMEDIATED = FindingStatus.REMEDIATED.value


class RegisterAsset(Command):
    """An SBOM registered under the name of the system it describes."""

    name: str = Field(min_length=1, max_length=200, description="the system this SBOM describes")
    filename: str = Field(default="", max_length=255, description="the uploaded file's name")


class ReplaceSbom(Command):
    """A new version of an asset's SBOM."""

    filename: str = Field(default="", max_length=255, description="the uploaded file's name")


class ChangeFindingStatus(Command):
    """What the operator did about a finding; an accepted risk needs a reason and an expiry."""

    status: OperatorStatus
    reason: str = Field(
        default="", max_length=2000, validate_default=True, description="why the risk is accepted"
    )
    expires: dt.date | None = Field(
        default=None, validate_default=True, description="until when the risk is accepted"
    )
    seen: FindingStatus | None = Field(
        default=None,
        description="the status the caller saw; if the finding has moved since, a 409",
    )

    @field_validator("reason")
    @classmethod
    def _reason_for_accepted_risk(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("status") == OperatorStatus.ACCEPTED_RISK and not value:
            raise ValueError("say why the risk is accepted")
        return value

    @field_validator("expires")
    @classmethod
    def _future_expiry_for_accepted_risk(
        cls, value: dt.date | None, info: ValidationInfo
    ) -> dt.date | None:
        if info.data.get("status") == OperatorStatus.ACCEPTED_RISK and (
            value is None or value <= timezone.now().date()
        ):
            raise ValueError("an accepted risk needs a future expiry")
        return value


class FindingFilter(Command):
    """Which of an asset's findings a list shows."""

    status: FindingStatus | None = None
