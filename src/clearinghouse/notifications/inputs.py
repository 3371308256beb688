"""Typed inputs of the notification commands, shared by the API, the page and the CLI."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator

from clearinghouse.inputs import Command


class Event(StrEnum):
    """The events an endpoint can subscribe to."""

    NOTICE_SUBMITTED = "notice.submitted"
    REVIEWER_ASSIGNED = "reviewer.assigned"
    FINDING_RELEASED = "finding.released"
    NOTICE_DECIDED = "notice.decided"
    NOTICE_OVERDUE = "notice.overdue"
    REVIEW_REMINDER = "review.reminder"
    ADVISORY_MATCHED = "advisory.matched"


class RegisterWebhook(Command):
    """An endpoint to POST events to, and the events it wants (none listed: all).

    Whether the address may be called at all depends on the instance's outbound policy, so
    the service checks it (`egress.check_url`), not this shape.
    """

    url: Annotated[str, Field(min_length=1, max_length=500)]
    events: Annotated[list[Event], Field(max_length=len(Event))] = []

    @field_validator("events")
    @classmethod
    def _once_each(cls, events: list[Event]) -> list[Event]:
        return list(dict.fromkeys(events))
