from __future__ import annotations

from clearinghouse.core.formats.csaf import schema_errors

from ._documents import example_document


def test_a_well_formed_document_has_no_schema_errors() -> None:
    assert schema_errors(example_document()) == ()


def test_cvss_scores_are_checked_against_first_schemas_resolved_offline() -> None:
    # The CSAF schema only names the CVSS schemas by URL; rejecting a bad vector proves they
    # were resolved (from the shipped copies: the registry has no way to fetch).
    document = example_document()
    document["vulnerabilities"][0]["scores"][0]["cvss_v3"]["vectorString"] = "CVSS:3.1/AV:Q"
    (error,) = schema_errors(document)
    assert error.startswith("$.vulnerabilities[0].scores[0].cvss_v3")


def test_cvss_v2_scores_are_checked_too() -> None:
    document = example_document()
    document["vulnerabilities"][0]["scores"][0]["cvss_v2"] = {
        "version": "2.0",
        "vectorString": "AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "baseScore": 11.0,
    }
    (error,) = schema_errors(document)
    assert "cvss_v2" in error and "11.0" in error
