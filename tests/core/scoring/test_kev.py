"""The real KEV catalog loads whole, and malformed or oversized catalogs are refused clearly."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pytest

import clearinghouse.core.scoring
from clearinghouse.core.scoring import KevCatalog, ScoringError, load_kev_catalog
from tests.shared_data import shared_data

SCHEMA_DIR = Path(clearinghouse.core.scoring.__file__).parent / "kev_schema"


@pytest.fixture(scope="module")
def kev_path() -> Path:
    return shared_data("kev/known_exploited_vulnerabilities.json")


@pytest.fixture(scope="module")
def catalog(kev_path) -> KevCatalog:
    return load_kev_catalog(kev_path)


@pytest.fixture(scope="module")
def kev_document(kev_path) -> dict:
    return json.loads(kev_path.read_text(encoding="utf-8"))


def test_every_entry_of_the_real_catalog_loads(catalog, kev_document):
    assert len(catalog.entries) == kev_document["count"] == len(kev_document["vulnerabilities"])
    assert catalog.catalog_version == kev_document["catalogVersion"]
    assert catalog.date_released.tzinfo is not None
    for raw in kev_document["vulnerabilities"]:
        entry = catalog.entries[raw["cveID"]]
        assert (entry.vendor, entry.product) == (raw["vendorProject"], raw["product"])
        assert entry.date_added.isoformat() == raw["dateAdded"]
        assert entry.due_date.isoformat() == raw["dueDate"]
        assert entry.required_action == raw["requiredAction"]
        assert entry.known_ransomware_campaign_use == (raw["knownRansomwareCampaignUse"] == "Known")


def test_ransomware_flag_is_true_only_for_known(catalog, kev_document):
    known = {
        v["cveID"]
        for v in kev_document["vulnerabilities"]
        if v["knownRansomwareCampaignUse"] == "Known"
    }
    flagged = {cve for cve, entry in catalog.entries.items() if entry.known_ransomware_campaign_use}
    assert flagged == known
    assert 0 < len(known) < len(catalog.entries)


def test_shipped_schema_and_licence_are_cisas_own(kev_path):
    for shipped, published in [
        (
            "known_exploited_vulnerabilities_schema.json",
            "known_exploited_vulnerabilities_schema.json",
        ),
        ("LICENSE.txt", "LICENSE"),
    ]:
        original = kev_path.parent / published
        assert (SCHEMA_DIR / shipped).read_bytes() == original.read_bytes()


def test_a_gzipped_stream_loads_like_the_file(kev_path, catalog):
    stream = io.BytesIO(gzip.compress(kev_path.read_bytes()))
    assert load_kev_catalog(stream) == catalog


def _minimal(**changes) -> dict:
    entry = {
        "cveID": "CVE-2024-0001",
        "vendorProject": "Example",
        "product": "Widget",
        "vulnerabilityName": "Example Widget Buffer Overflow",
        "dateAdded": "2024-03-01",
        "shortDescription": "A buffer overflow.",
        "requiredAction": "Apply updates per vendor instructions.",
        "dueDate": "2024-03-22",
        "knownRansomwareCampaignUse": "Known",
    }
    entry.update(changes)
    return {
        "title": "test",
        "catalogVersion": "2024.03.01",
        "dateReleased": "2024-03-01T12:00:00.000Z",
        "count": 1,
        "vulnerabilities": [entry],
    }


def _load(document: dict):
    return load_kev_catalog(io.BytesIO(json.dumps(document).encode()))


def test_a_minimal_entry_without_optional_fields_loads():
    entry = _load(_minimal()).entries["CVE-2024-0001"]
    assert entry.date_added == dt.date(2024, 3, 1)
    assert entry.known_ransomware_campaign_use
    assert (entry.notes, entry.cwes) == ("", ())


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_minimal(cveID="CVE-24-1"), r"schema violation at vulnerabilities/0/cveID"),
        (_minimal(dueDate="next week"), r"schema violation at vulnerabilities/0/dueDate"),
        (_minimal(product=None), r"schema violation at vulnerabilities/0/product"),
        ({**_minimal(), "count": 2}, r"count is 2 but 1 are listed"),
        (
            {**_minimal(), "dateReleased": "2024-03-01T12:00:00"},
            r"dateReleased.*(date-time|time zone)",
        ),
    ],
)
def test_malformed_catalogs_are_refused_with_the_place(document, message):
    with pytest.raises(ScoringError, match=message):
        _load(document)


def test_missing_required_field_is_refused():
    document = _minimal()
    del document["vulnerabilities"][0]["requiredAction"]
    with pytest.raises(ScoringError, match="'requiredAction' is a required property"):
        _load(document)


def test_a_cve_listed_twice_is_refused():
    document = _minimal()
    document["vulnerabilities"] *= 2
    document["count"] = 2
    with pytest.raises(ScoringError, match="CVE-2024-0001 is listed twice"):
        _load(document)


def test_not_json_and_oversized_input_are_refused(kev_path):
    with pytest.raises(ScoringError, match="not JSON"):
        load_kev_catalog(io.BytesIO(b"<html>"))
    with pytest.raises(ScoringError, match="larger than the 100000-byte limit"):
        load_kev_catalog(kev_path, max_bytes=100_000)


def test_the_size_limit_applies_after_decompression(kev_path):
    stream = io.BytesIO(gzip.compress(kev_path.read_bytes()))
    assert len(stream.getvalue()) < 400_000
    with pytest.raises(ScoringError, match="larger than the 400000-byte limit"):
        load_kev_catalog(stream, max_bytes=400_000)
