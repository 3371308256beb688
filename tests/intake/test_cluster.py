"""The duplicate-cluster: one group read whole (chains too), split and merge under the rules.

Each group here is built the way intake and triage build them: near-certain reports linked
automatically at intake, a primary later confirmed a duplicate of another report.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from clearinghouse.audit.models import AuditEvent
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.intake import services
from clearinghouse.intake.inputs import MergeCluster, SplitCluster, Triage, TriageAction
from clearinghouse.intake.models import Report, ReportKey, TermFrequency

from .conftest import FINDING, native

URL = "/api/intake"

OTHER = {
    "title": "Path traversal in the Zenith historian export endpoint",
    "description": "The export endpoint of the Zenith historian joins a user-given file name "
    "to its data folder, so an authenticated user can read any file on the server.",
    "products": [{"vendor": "Zenith", "product": "Historian"}],
    "cwe": "CWE-22",
}


def _one(user: Any, finding: dict[str, Any] = FINDING, **fields: Any) -> Report:
    outcome = services.submit(user, native(finding | fields), background=False)
    return outcome.submission.reports.get()


def _fresh(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


@pytest.fixture
def chain(cast: Any) -> dict[str, Report]:
    """member -> primary -> root: a primary later confirmed a duplicate keeps its duplicates."""
    primary = _one(cast["vendor"])
    member = _one(cast["lab1"], aliases=["CVE-2022-23218"])
    root = _one(cast["lab2"])
    assert member.duplicate_of_id == root.duplicate_of_id == primary.pk  # automatic links
    coordinator = cast["coordinator"]
    services.triage(coordinator, root, Triage(action=TriageAction.ACCEPT))
    services.triage(
        coordinator, primary, Triage(action=TriageAction.DUPLICATE, duplicate_of=root.pk)
    )
    return {"root": _fresh(root), "primary": _fresh(primary), "member": _fresh(member)}


def _tree(user: Any, report: Report) -> dict[int, int | None]:
    found = services.cluster(user, report.pk)
    return {member.pk: member.duplicate_of_id for member in found.tree}


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# -- reading a group ---------------------------------------------------------------------------


def test_a_chain_deeper_than_one_link_is_shown_whole_from_any_member(cast, chain) -> None:
    root, primary, member = chain["root"], chain["primary"], chain["member"]
    expected = {root.pk: None, primary.pk: root.pk, member.pk: primary.pk}
    for asked in (root, primary, member):
        found = services.cluster(cast["coordinator"], asked.pk)
        assert (found.asked, found.primary) == (asked.pk, root.pk)
        assert {m.pk: m.duplicate_of_id for m in found.tree} == expected
        assert found.tree[0].pk == root.pk
    assert found.depths() == {root.pk: 0, primary.pk: 1, member.pk: 2}
    assert found.carried(primary.pk) == (member.pk,)


def test_each_link_shows_its_evidence_and_who_confirmed_it(cast, chain) -> None:
    coordinator = cast["coordinator"]
    found = services.cluster(coordinator, chain["member"].pk)
    shown = {m.report.pk: m for m in services.members(coordinator, found, found.tree)}
    assert shown[chain["root"].pk].evidence is None
    confirmed = shown[chain["primary"].pk].evidence
    assert confirmed is not None and confirmed.kind == "confirmed"
    assert confirmed.by == coordinator.get_username()
    assert confirmed.at is not None
    automatic = shown[chain["member"].pk].evidence
    assert automatic is not None
    assert (automatic.kind, automatic.by, automatic.to) == ("automatic", "", chain["primary"].pk)
    assert automatic.score is not None and automatic.score >= 0.9
    assert automatic.reasons and automatic.conflict == ""
    assert shown[chain["primary"].pk].carries == (chain["member"].pk,)


def test_a_conflict_in_the_group_is_named_on_both_members(cast, chain) -> None:
    other = _one(cast["operator"], aliases=["CVE-2022-23219"])
    assert other.duplicate_of_id is None  # the veto, through the chain
    coordinator = cast["coordinator"]
    command = MergeCluster(report=other.pk, despite_conflict=True)
    services.merge(coordinator, chain["root"].pk, command)
    found = services.cluster(coordinator, other.pk)
    shown = {m.report.pk: m for m in services.members(coordinator, found, found.tree)}
    clash = (
        f"report #{other.pk} and report #{chain['member'].pk} (CVE-2022-23219 vs CVE-2022-23218)"
    )
    assert shown[other.pk].clashes == (clash,)
    assert shown[chain["member"].pk].clashes == (
        f"report #{chain['member'].pk} and report #{other.pk} (CVE-2022-23218 vs CVE-2022-23219)",
    )


# -- split -------------------------------------------------------------------------------------


def test_splitting_a_member_takes_what_is_linked_through_it(cast, chain) -> None:
    root, primary, member = chain["root"], chain["primary"], chain["member"]
    coordinator = cast["coordinator"]
    before = _events("report.unmerged")
    services.split(coordinator, root.pk, SplitCluster(member=primary.pk))
    split = _fresh(primary)
    assert (split.status, split.duplicate_of_id) == ("received", None)  # duplicate -> received
    assert _tree(coordinator, root) == {root.pk: None}
    assert _tree(coordinator, member) == {primary.pk: None, member.pk: primary.pk}
    assert _events("report.unmerged") == before + 1


def test_splitting_an_automatic_link_keeps_the_state_and_the_candidate(cast, chain) -> None:
    primary, member = chain["primary"], chain["member"]
    keys = ReportKey.objects.count(), list(TermFrequency.objects.values_list("term", "reports"))
    services.split(cast["coordinator"], primary.pk, SplitCluster(member=member.pk))
    split = _fresh(member)
    assert (split.status, split.duplicate_of_id) == ("received", None)
    assert split.candidates.filter(candidate=primary).exists()  # dedup's evidence stays
    assert _events("report.split") == 1
    # dedup's index is per report: a split changes no posting and no count
    after = ReportKey.objects.count(), list(TermFrequency.objects.values_list("term", "reports"))
    assert after == keys


def test_the_primary_and_outsiders_cannot_be_split_off(cast, chain) -> None:
    coordinator, root = cast["coordinator"], chain["root"]
    with pytest.raises(Conflict, match="is the group's primary"):
        services.split(coordinator, chain["member"].pk, SplitCluster(member=root.pk))
    outsider = _one(cast["lab1"], OTHER)
    with pytest.raises(Conflict, match=f"not in the group of report #{root.pk}"):
        services.split(coordinator, root.pk, SplitCluster(member=outsider.pk))
    with pytest.raises(InvalidInput, match="no report #999999"):
        services.split(coordinator, root.pk, SplitCluster(member=999999))
    with pytest.raises(PermissionDenied):
        services.split(cast["lab1"], root.pk, SplitCluster(member=chain["member"].pk))


# -- merge -------------------------------------------------------------------------------------


def test_a_split_member_merges_back_with_all_linked_through_it(cast, chain) -> None:
    root, primary, member = chain["root"], chain["primary"], chain["member"]
    coordinator = cast["coordinator"]
    services.split(coordinator, root.pk, SplitCluster(member=primary.pk))
    merged = services.merge(coordinator, root.pk, MergeCluster(report=member.pk))
    assert merged.pk == root.pk
    assert _tree(coordinator, root) == {root.pk: None, primary.pk: root.pk, member.pk: primary.pk}
    assert _fresh(primary).status == "duplicate"


def test_one_report_alone_leaves_its_group_to_join_another(cast, chain) -> None:
    root, primary, member = chain["root"], chain["primary"], chain["member"]
    coordinator = cast["coordinator"]
    other = _one(cast["operator"], OTHER)
    services.merge(coordinator, other.pk, MergeCluster(report=member.pk, whole_group=False))
    assert _tree(coordinator, other) == {other.pk: None, member.pk: other.pk}
    assert _tree(coordinator, root) == {root.pk: None, primary.pk: root.pk}
    assert _fresh(member).status == "duplicate"


def test_merging_into_itself_or_its_own_group_is_refused(cast, chain) -> None:
    coordinator, root = cast["coordinator"], chain["root"]
    with pytest.raises(Conflict, match="cannot merge into itself"):
        services.merge(coordinator, chain["member"].pk, MergeCluster(report=root.pk))
    for whole_group in (True, False):
        command = MergeCluster(report=chain["member"].pk, whole_group=whole_group)
        with pytest.raises(Conflict, match=f"#{chain['member'].pk} is in this group already"):
            services.merge(coordinator, root.pk, command)


def test_two_items_of_one_document_never_share_a_group_even_insisting(cast, chain) -> None:
    coordinator = cast["coordinator"]
    outcome = services.submit(cast["lab2"], native(OTHER, OTHER | {"title": "Second item"}))
    first, second = outcome.submission.reports.order_by("index")
    services.merge(coordinator, chain["root"].pk, MergeCluster(report=first.pk))
    for despite in (False, True):
        command = MergeCluster(report=second.pk, despite_conflict=despite)
        with pytest.raises(Conflict, match=f"report #{second.pk} and report #{first.pk} are items"):
            services.merge(coordinator, chain["member"].pk, command)
    assert _fresh(second).duplicate_of_id is None


def test_a_chain_member_of_one_document_vetoes_the_merge(cast, chain) -> None:
    # the member two links down came in the same document as the joining report's sibling
    coordinator = cast["coordinator"]
    same = Report.objects.filter(submission=chain["member"].submission_id)
    assert same.count() == 1
    other = _one(cast["operator"], OTHER)
    Report.objects.filter(pk=other.pk).update(submission=chain["member"].submission_id, index=1)
    with pytest.raises(Conflict, match="are items of one document"):
        services.merge(coordinator, chain["root"].pk, MergeCluster(report=other.pk))


def test_conflicting_identifiers_are_named_and_merge_only_when_insisted(cast, chain) -> None:
    coordinator = cast["coordinator"]
    other = _one(cast["operator"], OTHER, aliases=["CVE-2022-23219"])
    with pytest.raises(services.ConflictingIdentifiers) as refused:
        services.merge(coordinator, chain["root"].pk, MergeCluster(report=other.pk))
    assert "CVE-2022-23219 vs CVE-2022-23218" in str(refused.value)
    assert f"report #{chain['member'].pk}" in str(refused.value)
    assert _fresh(other).duplicate_of_id is None
    command = MergeCluster(report=other.pk, despite_conflict=True)
    services.merge(coordinator, chain["root"].pk, command)
    assert _fresh(other).duplicate_of_id == chain["root"].pk


def test_a_declined_report_cannot_be_merged_the_table_says_why(cast, chain) -> None:
    coordinator = cast["coordinator"]
    other = _one(cast["operator"], OTHER)
    services.triage(coordinator, other, Triage(action=TriageAction.DECLINE, reason="spam"))
    with pytest.raises(Conflict, match="a declined report cannot become duplicate"):
        services.merge(coordinator, chain["root"].pk, MergeCluster(report=other.pk))


# -- through the API: who sees what, who acts --------------------------------------------------


def test_the_api_shows_the_group_and_pages_its_members(cast, api_as, chain) -> None:
    desk = api_as(cast["coordinator"])
    body = desk.get(f"{URL}/reports/{chain['member'].pk}/cluster").json()
    assert (body["primary_id"], body["count"]) == (chain["root"].pk, 3)
    assert [m["id"] for m in body["items"]] == [
        chain["root"].pk,
        chain["primary"].pk,
        chain["member"].pk,
    ]
    member = body["items"][2]
    assert member["cve_ids"] == ["CVE-2022-23218"] and member["cwe"] == "CWE-122"
    assert member["products"][0]["version"] == "<= 4.2"
    assert member["organisation"] == cast["lab1"].organisation.name
    assert member["link"]["kind"] == "automatic" and member["link"]["score"] >= 0.9
    page = desk.get(f"{URL}/reports/{chain['member'].pk}/cluster?limit=1&offset=2").json()
    assert [m["id"] for m in page["items"]] == [chain["member"].pk] and page["count"] == 3
    assert desk.get(f"{URL}/reports/{chain['root'].pk}/cluster?limit=0").status_code == 422


def test_another_organisations_reporter_gets_404(cast, api_as, chain) -> None:
    lab2 = api_as(cast["operator"])
    pk = chain["member"].pk
    assert lab2.get(f"{URL}/reports/{pk}/cluster").status_code == 404
    split = {"member": pk}
    assert (
        lab2.post(f"{URL}/reports/{pk}/cluster/split", split, "application/json").status_code == 404
    )


def test_a_reporter_sees_its_own_report_alone_without_others_links(cast, api_as, chain) -> None:
    lab = api_as(cast["lab1"])
    pk = chain["member"].pk
    body = lab.get(f"{URL}/reports/{pk}/cluster").json()
    # the report it duplicates is the vendor's: not shown, nor that the bug is known
    assert (body["primary_id"], body["count"]) == (pk, 1)
    (only,) = body["items"]
    assert only["link"] is None and only["clashes"] == [] and only["carries"] == []
    response = lab.post(f"{URL}/reports/{pk}/cluster/split", {"member": pk}, "application/json")
    assert response.status_code == 403
    merge = {"report": chain["root"].pk}
    response = lab.post(f"{URL}/reports/{pk}/cluster/merge", merge, "application/json")
    assert response.status_code == 403
    assert _fresh(chain["member"]).duplicate_of_id == chain["primary"].pk


def test_a_reporter_sees_its_own_organisations_links_without_dedup_scores(cast, api_as) -> None:
    first = _one(cast["lab1"])
    second = _one(cast["lab1"], aliases=["GHSA-aaaa-bbbb-cccc"])
    assert second.duplicate_of_id == first.pk
    body = api_as(cast["lab1"]).get(f"{URL}/reports/{second.pk}/cluster").json()
    assert [m["id"] for m in body["items"]] == [first.pk, second.pk]
    link = body["items"][1]["link"]
    assert (link["to"], link["kind"], link["score"], link["reasons"]) == (
        first.pk,
        "automatic",
        None,
        [],
    )


def test_the_api_splits_and_merges_with_409_for_refusals(cast, api_as, chain) -> None:
    desk = api_as(cast["coordinator"])
    root, primary = chain["root"].pk, chain["primary"].pk
    split = desk.post(
        f"{URL}/reports/{root}/cluster/split", {"member": primary}, "application/json"
    )
    assert split.status_code == 200, split.content
    assert [m["id"] for m in split.json()["items"]] == [root]
    again = desk.post(f"{URL}/reports/{root}/cluster/split", {"member": root}, "application/json")
    assert again.status_code == 409 and "primary" in again.json()["detail"]
    merge = desk.post(
        f"{URL}/reports/{root}/cluster/merge", {"report": primary}, "application/json"
    )
    assert merge.status_code == 200, merge.content
    assert merge.json()["count"] == 3
    itself = desk.post(f"{URL}/reports/{root}/cluster/merge", {"report": root}, "application/json")
    assert itself.status_code == 409 and "into itself" in itself.json()["detail"]
    bad = desk.post(f"{URL}/reports/{root}/cluster/merge", {"report": 0}, "application/json")
    assert bad.status_code == 422


# -- the page ----------------------------------------------------------------------------------


def test_the_page_shows_members_side_by_side_and_splits_and_merges(cast, pages_as, chain) -> None:
    root, primary, member = chain["root"], chain["primary"], chain["member"]
    client = pages_as(cast["coordinator"])
    url = f"/intake/reports/{member.pk}/cluster/"
    page = client.get(url).content.decode()
    assert all(f'data-testid="member-{r.pk}"' in page for r in (root, primary, member))
    assert "linked automatically at intake" in page and "CVE-2022-23218" in page
    assert f"confirmed by {cast['coordinator'].get_username()}" in page
    assert f"Split off #{primary.pk}, #{member.pk}" in page  # the member goes along
    assert 'data-testid="merge-form"' in page
    assert (
        f'href="/intake/reports/{member.pk}/cluster/"'
        in client.get(f"/intake/reports/{member.pk}/").content.decode()
    )
    queue = client.get("/intake/reports/").content.decode()
    assert f'href="/intake/reports/{member.pk}/cluster/" data-testid="cluster-{member.pk}"' in queue
    done = client.post(f"{url}split/", {"member": primary.pk}, follow=True)
    assert done.redirect_chain[-1][0] == f"/intake/reports/{root.pk}/cluster/"
    assert f"Report #{primary.pk}, #{member.pk} left the group" in done.content.decode()
    assert _fresh(primary).duplicate_of_id is None
    other = _one(cast["operator"], OTHER, aliases=["CVE-2022-23219"])
    refused = client.post(f"{url}merge/", {"report": other.pk, "whole_group": "true"})
    assert refused.status_code == 302
    assert (
        refused["Location"] == f"/intake/reports/{primary.pk}/cluster/?merge={other.pk}&conflict=1"
    )
    shown = client.get(refused["Location"]).content.decode()
    assert "name different identifiers" in shown and 'data-testid="despite-conflict"' in shown
    insisted = {"report": other.pk, "whole_group": "true", "despite_conflict": "on"}
    assert client.post(f"{url}merge/", insisted).status_code == 302
    assert _fresh(other).duplicate_of_id == primary.pk


def test_the_page_offers_no_forms_to_a_reporter_and_refuses_them(cast, pages_as, chain) -> None:
    member = chain["member"]
    lab = pages_as(cast["lab1"])
    url = f"/intake/reports/{member.pk}/cluster/"
    page = lab.get(url).content.decode()
    assert 'data-testid="merge-form"' not in page and "Split off" not in page
    hidden = chain["primary"].pk  # the vendor's report is not named
    assert f'href="/intake/reports/{hidden}/"' not in page and f"member-{hidden}" not in page
    assert lab.post(f"{url}split/", {"member": member.pk}).status_code == 403
    assert pages_as(cast["operator"]).get(url).status_code == 404
    assert _fresh(member).duplicate_of_id == chain["primary"].pk
