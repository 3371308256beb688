"""CISA's Known Exploited Vulnerabilities catalog, checked against its schema and keyed by CVE."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

from ._errors import ScoringError
from ._inputs import aware_datetime, read_capped

_SCHEMA = (
    Path(__file__).resolve().parent / "kev_schema" / "known_exploited_vulnerabilities_schema.json"
)
# The catalog is ~1.3 MB for ~1,400 entries and grows by a few hundred entries a year.
DEFAULT_MAX_KEV_BYTES = 64 << 20


@dataclass(frozen=True)
class KevEntry:
    """One catalog entry: CISA has evidence this CVE is exploited in the wild."""

    cve_id: str
    vendor: str
    product: str
    vulnerability_name: str
    date_added: dt.date
    due_date: dt.date
    known_ransomware_campaign_use: bool
    required_action: str
    short_description: str
    notes: str
    cwes: tuple[str, ...]


@dataclass(frozen=True)
class KevCatalog:
    """A catalog release and its entries keyed by CVE ID."""

    catalog_version: str
    date_released: dt.datetime
    entries: Mapping[str, KevEntry]


def load_kev_catalog(
    source: Path | BinaryIO, *, max_bytes: int = DEFAULT_MAX_KEV_BYTES
) -> KevCatalog:
    """Read a KEV catalog JSON file (optionally gzipped), validate it and index it by CVE.

    Raises ScoringError naming the first problem: size over max_bytes, bad JSON, a schema
    violation (with its location), a count that disagrees with the list, or a repeated CVE.
    """
    what = str(source) if isinstance(source, Path) else "KEV catalog"
    try:
        document = json.loads(read_capped(source, max_bytes, what))
    except ValueError as exc:
        raise ScoringError(f"{what}: not JSON: {exc}") from exc
    error = best_match(_validator().iter_errors(document))
    if error is not None:
        location = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        raise ScoringError(f"{what}: schema violation at {location}: {error.message}")
    entries: dict[str, KevEntry] = {}
    for item in document["vulnerabilities"]:
        entry = _entry(item)
        if entry.cve_id in entries:
            raise ScoringError(f"{what}: {entry.cve_id} is listed twice")
        entries[entry.cve_id] = entry
    if document["count"] != len(entries):
        raise ScoringError(f"{what}: count is {document['count']} but {len(entries)} are listed")
    return KevCatalog(
        catalog_version=document["catalogVersion"],
        date_released=aware_datetime(what, "dateReleased", document["dateReleased"]),
        entries=MappingProxyType(entries),
    )


@cache
def _validator() -> Draft7Validator:
    schema = json.loads(_SCHEMA.read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def _entry(item: dict[str, Any]) -> KevEntry:
    # The schema has already checked the required fields, their types and the date formats.
    return KevEntry(
        cve_id=item["cveID"],
        vendor=item["vendorProject"],
        product=item["product"],
        vulnerability_name=item["vulnerabilityName"],
        date_added=dt.date.fromisoformat(item["dateAdded"]),
        due_date=dt.date.fromisoformat(item["dueDate"]),
        known_ransomware_campaign_use=item.get("knownRansomwareCampaignUse") == "Known",
        required_action=item["requiredAction"],
        short_description=item["shortDescription"],
        notes=item.get("notes", ""),
        cwes=tuple(item.get("cwes", ())),
    )
