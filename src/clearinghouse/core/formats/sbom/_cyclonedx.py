"""CycloneDX components from JSON objects, and a streaming reader for CycloneDX XML."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

from ._component import make_component
from ._model import Sbom, SbomComponent, SbomError, SbomFormat
from ._spec import cyclonedx_xml_version


def components_from_json(item: object) -> Iterator[SbomComponent]:
    """Yield a JSON component and, depth first, the components nested in it."""
    # An explicit stack: nesting depth comes from the upload, Python's recursion limit does not.
    stack = [item]
    while stack:
        component = stack.pop()
        if not isinstance(component, dict):
            continue  # not a component at all; nothing to keep
        yield make_component(
            component.get("name"),
            component.get("version"),
            component.get("purl"),
            [component.get("cpe")],
            component.get("bom-ref"),
        )
        nested = component.get("components")
        if isinstance(nested, list):
            stack.extend(reversed(nested))


def subject_name(metadata: object) -> str | None:
    """The name of the software a CycloneDX SBOM describes (metadata.component), if given."""
    if isinstance(metadata, dict) and isinstance(metadata.get("component"), dict):
        name = metadata["component"].get("name")
        return name if isinstance(name, str) else None
    return None


@contextmanager
def refusing_bad_xml() -> Iterator[None]:
    """Turn malformed or dangerous XML (DTDs, entity bombs, external entities) into SbomError."""
    try:
        yield
    except DefusedXmlException as exc:
        raise SbomError(
            f"XML refused: it declares a DTD or entities ({type(exc).__name__}), "
            "which CycloneDX never needs and attacks use"
        ) from exc
    except ParseError as exc:
        raise SbomError(f"not well-formed XML: {exc}") from exc


def _is_component(path: list[str]) -> bool:
    """Whether an element path is a BOM component: not a tool, service or formulation part."""
    if path[1:3] not in (["components", "component"], ["metadata", "component"]):
        return False
    nested = path[3:]
    return len(nested) % 2 == 0 and all(
        name == ("components" if index % 2 == 0 else "component")
        for index, name in enumerate(nested)
    )


def read_cyclonedx_xml(data: bytes) -> Sbom:
    """Read a CycloneDX XML SBOM element by element, so memory stays bounded on huge uploads."""
    events = defusedxml.ElementTree.iterparse(
        BytesIO(data), events=("start", "end"), forbid_dtd=True
    )
    namespace = ""
    version = "?"
    serial = name = None
    path: list[str] = []
    elements: list[Element] = []
    # Slots reserved at each component's start keep document order (parents before children).
    components: list[SbomComponent | None] = []
    slots: list[int] = []
    with refusing_bad_xml():
        for event, element in events:
            if event == "start":
                if not path:
                    version = cyclonedx_xml_version(element.tag)
                    namespace = element.tag[: -len("bom")]
                    serial = element.get("serialNumber")
                tag = element.tag
                path.append(tag[len(namespace) :] if tag.startswith(namespace) else tag)
                elements.append(element)
                if path[-1] == "component" and _is_component(path):
                    slots.append(len(components))
                    components.append(None)
                continue
            if path[-1] == "component" and _is_component(path):
                component = _component_from_xml(element, namespace)
                components[slots.pop()] = component
                if path[1] == "metadata" and len(path) == 3:
                    name = component.name or None
            path.pop()
            elements.pop()
            # Drop what has been read; a component's own fields wait until it ends.
            if elements and path[-1] != "component":
                elements[-1].clear()
    return Sbom(
        format=SbomFormat.CYCLONEDX_XML,
        spec_version=version,
        name=name,
        serial=serial,
        components=tuple(component for component in components if component is not None),
    )


def _component_from_xml(element: Element, namespace: str) -> SbomComponent:
    return make_component(
        element.findtext(f"{namespace}name"),
        element.findtext(f"{namespace}version"),
        element.findtext(f"{namespace}purl"),
        [element.findtext(f"{namespace}cpe")],
        element.get("bom-ref"),
    )
