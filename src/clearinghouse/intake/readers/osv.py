"""OSV records (JSON or YAML): one record, one item, checked against the OSV schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clearinghouse.core.formats.osv import Advisory, OSVFormatError, parse_osv_bytes
from clearinghouse.core.scoring.dedup import ProductRef

from ._base import TITLE_CHARS, Item, Source, clean
from ._errors import DocumentError
from ._registry import register


@register
class OsvReader:
    """An OSV record: the advisory's summary, aliases, CWE, CVSS vectors and packages."""

    name = "osv"
    label = "OSV"
    yaml = True
    distinct_items = False

    def recognises(self, tree: Any) -> bool:
        """OSV's two required fields."""
        return isinstance(tree, Mapping) and "id" in tree and "modified" in tree

    def read(self, source: Source) -> list[Item]:
        """Parse the bytes as the OSV reader does (short GIT commit hashes forgiven)."""
        try:
            advisory = parse_osv_bytes(
                source.data, source=f"document.{source.syntax}", allow_short_commits=True
            )
        except OSVFormatError as error:
            # The record is the document's one item.
            raise DocumentError.at((), error.reason, item=0) from None
        return [_item(advisory)]


def _item(advisory: Advisory) -> Item:
    raw = advisory.raw
    vectors = tuple(
        str(entry.get("score", ""))
        for entry in raw.get("severity") or []
        if str(entry.get("type", "")).startswith("CVSS")
    )
    cwes = (raw.get("database_specific") or {}).get("cwe_ids") or []
    products = tuple(
        ProductRef(
            vendor=affected.package.ecosystem,
            product=affected.package.name,
            purl=affected.package.purl or "",
        )
        for affected in advisory.affected
        if affected.package is not None
    )
    return Item(
        index=0,
        title=clean(advisory.summary or advisory.id, TITLE_CHARS),
        description=clean(advisory.details),
        aliases=tuple(dict.fromkeys((advisory.id, *advisory.aliases))),
        cwe=clean(cwes[0] if cwes and isinstance(cwes[0], str) else "", 20),
        products=products,
        cvss_vectors=vectors,
        raw=dict(raw),
    )
