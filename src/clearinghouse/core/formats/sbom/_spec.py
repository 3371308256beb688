"""The specification versions we read, so an unknown version is refused rather than misread."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ._model import SbomError, SbomFormat

# JSON exists from CycloneDX 1.2; XML from 1.0. Later 1.x versions only add fields.
CYCLONEDX_VERSIONS = ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
# SPDX 2.x packages look alike; SPDX 3 is a different (JSON-LD) model.
SPDX_VERSIONS = ("SPDX-2.0", "SPDX-2.1", "SPDX-2.2", "SPDX-2.3")
_XML_ROOT = re.compile(r"\{http://cyclonedx\.org/schema/bom/(\d+\.\d+)\}bom")


def cyclonedx_version(value: object) -> str:
    """Return a supported CycloneDX spec version, or refuse the document."""
    if value in CYCLONEDX_VERSIONS:
        return str(value)
    raise SbomError(f"CycloneDX version {value!r} is not supported (1.0 to 1.7 are)")


def spdx_version(value: object) -> str:
    """Return a supported SPDX version without its 'SPDX-' prefix, or refuse the document."""
    if isinstance(value, str) and value.strip() in SPDX_VERSIONS:
        return value.strip().removeprefix("SPDX-")
    raise SbomError(f"SPDX version {value!r} is not supported (SPDX-2.0 to SPDX-2.3 are)")


def json_format(header: Mapping[str, object]) -> tuple[SbomFormat, str]:
    """Tell CycloneDX from SPDX JSON by their top-level keys; return the format and spec version."""
    if header.get("bomFormat") == "CycloneDX":
        return SbomFormat.CYCLONEDX_JSON, cyclonedx_version(header.get("specVersion"))
    if "spdxVersion" in header:
        return SbomFormat.SPDX_JSON, spdx_version(header["spdxVersion"])
    if "@context" in header:
        raise SbomError("JSON-LD (such as SPDX 3) is not supported: CycloneDX or SPDX 2 JSON is")
    raise SbomError("not an SBOM: JSON with neither CycloneDX 'bomFormat' nor SPDX 'spdxVersion'")


def cyclonedx_xml_version(root_tag: str) -> str:
    """Return the CycloneDX version an XML root element's namespace declares, or refuse it."""
    match = _XML_ROOT.fullmatch(root_tag)
    if match is None:
        raise SbomError(f"XML root {root_tag!r} is not a CycloneDX bom")
    return cyclonedx_version(match.group(1))
