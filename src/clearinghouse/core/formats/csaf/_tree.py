"""Resolves CSAF product ids to products: the branch path names the vendor, product and version."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from .._problem import Location
from ._model import Product

# Branch categories that say what a product is; the others (architecture, language, ...)
# refine it but are not part of its identity for intake.
_BRANCH_FIELDS = {
    "vendor": "vendor",
    "product_family": "product_name",
    "product_name": "product_name",
    "product_version": "version",
    "product_version_range": "version_range",
}


def _product(full_name: Mapping[str, Any], path: Mapping[str, str]) -> Product:
    helper = full_name.get("product_identification_helper") or {}
    return Product(
        product_id=str(full_name.get("product_id", "")),
        name=str(full_name.get("name", "")),
        purl=str(helper.get("purl", "")),
        cpe=str(helper.get("cpe", "")),
        **path,
    )


def _branches(
    branches: list[Any], base: Location, path: dict[str, str]
) -> Iterator[tuple[Location, Product]]:
    for i, branch in enumerate(branches):
        here = (*base, i)
        field = _BRANCH_FIELDS.get(branch.get("category", ""))
        # A nested product_name (a family, then a model) is more specific: the deepest wins.
        scoped = {**path, field: str(branch.get("name", ""))} if field else path
        if "product" in branch:
            yield (*here, "product", "product_id"), _product(branch["product"], scoped)
        yield from _branches(branch.get("branches") or [], (*here, "branches"), scoped)


def product_definitions(document: Mapping[str, Any]) -> Iterator[tuple[Location, Product]]:
    """Yield every product definition with its location, duplicates kept (6.1.2 needs them)."""
    tree = document.get("product_tree") or {}
    yield from _branches(tree.get("branches") or [], ("product_tree", "branches"), {})
    for i, full_name in enumerate(tree.get("full_product_names") or []):
        yield ("product_tree", "full_product_names", i, "product_id"), _product(full_name, {})
    for i, relationship in enumerate(tree.get("relationships") or []):
        full_name = relationship.get("full_product_name") or {}
        yield (
            ("product_tree", "relationships", i, "full_product_name", "product_id"),
            _product(full_name, {}),
        )


def resolve_products(document: Mapping[str, Any]) -> dict[str, Product]:
    """Map each product id to its product; the first definition wins (6.1.2 reports the others).

    A product defined by a relationship ("X installed on Y") has no branch path of its own, so
    it takes the vendor, name and version of the component it refers to.
    """
    products: dict[str, Product] = {}
    for _, product in product_definitions(document):
        products.setdefault(product.product_id, product)
    tree = document.get("product_tree") or {}
    for relationship in tree.get("relationships") or []:
        defined = products.get((relationship.get("full_product_name") or {}).get("product_id", ""))
        component = products.get(relationship.get("product_reference", ""))
        if defined is not None and component is not None and not defined.vendor:
            products[defined.product_id] = dataclasses.replace(
                defined,
                vendor=component.vendor,
                product_name=component.product_name,
                version=component.version,
                version_range=component.version_range,
                purl=defined.purl or component.purl,
                cpe=defined.cpe or component.cpe,
            )
    return products
