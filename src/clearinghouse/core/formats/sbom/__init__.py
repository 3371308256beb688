"""SBOM intake: CycloneDX (JSON, XML) and SPDX 2 (JSON, tag-value) read into components to match."""

from ._model import Sbom, SbomComponent, SbomError, SbomFormat
from ._read import DEFAULT_MAX_BYTES, read_sbom

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Sbom",
    "SbomComponent",
    "SbomError",
    "SbomFormat",
    "read_sbom",
]
