"""CSAF 2.0 advisories: one item per vulnerability, after the schema and the mandatory tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clearinghouse.core.formats.csaf import CsafError, VulnerabilityItem, parse_csaf
from clearinghouse.core.scoring.dedup import ProductRef
from clearinghouse.core.sectors import sector_named

from ._base import TITLE_CHARS, Item, Source, check_count, clean
from ._errors import DocumentError, item_in
from ._registry import register


@register
class CsafReader:
    """A CSAF 2.0 advisory: each vulnerability with its products, scores and sectors."""

    name = "csaf"
    label = "CSAF 2.0"
    yaml = False
    distinct_items = True

    def recognises(self, tree: Any) -> bool:
        """CSAF's `document.csaf_version`."""
        return (
            isinstance(tree, Mapping)
            and isinstance(tree.get("document"), Mapping)
            and "csaf_version" in tree["document"]
        )

    def read(self, source: Source) -> list[Item]:
        """Check the advisory whole (schema, mandatory tests), then one item per vulnerability."""
        tree = source.tree
        vulnerabilities = tree.get("vulnerabilities") if isinstance(tree, Mapping) else None
        if isinstance(vulnerabilities, list):
            check_count(len(vulnerabilities), source.max_items, "vulnerabilities")
        try:
            advisory = parse_csaf(tree, source="document")
        except CsafError as error:
            raise DocumentError.located(error.located[:20], item_in("vulnerabilities")) from None
        items = [_item(item, advisory.context.title, vulnerabilities) for item in advisory.items]
        if not items:
            raise DocumentError.at(("vulnerabilities",), "the advisory lists no vulnerability")
        return items


def _item(item: VulnerabilityItem, document_title: str, vulnerabilities: Any) -> Item:
    return Item(
        index=item.index,
        title=clean(_title(item, document_title), TITLE_CHARS),
        description=clean(item.description),
        aliases=tuple(dict.fromkeys(a for a in (item.cve, *(i.text for i in item.ids)) if a)),
        cwe=clean(item.cwe_id, 20),
        products=tuple(
            ProductRef(
                vendor=clean(p.vendor, 200),
                product=clean(p.product_name or p.name, 200),
                version=clean(p.version or p.version_range, 200),
                purl=p.purl,
            )
            for p in item.affected_products
        ),
        cvss_vectors=tuple(score.vector for score in item.scores),
        sectors=_sectors(item.advisory.sectors),
        raw=vulnerabilities[item.index],
    )


def _title(item: VulnerabilityItem, document_title: str) -> str:
    # CISA titles each vulnerability with its CVE id alone: the weakness says more.
    title = str(item.title or "")
    if item.cwe_name and (not title or title == item.cve):
        return f"{item.cwe_name} ({title})" if title else str(item.cwe_name)
    return title or document_title


def _sectors(labels: Sequence[str]) -> tuple[str, ...]:
    found = []
    for label in labels:
        try:
            found.append(sector_named(label).value)
        except KeyError:
            continue
    return tuple(dict.fromkeys(found))
