"""What dedup compares: a vulnerability report reduced to the facts that identify it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from packageurl import PackageURL

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Legal-form words say nothing about which vendor it is ("Siemens AG" is "Siemens").
_LEGAL_FORMS = frozenset(
    {"ag", "bv", "co", "company", "corp", "corporation", "gmbh", "inc", "incorporated"}
    | {"kk", "limited", "llc", "ltd", "nv", "plc", "sa", "se"}
)


@dataclass(frozen=True)
class ProductRef:
    """An affected product as a report names it; a purl, when there is one, names it best."""

    vendor: str = ""
    product: str = ""
    version: str = ""
    purl: str = ""


@dataclass(frozen=True)
class Report:
    """A vulnerability report as dedup sees it, whatever format or finder it came from.

    `source` names where the report came from (an advisory, a submission): reports from the
    same non-empty source are distinct by construction, never duplicates of each other.
    """

    report_id: str
    title: str = ""
    description: str = ""
    aliases: frozenset[str] = field(default_factory=frozenset)
    products: tuple[ProductRef, ...] = ()
    cwe: str = ""
    cvss_vectors: tuple[str, ...] = ()
    source: str = ""


def normalise_name(name: str, *, vendor: bool = False) -> str:
    """Fold case and punctuation so "Siemens AG" and "SIEMENS" compare equal."""
    words = _NON_ALNUM.sub(" ", name.casefold()).split()
    if vendor:
        words = [word for word in words if word not in _LEGAL_FORMS]
    return " ".join(words)


def _normalise_version(version: str) -> str:
    return " ".join(version.casefold().replace(" v", " ").removeprefix("v").split())


def product_key(product: ProductRef) -> str:
    """One normalised string per affected product, for fingerprints and product overlap."""
    version = _normalise_version(product.version)
    if product.purl:
        try:
            purl = PackageURL.from_string(product.purl)
        except ValueError:
            pass
        else:
            package = "/".join(part for part in (purl.type, purl.namespace, purl.name) if part)
            return f"{package.casefold()}|{_normalise_version(purl.version or '') or version}"
    vendor = normalise_name(product.vendor, vendor=True)
    return f"{vendor}|{normalise_name(product.product)}|{version}"


def fingerprint(report: Report) -> str:
    """Hash the affected products, their versions and the weakness; "" when no product is named.

    Two reports of one bug usually name the same products and CWE even when their prose
    differs, which is what lets dedup find duplicates that text similarity misses.
    """
    if not report.products:
        return ""
    keys = sorted({product_key(product) for product in report.products})
    material = "\n".join([*keys, f"cwe|{report.cwe.casefold()}"])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


# An upper bound of an affected range as advisories write it: "<= 5.6", "< V4.35", "vers:all/<V4.5".
_UPPER_BOUND = re.compile(r"(<=?)\s*v?(\d[0-9a-z._-]*)")


def affected_bounds(report: Report) -> dict[str, frozenset[tuple[str, str]]]:
    """The upper bounds of each named product's affected versions, by normalised product name.

    Where one bug was fixed is where its affected range ends, so two reports of one bug in one
    product agree on that bound; an exact version ("tested on 2.1") is no bound and says nothing.
    """
    bounds: dict[str, set[tuple[str, str]]] = {}
    for product in report.products:
        name = normalise_name(product.product)
        found = _UPPER_BOUND.findall(product.version.casefold())
        if name and found:
            bounds.setdefault(name, set()).update(found)
    return {name: frozenset(values) for name, values in bounds.items()}


def bounds_conflict(
    a: dict[str, frozenset[tuple[str, str]]], b: dict[str, frozenset[tuple[str, str]]]
) -> str:
    """A product both name with other bounds of the same kind ("<= 5.6" vs "<= 5.7"), or "".

    Only when every product bounded in both disagrees: one shared bound is enough to agree, and
    "<= 5.1" against "< 5.2" (last affected against first fixed) is no disagreement.
    """
    conflicting = ""
    for name in sorted(a.keys() & b.keys()):
        one, two = a[name], b[name]
        if one & two or {op for op, _ in one} != {op for op, _ in two}:
            return ""
        conflicting = conflicting or name
    return conflicting


_V3_V2_BASE_METRICS = frozenset({"AV", "AC", "PR", "UI", "S", "C", "I", "A", "Au"})


def _base_vector(vector: str) -> str:
    if vector.startswith("CVSS:4"):
        return vector
    # Temporal metrics (E, RL, RC) change as exploits and fixes appear; one bug, same base.
    metrics = vector.removeprefix("CVSS:3.0/").removeprefix("CVSS:3.1/").split("/")
    return "/".join(m for m in metrics if m.split(":", 1)[0] in _V3_V2_BASE_METRICS)


def base_vectors(report: Report) -> frozenset[str]:
    """The CVSS base vectors without version prefix, so 3.0 and 3.1 scorings of one bug agree."""
    return frozenset(_base_vector(vector) for vector in report.cvss_vectors if vector)
