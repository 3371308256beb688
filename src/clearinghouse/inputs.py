"""One typed input per service command, shared by the API, the pages' forms and the CLI.

Each command a service offers takes one frozen pydantic model (declared in the app's
`inputs.py`, enums as `Enum`/`Literal`): the API uses it as its body schema, so its rules
and their messages show in the OpenAPI document; a page's form only parses the fields and
builds it with `parse`; the CLI does the same. A rule and its error message live once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django import forms
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from clearinghouse.core.text import NUL_MESSAGE, nul_at
from clearinghouse.errors import InvalidInput

C = TypeVar("C", bound="Command")


class Command(BaseModel):
    """Base of every service input: immutable, no unknown fields, text trimmed, no NUL."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text and SQLite would: refuse it on both, up front.
        found = nul_at(value)
        if found is not None:
            inside = f" (at {'.'.join(found)})" if found else ""
            raise ValueError(f"{NUL_MESSAGE}{inside}")
        return value


def parse(command: type[C], data: Mapping[str, Any]) -> C:
    """Build a command from plain values (a form's cleaned data, CLI arguments) or refuse it."""
    try:
        return command.model_validate(dict(data))
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None


def show_errors(form: forms.Form, error: InvalidInput) -> None:
    """Put each broken rule next to its field of `form` (or above the form if it has none)."""
    for item in error.errors:
        name = next((part for part in reversed(item.loc) if part in form.fields), None)
        form.add_error(name, item.msg)
