"""SPDX 2 packages from JSON objects, and a line reader for SPDX tag-value."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ._component import make_component
from ._model import Sbom, SbomComponent, SbomError, SbomFormat
from ._spec import spdx_version

_CPE_TYPES = frozenset({"cpe23Type", "cpe22Type"})
# Tags that open an element other than a package; fields after them are not the package's.
_OTHER_ELEMENTS = frozenset({"FileName", "SnippetSPDXID", "LicenseID"})
_HEADER_TAGS = frozenset({"SPDXVersion", "DocumentName", "DocumentNamespace"})


def component_from_refs(
    name: object, version: object, refs: Iterable[tuple[object, object]], spdx_id: object
) -> SbomComponent:
    """Build a component from an SPDX package's fields and its (type, locator) external refs."""
    purl = None
    cpes = []
    for ref_type, locator in refs:
        if ref_type == "purl" and purl is None:
            purl = locator
        elif ref_type in _CPE_TYPES:
            cpes.append(locator)
    return make_component(name, version, purl, cpes, spdx_id)


def component_from_json(package: dict[str, object]) -> SbomComponent:
    """Build a component from one object of an SPDX JSON ``packages`` array."""
    refs = package.get("externalRefs")
    pairs = [
        (ref.get("referenceType"), ref.get("referenceLocator"))
        for ref in (refs if isinstance(refs, list) else [])
        if isinstance(ref, dict)
    ]
    return component_from_refs(
        package.get("name"), package.get("versionInfo"), pairs, package.get("SPDXID")
    )


@dataclass
class _Package:
    name: str
    version: str | None = None
    spdx_id: str | None = None
    refs: list[tuple[str, str]] = field(default_factory=list)

    def component(self) -> SbomComponent:
        return component_from_refs(self.name, self.version, self.refs, self.spdx_id)


def read_spdx_tag_value(text: str) -> Sbom:
    """Read the packages of an SPDX tag-value document line by line.

    spdx-tools' parser took 145 s on a 3.3 MB real file and refuses most real files over
    details (fractional seconds in ``Created``) that do not matter for matching.
    """
    header: dict[str, str] = {}
    components: list[SbomComponent] = []
    package: _Package | None = None
    lines = iter(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    for line in lines:
        tag, colon, raw_value = line.partition(":")
        if not colon:
            continue
        tag, value = tag.strip(), raw_value.strip()
        if value.startswith("<text>"):
            # Free text (licences, copyrights) may span lines and look like tags; skip it whole.
            while "</text>" not in value:
                value = next(lines, "</text>")
            continue
        if tag in _HEADER_TAGS:
            header.setdefault(tag, value)
        elif tag == "PackageName" or tag in _OTHER_ELEMENTS:
            if package is not None:
                components.append(package.component())
            package = _Package(value) if tag == "PackageName" else None
        elif package is None:
            continue
        elif tag == "SPDXID" and package.spdx_id is None:
            package.spdx_id = value
        elif tag == "PackageVersion":
            package.version = value
        elif tag == "ExternalRef":
            parts = value.split(None, 2)
            if len(parts) == 3:
                package.refs.append((parts[1], parts[2]))
    if package is not None:
        components.append(package.component())
    if "SPDXVersion" not in header:
        raise SbomError("not an SBOM: not JSON or XML, and no SPDX tag-value 'SPDXVersion' tag")
    return Sbom(
        format=SbomFormat.SPDX_TAG_VALUE,
        spec_version=spdx_version(header["SPDXVersion"]),
        name=header.get("DocumentName"),
        serial=header.get("DocumentNamespace"),
        components=tuple(components),
    )
