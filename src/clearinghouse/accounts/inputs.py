"""Typed inputs of the account commands, shared by the API, the pages and the CLI."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, SecretStr, field_validator, model_validator

from clearinghouse.core.sectors import Sector
from clearinghouse.inputs import Command

from .models import OrganisationKind, ReviewTrack, Role


class IssueToken(Command):
    """A name to recognise a new API token by (a blank name becomes "token")."""

    name: Annotated[str, Field(max_length=100)] = "token"

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        return value or "token"


class CreateUser(Command):
    """A user to create (from the command line, the demo, a bench): a role and a password."""

    username: Annotated[str, Field(min_length=1, max_length=150)]
    password: SecretStr
    role: Role
    email: Annotated[str, Field(max_length=254)] = ""

    @field_validator("password")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 8:
            raise ValueError("the password must have at least 8 characters")
        return value


class NewOrganisation(Command):
    """A tenant to create: operators name their sector, agencies their review track."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: OrganisationKind
    sector: Sector | None = None
    track: ReviewTrack | None = None

    @model_validator(mode="after")
    def _sector_and_track_fit_the_kind(self) -> Self:
        if (self.kind == OrganisationKind.OPERATOR) != (self.sector is not None):
            raise ValueError("an operator names its sector (--sector), and only an operator")
        if (self.kind == OrganisationKind.AGENCY) != (self.track is not None):
            raise ValueError("an agency names its review track (--track), and only an agency")
        return self
