"""CVE JSON 5 records: one record, one item, validated against the whole record schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clearinghouse.core.formats.cve5 import Cve5Error, parse_cve5
from clearinghouse.core.scoring.dedup import ProductRef

from ._base import TITLE_CHARS, Item, Source, clean
from ._errors import DocumentError
from ._registry import register

# CISA's Vulnrichment writes SSVC options in its own words; ours are the decision points'.
_SSVC_NAMES = {
    "exploitation": {"none": "None", "poc": "Public PoC", "public poc": "Public PoC"}
    | {"active": "Active"},
    "automatable": {"yes": "Yes", "no": "No"},
    "technical impact": {"partial": "Partial", "total": "Total"},
}


@register
class Cve5Reader:
    """A published CVE record: its CNA's description, products, CWE, CVSS and SSVC hints."""

    name = "cve5"
    label = "CVE JSON 5"
    yaml = False
    distinct_items = True

    def recognises(self, tree: Any) -> bool:
        """The record's `dataType`."""
        return isinstance(tree, Mapping) and tree.get("dataType") == "CVE_RECORD"

    def read(self, source: Source) -> list[Item]:
        """Validate the whole record (not only the CNA container) and read its one item."""
        try:
            record = parse_cve5(source.tree)
        except Cve5Error as error:
            # The record is the document's one item, wherever the problem is.
            raise DocumentError.located(error.located, lambda _: 0) from None
        ssvc = {key.casefold(): value.casefold() for key, value in record.ssvc_options.items()}
        hints = {point: _SSVC_NAMES[point].get(ssvc.get(point, ""), "") for point in _SSVC_NAMES}
        products = tuple(
            ProductRef(
                vendor=clean(entry.vendor, 200),
                product=clean(entry.package_name or entry.product, 200),
                version=clean(version, 200),
            )
            for entry in record.affected
            for version in (entry.versions or ("",))
        )
        return [
            Item(
                index=0,
                title=clean(record.title or record.description.split("\n", 1)[0], TITLE_CHARS),
                description=clean(record.description),
                aliases=(record.cve_id,),
                cwe=clean(record.cwe_ids[0] if record.cwe_ids else "", 20),
                products=products,
                cvss_vectors=record.cvss_vectors,
                exploitation=hints["exploitation"],
                automatable=hints["automatable"],
                technical_impact=hints["technical impact"],
                raw=dict(source.tree),
            )
        ]
