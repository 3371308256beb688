from __future__ import annotations

from clearinghouse.core.scoring.dedup import ProductRef, Report, fingerprint


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
