"""CVSS vectors score as FIRST's specifications and calculators say, and bad vectors are refused."""

from __future__ import annotations

import pytest

from clearinghouse.core.scoring import ScoringError, parse_cvss

# Scores published by FIRST's calculators and seen on NVD for these well-known vectors.
KNOWN_SCORES = [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", 9.8, "Critical"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "3.1", 10.0, "Critical"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "3.1", 6.1, "Medium"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "3.1", 7.5, "High"),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.0", 9.8, "Critical"),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", 9.3, "Critical"),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", "4.0", 10.0, "Critical"),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", "4.0", 0.0, "None"),
    ("AV:N/AC:L/Au:N/C:C/I:C/A:C", "2.0", 10.0, "High"),
    ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "2.0", 7.5, "High"),
]


@pytest.mark.parametrize(("vector", "version", "score", "severity"), KNOWN_SCORES)
def test_known_vectors_get_their_published_score_and_severity(vector, version, score, severity):
    parsed = parse_cvss(vector)
    assert (parsed.version, parsed.score, parsed.severity) == (version, score, severity)


def test_version_is_read_from_the_prefix_not_the_libraries_json_which_says_4():
    assert parse_cvss(
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    ).version == ("4.0")


def test_v4_base_only_vector_is_labelled_cvss_b():
    parsed = parse_cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
    assert parsed.nomenclature == "CVSS-B"
    assert not parsed.includes_threat_metrics
    assert parsed.label == "CVSS 4.0 9.3 Critical (CVSS-B)"


def test_v4_exploit_maturity_makes_it_cvss_bt_and_unreported_lowers_the_score():
    base = parse_cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
    attacked = parse_cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A")
    unreported = parse_cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U")
    assert attacked.nomenclature == unreported.nomenclature == "CVSS-BT"
    assert attacked.includes_threat_metrics
    # The specification scores an absent E as Attacked (the worst case).
    assert attacked.score == base.score
    assert unreported.score < base.score


def test_v4_nomenclature_names_environmental_and_both_groups():
    base = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    assert parse_cvss(f"{base}/CR:H").nomenclature == "CVSS-BE"
    assert parse_cvss(f"{base}/E:P/MAV:L").nomenclature == "CVSS-BTE"
    assert parse_cvss(f"{base}/E:X").nomenclature == "CVSS-B"
    # Supplemental metrics do not change the score, so they do not change the name.
    assert parse_cvss(f"{base}/S:P/AU:Y").nomenclature == "CVSS-B"


def test_v3_score_is_the_base_score_even_with_temporal_metrics():
    parsed = parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O")
    assert parsed.score == 9.8
    assert parsed.nomenclature is None
    assert parsed.vector.endswith("/E:U/RL:O")


def test_vector_is_normalised_to_specification_order_and_stripped():
    parsed = parse_cvss("  CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N  ")
    assert parsed.vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


@pytest.mark.parametrize(
    ("vector", "reason"),
    [
        ("", "expected a 'CVSS:4.0/'"),
        ("CVSS:5.0/AV:N", "expected a 'CVSS:4.0/'"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "Missing mandatory"),
        ("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV:Q"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", "Missing mandatory"),
        ("CVSS:4.0/AV:N/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "Duplicate"),
    ],
)
def test_invalid_vectors_raise_a_value_error_with_the_reason(vector, reason):
    with pytest.raises(ScoringError, match="invalid CVSS vector") as caught:
        parse_cvss(vector)
    assert isinstance(caught.value, ValueError)
    assert reason in str(caught.value)
