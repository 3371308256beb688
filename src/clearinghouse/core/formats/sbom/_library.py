"""The reference readers: the field's libraries (cyclonedx-python-lib, spdx-tools) parse.

They are slow (~1 ms a CycloneDX component; spdx-tools took 145 s on a 3.3 MB tag-value file)
and strict (spdx-tools refuses most real SPDX files, e.g. for fractional seconds in
``created``), so uploads go through the fast readers; these stand beside them as the reference
that tests hold the fast readers to, and as a strict mode.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

import defusedxml.ElementTree

from ._component import make_component
from ._cyclonedx import refusing_bad_xml
from ._model import Sbom, SbomComponent, SbomError, SbomFormat
from ._spdx import component_from_refs
from ._spec import cyclonedx_xml_version, json_format, spdx_version

if TYPE_CHECKING:
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component
    from spdx_tools.spdx.model.document import Document

_T = TypeVar("_T")


def _by_library(library: str, parse: Callable[[], _T]) -> _T:
    from cyclonedx.schema.deprecation import BaseSchemaDeprecationWarning

    try:
        with warnings.catch_warnings():
            # Older SBOMs use fields later specs deprecate; reading them is no cause to warn.
            warnings.simplefilter("ignore", BaseSchemaDeprecationWarning)
            return parse()
    except Exception as exc:  # each library raises many unrelated types for a bad document
        raise SbomError(f"{library} refused it: {type(exc).__name__}: {str(exc)[:300]}") from exc


def read_json_with_libraries(text: str) -> Sbom:
    """Read CycloneDX JSON with ``Bom.from_json`` or SPDX JSON with spdx-tools."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SbomError(f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise SbomError("not an SBOM: the JSON document is not an object")
    bom_format, version = json_format(document)
    if bom_format is SbomFormat.SPDX_JSON:
        from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser

        spdx = _by_library("spdx-tools", lambda: JsonLikeDictParser().parse(document))  # type: ignore[no-untyped-call]
        return _from_spdx(bom_format, spdx)
    from cyclonedx.model.bom import Bom

    bom = _by_library("cyclonedx-python-lib", lambda: Bom.from_json(document))  # type: ignore[attr-defined]
    return _from_bom(bom_format, version, document.get("serialNumber"), bom)


def read_xml_with_libraries(data: bytes) -> Sbom:
    """Read CycloneDX XML with ``Bom.from_xml`` on a tree defusedxml has parsed."""
    from cyclonedx.model.bom import Bom

    with refusing_bad_xml():
        root = defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    version = cyclonedx_xml_version(root.tag)
    bom = _by_library("cyclonedx-python-lib", lambda: Bom.from_xml(root))  # type: ignore[attr-defined]
    return _from_bom(SbomFormat.CYCLONEDX_XML, version, root.get("serialNumber"), bom)


def read_tag_value_with_libraries(text: str) -> Sbom:
    """Read SPDX tag-value with spdx-tools' parser."""
    from spdx_tools.spdx.parser.tagvalue.parser import Parser

    document = _by_library("spdx-tools", lambda: Parser().parse(text))  # type: ignore[no-untyped-call]
    return _from_spdx(SbomFormat.SPDX_TAG_VALUE, document)


def _from_bom(bom_format: SbomFormat, version: str, serial: object, bom: Bom) -> Sbom:
    subject = bom.metadata.component
    return Sbom(
        format=bom_format,
        spec_version=version,
        name=subject.name if subject is not None else None,
        serial=serial if isinstance(serial, str) else None,
        components=tuple(_flatten([subject] if subject is not None else [], bom.components)),
    )


def _flatten(*levels: Iterable[Component]) -> Iterator[SbomComponent]:
    for level in levels:
        for component in level:
            yield make_component(
                component.name,
                component.version,
                component.purl.to_string() if component.purl is not None else None,
                [component.cpe],
                component.bom_ref.value,
            )
            yield from _flatten(component.components)


def _from_spdx(bom_format: SbomFormat, document: Document) -> Sbom:
    info = document.creation_info
    return Sbom(
        format=bom_format,
        spec_version=spdx_version(info.spdx_version),
        name=info.name,
        serial=info.document_namespace,
        components=tuple(
            component_from_refs(
                package.name,
                package.version,
                [(ref.reference_type, ref.locator) for ref in package.external_references],
                package.spdx_id,
            )
            for package in document.packages
        ),
    )
