from __future__ import annotations

from clearinghouse.core.scoring.dedup import (
    ProductRef,
    Report,
    affected_bounds,
    bounds_conflict,
    fingerprint,
)


def _report(**overrides: object) -> Report:
    fields: dict[str, object] = {
        "report_id": "r",
        "products": (ProductRef(vendor="Siemens AG", product="SCALANCE X-200", version="V5.2"),),
        "cwe": "CWE-79",
    }
    fields.update(overrides)
    return Report(**fields)  # type: ignore[arg-type]


def test_fingerprint_ignores_case_punctuation_legal_form_and_a_v_prefix() -> None:
    other = _report(
        products=(ProductRef(vendor="SIEMENS", product="Scalance x 200", version="5.2"),)
    )
    assert fingerprint(_report()) == fingerprint(other)


def test_fingerprint_changes_with_the_weakness_or_the_version() -> None:
    base = fingerprint(_report())
    assert fingerprint(_report(cwe="CWE-89")) != base
    assert fingerprint(_report(products=(ProductRef("Siemens", "SCALANCE X-200", "5.3"),))) != base


def test_a_purl_names_the_package_whatever_the_vendor_is_called() -> None:
    one = _report(products=(ProductRef(vendor="PSF", purl="pkg:pypi/requests@2.31.0"),))
    two = _report(products=(ProductRef(vendor="Kenneth Reitz", purl="pkg:pypi/requests@2.31.0"),))
    three = _report(products=(ProductRef(purl="pkg:pypi/requests@2.32.0"),))
    assert fingerprint(one) == fingerprint(two) != fingerprint(three)


def test_a_report_without_products_has_no_fingerprint() -> None:
    assert fingerprint(_report(products=())) == ""


def _bounded(*versions: str) -> Report:
    return _report(products=tuple(ProductRef("Example", "Gateway", v) for v in versions))


def test_affected_bounds_are_the_upper_ends_of_ranges_by_product() -> None:
    bounds = affected_bounds(_bounded("All versions < V4.35", "vers:all/<V4.5", "2.1"))
    assert bounds == {"gateway": frozenset({("<", "4.35"), ("<", "4.5")})}
    assert affected_bounds(_bounded("2.1", "vers:all/*")) == {}


def test_bounds_conflict_only_when_every_shared_product_names_other_bounds_of_one_kind() -> None:
    earlier, later = affected_bounds(_bounded("<= 5.6")), affected_bounds(_bounded("<= 5.7"))
    assert bounds_conflict(earlier, later) == "gateway"
    assert bounds_conflict(earlier, affected_bounds(_bounded("<=5.6", "<= 5.7"))) == ""
    # Last affected against first fixed can be one bug; an exact version bounds nothing.
    assert bounds_conflict(earlier, affected_bounds(_bounded("< 5.7"))) == ""
    assert bounds_conflict(earlier, affected_bounds(_bounded("5.7"))) == ""
