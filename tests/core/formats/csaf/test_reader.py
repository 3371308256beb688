from __future__ import annotations

import json
from pathlib import Path

import pytest

from clearinghouse.core.formats.csaf import (
    CsafError,
    ProductStatus,
    load_csaf_json,
    parse_csaf,
    read_csaf,
)
from tests.shared_data import shared_data

from ._documents import example_document


def test_each_vulnerability_becomes_one_item_carrying_the_advisory_context() -> None:
    advisory = parse_csaf(example_document())
    (item,) = advisory.items
    assert item.advisory.tracking_id == "EXAMPLE-2024-0001"
    assert item.advisory.publisher == "Example Corp"
    assert item.cve == "CVE-2024-0001"
    assert [(i.system_name, i.text) for i in item.ids] == [("Example Corp PSIRT", "EX-123")]
    assert (item.cwe_id, item.title) == ("CWE-121", "Stack overflow in the login page")
    assert item.description == "A long user name overflows a buffer."
    assert item.scores[0].vector.endswith("A:H") and item.scores[0].base_score == 9.8


def test_products_are_resolved_through_the_branch_path_with_their_status() -> None:
    (item,) = parse_csaf(example_document()).items
    by_id = {entry.product.product_id: entry for entry in item.products}
    old = by_id["GW-OLD"].product
    assert (old.vendor, old.product_name, old.version_range) == (
        "Example Corp",
        "Gateway",
        "vers:generic/<2.4",
    )
    assert old.cpe.startswith("cpe:2.3:h:example:gateway")
    assert by_id["GW-2.4"].product.purl == "pkg:generic/example/gateway@2.4"
    assert by_id["GW-2.4"].status is ProductStatus.FIXED
    assert [p.product_id for p in item.affected_products] == ["GW-OLD", "GW-ON-OS"]


def test_a_relationship_product_takes_the_identity_of_the_component_it_installs() -> None:
    (item,) = parse_csaf(example_document()).items
    on_os = next(p for p in item.affected_products if p.product_id == "GW-ON-OS")
    assert (on_os.name, on_os.vendor, on_os.product_name) == (
        "Gateway < 2.4 on Example OS",
        "Example Corp",
        "Gateway",
    )


def test_remediations_for_a_product_group_name_the_group_members() -> None:
    (item,) = parse_csaf(example_document()).items
    assert item.remediations[0].product_ids == ("GW-OLD", "GW-ON-OS")


def test_the_sectors_note_is_kept_as_text_and_mapped_to_canonical_sectors() -> None:
    context = parse_csaf(example_document()).context
    assert context.sectors_note == "Energy, Food and Agriculture, and Water and Wastewater Systems"
    assert context.sectors == ("Energy", "Food and Agriculture", "Water and Wastewater Systems")


def test_a_schema_invalid_document_is_refused_with_the_reason() -> None:
    document = example_document()
    del document["document"]["publisher"]
    with pytest.raises(CsafError, match="publisher"):
        parse_csaf(document, source="bad.json")


def test_a_schema_valid_but_nonconforming_document_is_refused() -> None:
    document = example_document()
    document["vulnerabilities"][0]["product_status"]["known_affected"].append("NOWHERE")
    with pytest.raises(CsafError, match=r"6\.1\.1.*NOWHERE"):
        parse_csaf(document)


def test_validation_can_be_skipped_for_a_feed_already_checked() -> None:
    document = example_document()
    document["vulnerabilities"][0]["product_status"]["known_affected"].append("NOWHERE")
    (item,) = parse_csaf(document, validate=False).items
    assert item.affected_products[-1].name == "NOWHERE"


def test_bad_json_is_reported_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "broken-advisory.json"
    path.write_text('{"document": ', encoding="utf-8")
    with pytest.raises(CsafError, match=r"broken-advisory\.json: not valid JSON"):
        read_csaf(path)


def test_an_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(example_document()), encoding="utf-8")
    with pytest.raises(CsafError, match="byte limit"):
        load_csaf_json(path, max_bytes=100)


def test_real_vendor_advisories_pass_schema_and_mandatory_tests() -> None:
    paths = sorted(shared_data("csaf/examples/csaf").glob("**/*.json"))
    assert paths
    items = [item for path in paths for item in read_csaf(path).items]
    assert items and all(item.products for item in items)


def test_a_year_of_cisa_advisories_validates_and_every_item_is_a_cve() -> None:
    paths = sorted(shared_data("csaf/cisa/2017").glob("*.json"))
    items = [item for path in paths for item in read_csaf(path).items]
    assert len(paths) == 187
    assert items and all(item.cve.startswith("CVE-") for item in items)
    assert all(item.affected_products for item in items)
