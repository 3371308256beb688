"""Automatic duplicate links never join two ids of one namespace or two items of one document.

Each case is a pair dedup scores as near-certain (the same text, products and weakness), so
without the veto it would be linked; the candidate is still stored, with its conflict shown.
"""

from __future__ import annotations

from typing import Any

from clearinghouse.intake import services
from clearinghouse.intake.inputs import Triage, TriageAction
from clearinghouse.intake.models import DuplicateCandidate, Report

from .conftest import native

URL = "/api/intake"

FINDING = {
    "title": "Heap overflow in the Acme PLC web server login handler",
    "description": "A crafted login request overflows a heap buffer in the Acme PLC web "
    "server, letting an unauthenticated attacker run code on the controller.",
    "products": [{"vendor": "Acme", "product": "PLC 9000"}],
    "cwe": "CWE-122",
}


def _one(user: Any, **fields: Any) -> Report:
    outcome = services.submit(user, native(FINDING | fields), background=False)
    return outcome.submission.reports.get()


def test_a_report_naming_another_cve_is_not_linked_to_a_stored_one(cast, api_as) -> None:
    stored = _one(cast["vendor"], aliases=["CVE-2022-23218"])
    same = _one(cast["lab1"], aliases=["CVE-2022-23218"])
    other = _one(cast["lab2"], aliases=["CVE-2022-23219"])
    assert same.duplicate_of_id == stored.pk  # the text alone is near-certain
    assert other.duplicate_of_id is None
    candidate = DuplicateCandidate.objects.get(report=other, candidate=stored)
    assert candidate.score >= 0.9
    detail = api_as(cast["coordinator"]).get(f"{URL}/reports/{other.pk}").json()
    shown = {c["report_id"]: c["conflict"] for c in detail["candidates"]}
    assert shown[stored.pk] == "CVE-2022-23219 vs CVE-2022-23218"


def test_the_conflict_is_checked_against_the_whole_group(cast) -> None:
    # the primary names no CVE; a member of its group does: joining would merge two CVEs
    primary = _one(cast["vendor"])
    member = _one(cast["lab1"], aliases=["CVE-2022-23218"])
    assert member.duplicate_of_id == primary.pk
    other = _one(cast["lab2"], aliases=["CVE-2022-23219"])
    assert other.duplicate_of_id is None


def test_within_a_batch_reports_naming_different_cves_stay_apart(cast) -> None:
    results = services.submit_many(
        cast["lab1"],
        [
            services.Upload(
                native(FINDING | {"aliases": [cve], "exploitation": state}), f"{n}.json"
            )
            for n, (cve, state) in enumerate(
                [("CVE-2022-23218", None), ("CVE-2022-23219", None), ("CVE-2022-23218", "Active")]
            )
        ],
    )
    first, second, third = (
        result.outcome.submission.reports.get() for result in results if result.outcome
    )
    assert (first.duplicate_of_id, second.duplicate_of_id) == (None, None)
    assert third.duplicate_of_id == first.pk


def test_the_report_page_shows_the_conflict_on_the_candidate(cast, pages_as) -> None:
    stored = _one(cast["vendor"], aliases=["GHSA-aaaa-bbbb-cccc"])
    other = _one(cast["lab1"], aliases=["GHSA-dddd-eeee-ffff"])
    assert other.duplicate_of_id is None
    page = pages_as(cast["coordinator"]).get(f"/intake/reports/{other.pk}/").content.decode()
    assert 'data-testid="candidate-conflict"' in page
    assert "GHSA-DDDD-EEEE-FFFF vs GHSA-AAAA-BBBB-CCCC" in page
    assert f"#{stored.pk}" in page


def test_items_of_one_document_never_join_one_group_through_a_chain(cast) -> None:
    # u is stored; w (another document) names u's GHSA id and a PYSEC id, so w -> u.
    u = _one(cast["vendor"], aliases=["GHSA-aaaa-bbbb-cccc"])
    w = _one(cast["lab1"], aliases=["GHSA-aaaa-bbbb-cccc", "PYSEC-2022-1"])
    assert w.duplicate_of_id == u.pk
    # One document: p names u's id, q names w's other id; both would join u's group.
    outcome = services.submit(
        cast["lab2"],
        native(
            FINDING | {"aliases": ["GHSA-aaaa-bbbb-cccc"]},
            {**FINDING, "title": "Another title for it", "aliases": ["PYSEC-2022-1"]},
        ),
        background=False,
    )
    p, q = outcome.submission.reports.order_by("index")
    assert p.duplicate_of_id == u.pk
    assert q.duplicate_of_id is None
    assert DuplicateCandidate.objects.filter(report=q, candidate=w).exists()


def test_the_conflict_is_checked_through_a_chain_deeper_than_one_link(cast) -> None:
    # member -> primary -> root: a primary later marked a duplicate keeps its own duplicates
    primary = _one(cast["vendor"])
    member = _one(cast["lab1"], aliases=["CVE-2022-23218"])
    root = _one(cast["lab2"])
    assert member.duplicate_of_id == root.duplicate_of_id == primary.pk
    coordinator = cast["coordinator"]
    services.triage(coordinator, root, Triage(action=TriageAction.ACCEPT))
    services.triage(
        coordinator, primary, Triage(action=TriageAction.DUPLICATE, duplicate_of=root.pk)
    )
    assert Report.objects.get(pk=member.pk).duplicate_of_id == primary.pk
    other = _one(cast["operator"], aliases=["CVE-2022-23219"])
    assert other.duplicate_of_id is None
