"""Typed inputs of the accounts app's commands (see clearinghouse.inputs)."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from clearinghouse.core.sectors import Sector
from clearinghouse.inputs import Command

from .models import OrganisationKind, ReviewTrack


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
