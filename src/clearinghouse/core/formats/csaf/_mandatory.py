"""CSAF 2.0 mandatory tests (6.1) that intake relies on: schema validity is not conformance."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .._problem import Location, Problem
from ._tree import product_definitions

_STATUS_GROUPS: dict[str, str] = {
    "first_affected": "affected",
    "known_affected": "affected",
    "last_affected": "affected",
    "known_not_affected": "not affected",
    "first_fixed": "fixed",
    "fixed": "fixed",
    "under_investigation": "under investigation",
}
# `recommended` is in no group: recommending a fixed version contradicts nothing.
_REFERENCING_STATUSES = (*_STATUS_GROUPS, "recommended")


@dataclass(frozen=True)
class MandatoryTestFailure:
    """A document breaks a numbered CSAF 2.0 mandatory test at a place in it."""

    test_id: str
    location: Location
    message: str

    @property
    def path(self) -> str:
        """The place as JSONPath, as the CSAF standard names places."""
        return Problem(self.location, self.message).json_path


def _list(node: Mapping[str, Any], key: str) -> list[Any]:
    value = node.get(key)
    return value if isinstance(value, list) else []


def _vulnerabilities(document: Mapping[str, Any]) -> Iterator[tuple[Location, Mapping[str, Any]]]:
    for i, vulnerability in enumerate(_list(document, "vulnerabilities")):
        if isinstance(vulnerability, Mapping):
            yield ("vulnerabilities", i), vulnerability


def _product_references(document: Mapping[str, Any]) -> Iterator[tuple[Location, str]]:
    tree = document.get("product_tree") or {}
    for g, group in enumerate(_list(tree, "product_groups")):
        for p, product_id in enumerate(_list(group, "product_ids")):
            yield ("product_tree", "product_groups", g, "product_ids", p), product_id
    for r, relationship in enumerate(_list(tree, "relationships")):
        for key in ("product_reference", "relates_to_product_reference"):
            if key in relationship:
                yield ("product_tree", "relationships", r, key), relationship[key]
    for base, vulnerability in _vulnerabilities(document):
        status = vulnerability.get("product_status") or {}
        for key in _REFERENCING_STATUSES:
            for p, product_id in enumerate(_list(status, key)):
                yield (*base, "product_status", key, p), product_id
        for section, key in (
            ("flags", "product_ids"),
            ("remediations", "product_ids"),
            ("threats", "product_ids"),
            ("scores", "products"),
        ):
            for s, entry in enumerate(_list(vulnerability, section)):
                for p, product_id in enumerate(_list(entry, key)):
                    yield (*base, section, s, key, p), product_id


def _group_references(document: Mapping[str, Any]) -> Iterator[tuple[Location, str]]:
    for base, vulnerability in _vulnerabilities(document):
        for section in ("flags", "remediations", "threats"):
            for s, entry in enumerate(_list(vulnerability, section)):
                for g, group_id in enumerate(_list(entry, "group_ids")):
                    yield (*base, section, s, "group_ids", g), group_id


def _group_definitions(document: Mapping[str, Any]) -> list[tuple[Location, str]]:
    tree = document.get("product_tree") or {}
    return [
        (("product_tree", "product_groups", g, "group_id"), group["group_id"])
        for g, group in enumerate(_list(tree, "product_groups"))
        if "group_id" in group
    ]


def _undefined(
    test_id: str, kind: str, references: Iterator[tuple[Location, str]], defined: set[str]
) -> list[MandatoryTestFailure]:
    return [
        MandatoryTestFailure(test_id, path, f"{kind} {ref!r} is referenced but never defined")
        for path, ref in references
        if ref not in defined
    ]


def _duplicated(
    test_id: str, kind: str, definitions: list[tuple[Location, str]]
) -> list[MandatoryTestFailure]:
    counts = Counter(identifier for _, identifier in definitions)
    return [
        MandatoryTestFailure(
            test_id, path, f"{kind} {identifier!r} is defined {counts[identifier]} times"
        )
        for path, identifier in definitions
        if counts[identifier] > 1
    ]


def _circular_relationships(document: Mapping[str, Any]) -> list[MandatoryTestFailure]:
    tree = document.get("product_tree") or {}
    depends: dict[str, set[str]] = {}
    paths: dict[str, Location] = {}
    for r, relationship in enumerate(_list(tree, "relationships")):
        defined = (relationship.get("full_product_name") or {}).get("product_id")
        if defined is None:
            continue
        paths.setdefault(
            defined, ("product_tree", "relationships", r, "full_product_name", "product_id")
        )
        depends.setdefault(defined, set()).update(
            relationship[key]
            for key in ("product_reference", "relates_to_product_reference")
            if key in relationship
        )

    def reaches_itself(start: str) -> bool:
        seen: set[str] = set()
        stack = list(depends.get(start, ()))
        while stack:
            current = stack.pop()
            if current == start:
                return True
            if current not in seen:
                seen.add(current)
                stack.extend(depends.get(current, ()))
        return False

    return [
        MandatoryTestFailure(
            "6.1.3", paths[product_id], f"product id {product_id!r} is defined in a circle"
        )
        for product_id in depends
        if reaches_itself(product_id)
    ]


def _contradicting_status(document: Mapping[str, Any]) -> list[MandatoryTestFailure]:
    failures: list[MandatoryTestFailure] = []
    for base, vulnerability in _vulnerabilities(document):
        status = vulnerability.get("product_status") or {}
        groups: dict[str, set[str]] = {}
        for key, group in _STATUS_GROUPS.items():
            for product_id in _list(status, key):
                groups.setdefault(product_id, set()).add(group)
        failures.extend(
            MandatoryTestFailure(
                "6.1.6",
                (*base, "product_status"),
                f"product id {product_id!r} is at once {' and '.join(sorted(found))}",
            )
            for product_id, found in groups.items()
            if len(found) > 1
        )
    return failures


def mandatory_test_failures(document: Mapping[str, Any]) -> tuple[MandatoryTestFailure, ...]:
    """Run CSAF 2.0 mandatory tests 6.1.1 to 6.1.6 (the product and group identity rules).

    These are the ones intake depends on: without them a product status can point at nothing,
    or at two different products. Expects a schema-valid document.
    """
    products = [(path, definition.product_id) for path, definition in product_definitions(document)]
    groups = _group_definitions(document)
    return (
        *_undefined("6.1.1", "product id", _product_references(document), {p for _, p in products}),
        *_duplicated("6.1.2", "product id", products),
        *_circular_relationships(document),
        *_undefined(
            "6.1.4", "product group id", _group_references(document), {g for _, g in groups}
        ),
        *_duplicated("6.1.5", "product group id", groups),
        *_contradicting_status(document),
    )
