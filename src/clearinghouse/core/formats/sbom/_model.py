"""The parsed SBOM every reader returns, whatever format and path it came through."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SbomFormat(StrEnum):
    """The serialisations an operator may upload."""

    CYCLONEDX_JSON = "CycloneDX JSON"
    CYCLONEDX_XML = "CycloneDX XML"
    SPDX_JSON = "SPDX JSON"
    SPDX_TAG_VALUE = "SPDX tag-value"


@dataclass(frozen=True, slots=True)
class SbomComponent:
    """One piece of software the SBOM lists, with what a matcher needs to find its advisories.

    ``name`` and ``version`` are as the SBOM wrote them; ``ecosystem`` and ``package_name`` come
    from the purl and follow OSV's naming (``Maven`` and ``group:artifact``, ``npm`` and
    ``@scope/name``). ``problem`` says why the component may not match (no version, a purl that
    does not parse); such components are kept so an operator sees them.
    """

    name: str
    version: str | None
    purl: str | None
    ecosystem: str | None
    package_name: str | None
    cpes: tuple[str, ...]
    ref: str | None
    problem: str | None


@dataclass(frozen=True, slots=True)
class Sbom:
    """An SBOM document: its format, identity and components (nested ones flattened)."""

    format: SbomFormat
    spec_version: str
    name: str | None
    serial: str | None
    components: tuple[SbomComponent, ...]


class SbomError(ValueError):
    """An upload that is not a readable SBOM; the message names the file and the reason."""

    def __init__(self, reason: str, filename: str | None = None) -> None:
        self.reason = reason
        self.filename = filename
        super().__init__(f"{filename or 'SBOM'}: {reason}")
