from __future__ import annotations

from clearinghouse.core.formats.csaf import parse_csaf
from clearinghouse.core.scoring.dedup import (
    ProductRef,
    Report,
    report_from_csaf,
    strip_identifiers,
)
from tests.core.formats.csaf._documents import example_document


def test_a_csaf_item_becomes_a_report_of_its_affected_products_only() -> None:
    (item,) = parse_csaf(example_document()).items
    report = report_from_csaf(item)
    assert report.aliases == {"CVE-2024-0001", "EX-123"}
    assert [(p.vendor, p.product) for p in report.products] == [("Example Corp", "Gateway")] * 2
    assert report.cwe == "CWE-121" and report.source == "<memory>"


def test_stripping_removes_aliases_and_identifiers_quoted_in_the_text() -> None:
    report = Report(
        report_id="r",
        title="CVE-2021-1234",
        description=(
            "Overflow in the parser (ZDI-CAN-13565, vendor case EX-123). "
            "CVE-2021-1234 has been assigned to this vulnerability. See SEVD-2020-315-01."
        ),
        aliases=frozenset({"CVE-2021-1234", "EX-123"}),
    )
    stripped = strip_identifiers(report)
    assert stripped.aliases == frozenset() and stripped.title == ""
    for gone in ("CVE", "ZDI", "EX-123", "SEVD", "assigned"):
        assert gone not in stripped.description
    assert stripped.description.startswith("Overflow in the parser")


def test_stripping_also_removes_identifiers_quoted_in_product_fields() -> None:
    # Siemens writes "13.1.0 (Only affected by CVE-...)" as a product's version.
    product = ProductRef("Siemens", "JT2Go (see ICSA-21-103-05)", "13.1.0 (Only affected by "
                         "CVE-2020-26989 CVE-2020-26990)")  # fmt: skip
    (stripped,) = strip_identifiers(Report(report_id="r", products=(product,))).products
    assert stripped.product.startswith("JT2Go") and "ICSA" not in stripped.product
    assert stripped.version.startswith("13.1.0") and "CVE" not in stripped.version
    assert stripped.vendor == "Siemens"
