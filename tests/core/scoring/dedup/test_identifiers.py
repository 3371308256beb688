"""Identifiers that make two reports different vulnerabilities."""

from __future__ import annotations

from clearinghouse.core.scoring.dedup import conflicting_identifiers


def test_two_different_cve_ids_conflict() -> None:
    (clash,) = conflicting_identifiers(["CVE-2021-31344"], ["cve-2021-31345", "GHSA-aaaa"])
    assert (clash.namespace, clash.left, clash.right) == (
        "CVE",
        ("CVE-2021-31344",),
        ("CVE-2021-31345",),
    )
    assert str(clash) == "CVE-2021-31344 vs CVE-2021-31345"


def test_one_shared_id_in_a_namespace_is_no_conflict() -> None:
    assert conflicting_identifiers(["CVE-2021-1", "CVE-2021-2"], ["cve-2021-2"]) == []


def test_a_namespace_only_one_names_says_nothing() -> None:
    assert conflicting_identifiers(["CVE-2021-31344"], ["GHSA-aaaa-bbbb-cccc"]) == []
    assert conflicting_identifiers([], ["CVE-2021-31344"]) == []
    assert conflicting_identifiers(["lab finding 7"], ["internal 9"]) == []


def test_each_namespace_is_judged_alone() -> None:
    clashes = conflicting_identifiers(
        ["CVE-2021-1", "GHSA-aaaa", "PYSEC-2023-1"], ["CVE-2021-1", "GHSA-bbbb", "PYSEC-2023-2"]
    )
    assert [clash.namespace for clash in clashes] == ["GHSA", "PYSEC"]
