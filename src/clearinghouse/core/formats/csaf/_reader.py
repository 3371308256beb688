"""Reads a CSAF 2.0 document and splits it into one normalised item per vulnerability."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._problem import Problem
from ._mandatory import mandatory_test_failures
from ._model import (
    AdvisoryContext,
    AffectedProduct,
    CsafAdvisory,
    CvssScore,
    Note,
    Product,
    ProductStatus,
    Remediation,
    VulnerabilityId,
    VulnerabilityItem,
)
from ._schema import schema_problems
from ._sectors import sectors_from_text
from ._tree import resolve_products

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


class CsafError(ValueError):
    """A document could not be read as conforming CSAF 2.0: `located` says where and why
    (`problems`: the same as lines, "$.vulnerabilities[2].cve: ...").
    """

    def __init__(self, source: str, located: Sequence[Problem]) -> None:
        self.source = source
        self.located = tuple(located)
        self.problems = tuple(
            f"{p.json_path}: {p.message}" if p.location else p.message for p in self.located
        )
        super().__init__(f"{source}: " + "; ".join(self.problems))


def _whole(message: str) -> tuple[Problem]:
    return (Problem((), message),)


def load_csaf_json(path: Path, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> dict[str, Any]:
    """Load a document's JSON, refusing oversized files before reading them into memory."""
    source = str(path)
    if path.stat().st_size > max_bytes:
        raise CsafError(source, _whole(f"larger than the {max_bytes} byte limit"))
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:  # the file grew after stat()
        raise CsafError(source, _whole(f"larger than the {max_bytes} byte limit"))
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CsafError(source, _whole(f"not valid JSON: {error}")) from error
    if not isinstance(document, dict):
        raise CsafError(source, _whole("not a JSON object"))
    return document


def read_csaf(path: Path, *, validate: bool = True) -> CsafAdvisory:
    """Read a CSAF 2.0 file into its vulnerability items, checking schema and mandatory tests."""
    return parse_csaf(load_csaf_json(path), source=str(path), validate=validate)


def parse_csaf(
    document: Mapping[str, Any], *, source: str = "<memory>", validate: bool = True
) -> CsafAdvisory:
    """Split an already-loaded CSAF document into items; raise `CsafError` if it does not conform.

    `validate=False` skips the checks for documents a trusted feed already validated.
    """
    if validate:
        problems = schema_problems(document)
        if not problems:
            problems = tuple(
                Problem(failure.location, f"CSAF {failure.test_id}: {failure.message}")
                for failure in mandatory_test_failures(document)
            )
        if problems:
            raise CsafError(source, problems)
    context = _context(document, source)
    products = resolve_products(document)
    groups = _product_groups(document)
    items = tuple(
        _item(vulnerability, index, context, products, groups)
        for index, vulnerability in enumerate(document.get("vulnerabilities") or [])
    )
    return CsafAdvisory(context=context, items=items)


def _is_sectors_note(note: Mapping[str, Any]) -> bool:
    return "critical infrastructure sector" in str(note.get("title", "")).casefold()


def _context(document: Mapping[str, Any], source: str) -> AdvisoryContext:
    meta = document.get("document") or {}
    sectors_note = "\n".join(
        str(note.get("text", "")).strip()
        for note in meta.get("notes") or []
        if _is_sectors_note(note)
    )
    return AdvisoryContext(
        source=source,
        tracking_id=str((meta.get("tracking") or {}).get("id", "")),
        title=str(meta.get("title", "")),
        publisher=str((meta.get("publisher") or {}).get("name", "")),
        sectors_note=sectors_note,
        sectors=sectors_from_text(sectors_note),
    )


def _ids(values: list[Any] | None) -> tuple[str, ...]:
    return tuple(str(value) for value in values or [])


def _scores(vulnerability: Mapping[str, Any]) -> tuple[CvssScore, ...]:
    scores = []
    for entry in vulnerability.get("scores") or []:
        for key in ("cvss_v3", "cvss_v2"):
            cvss = entry.get(key)
            if cvss:
                scores.append(
                    CvssScore(
                        version=str(cvss.get("version", "")),
                        vector=str(cvss.get("vectorString", "")),
                        base_score=float(cvss.get("baseScore", 0.0)),
                        product_ids=_ids(entry.get("products")),
                    )
                )
    return tuple(scores)


def _product_groups(document: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    tree = document.get("product_tree") or {}
    return {
        str(group.get("group_id", "")): _ids(group.get("product_ids"))
        for group in tree.get("product_groups") or []
    }


def _remediation(entry: Mapping[str, Any], groups: Mapping[str, tuple[str, ...]]) -> Remediation:
    # A remediation may name products directly or through groups; callers want the products.
    members = (member for group in _ids(entry.get("group_ids")) for member in groups.get(group, ()))
    return Remediation(
        category=str(entry.get("category", "")),
        details=str(entry.get("details", "")),
        url=str(entry.get("url", "")),
        product_ids=tuple(dict.fromkeys((*_ids(entry.get("product_ids")), *members))),
    )


def _item(
    vulnerability: Mapping[str, Any],
    index: int,
    context: AdvisoryContext,
    products: Mapping[str, Product],
    groups: Mapping[str, tuple[str, ...]],
) -> VulnerabilityItem:
    status = vulnerability.get("product_status") or {}
    cwe = vulnerability.get("cwe") or {}
    return VulnerabilityItem(
        advisory=context,
        index=index,
        title=str(vulnerability.get("title", "")),
        cve=str(vulnerability.get("cve", "")),
        ids=tuple(
            VulnerabilityId(str(entry.get("system_name", "")), str(entry.get("text", "")))
            for entry in vulnerability.get("ids") or []
        ),
        cwe_id=str(cwe.get("id", "")),
        cwe_name=str(cwe.get("name", "")),
        notes=tuple(
            Note(
                str(note.get("category", "")), str(note.get("text", "")), str(note.get("title", ""))
            )
            for note in vulnerability.get("notes") or []
        ),
        scores=_scores(vulnerability),
        products=tuple(
            AffectedProduct(products.get(product_id) or Product(product_id, name=product_id), kind)
            for kind in ProductStatus
            for product_id in _ids(status.get(kind.value))
        ),
        remediations=tuple(
            _remediation(entry, groups) for entry in vulnerability.get("remediations") or []
        ),
    )
