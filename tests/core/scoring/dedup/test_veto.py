"""The veto on automatic links: conflicting identifiers, one document, the report itself."""

from __future__ import annotations

from clearinghouse.core.scoring.dedup import Linkable, link_veto


def _report(report_id: str, *aliases: str, document: str = "") -> Linkable:
    return Linkable(report_id, frozenset(aliases), document)


def test_a_different_cve_id_anywhere_in_the_group_vetoes_the_link() -> None:
    group = [_report("1"), _report("2", "CVE-2022-23218")]
    why = link_veto(_report("3", "CVE-2022-23219"), group)
    assert why == "report 2 names different identifiers (CVE-2022-23219 vs CVE-2022-23218)"


def test_a_shared_id_or_an_id_of_another_namespace_does_not_veto() -> None:
    group = [_report("1", "CVE-2022-1", "GHSA-aaaa-bbbb-cccc"), _report("2")]
    assert link_veto(_report("3", "cve-2022-1", "CVE-2022-2"), group) == ""
    assert link_veto(_report("3", "GHSA-aaaa-bbbb-cccc"), group) == ""
    assert link_veto(_report("3"), group) == ""


def test_different_vendor_advisory_ids_veto() -> None:
    why = link_veto(_report("2", "ICSA-22-001-01"), [_report("1", "ICSA-21-300-02")])
    assert "ICSA-22-001-01 vs ICSA-21-300-02" in why


def test_an_item_of_the_same_document_vetoes_even_through_another_member() -> None:
    group = [_report("1", document="submission:7"), _report("2", document="submission:8")]
    assert link_veto(_report("3", document="submission:8"), group) == (
        "report 2 is an item of the same document"
    )
    assert link_veto(_report("3", document="submission:9"), group) == ""
    # reports of unknown origin are not all one document
    assert link_veto(_report("3"), [_report("1"), _report("2")]) == ""


def test_the_report_itself_is_vetoed() -> None:
    assert link_veto(_report("1"), [_report("1")]) == "report 1 is the report itself"
