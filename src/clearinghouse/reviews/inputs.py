"""Typed inputs of the review commands: the API's bodies, built by the pages' forms and the CLI.

Each rule and its message is here once; `services` takes these and checks only what needs
the database (the policy's notice period, the notice's state, who may act).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from clearinghouse.core.review import AccessGrantRequest, Decision
from clearinghouse.inputs import Command

from .models import Finding

#: Free text a lab or a reviewer writes (disclosures, rationales, descriptions, notes).
Text = Annotated[str, Field(max_length=20_000)]
Reference = Annotated[str, Field(max_length=200)]


class FileNotice(Command):
    """A lab's notice for one of its covered models, filed as a draft."""

    ai_model_id: int
    planned_release_date: dt.date
    training_data_summary: Text = ""
    stress_test_results: Text = ""


class EditDraft(Command):
    """Changes to a draft notice: only the fields given are changed."""

    planned_release_date: dt.date | None = None
    training_data_summary: Text | None = None
    stress_test_results: Text | None = None


class GrantAccess(AccessGrantRequest, Command):
    """How reviewers reach the model (the rules are the core's `AccessGrantRequest`)."""


class AssignReviewer(Command):
    """The reviewer to assign to a track, by user name."""

    reviewer: Annotated[str, Field(min_length=1, max_length=150)]


class RecordFinding(Command):
    """A finding on a track; internal until a reviewer releases it to the lab."""

    category: Finding.Category
    severity: Finding.Severity
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[Text, Field(min_length=1)]
    assessment_reference: Reference = ""
    case_reference: Reference = ""


class AddNote(Command):
    """An internal note of a track's reviewers (never shown to the lab)."""

    body: Annotated[Text, Field(min_length=1)]


class DecideTrack(Command):
    """A track's decision, its rationale and, for a conditional clearance, the conditions."""

    decision: Decision
    rationale: Annotated[Text, Field(min_length=1)]
    conditions: list[Annotated[str, Field(max_length=2_000)]] = Field(
        default_factory=list, validate_default=True
    )

    @field_validator("conditions")
    @classmethod
    def _conditions_fit(cls, value: list[str], info: ValidationInfo) -> list[str]:
        listed = [condition.strip() for condition in value if condition.strip()]
        decision = info.data.get("decision")
        if decision is Decision.CLEARED_WITH_CONDITIONS and not listed:
            raise ValueError("list the conditions of the clearance")
        if decision is not None and decision is not Decision.CLEARED_WITH_CONDITIONS and listed:
            raise ValueError("conditions belong to 'cleared with conditions'")
        return listed
