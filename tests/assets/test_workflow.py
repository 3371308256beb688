"""Scanning on the workflow patterns: locked status changes, one rule per action, bulk closes.

Race tests run two threads on PostgreSQL at the same instant (the `race` fixture skips on
SQLite); the stale-copy tests replay the interleavings one after the other on both databases.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clearinghouse.accounts.permissions import can
from clearinghouse.advisories.services import import_osv
from clearinghouse.assets.inputs import (
    ChangeFindingStatus,
    OperatorStatus,
    RegisterAsset,
    ReplaceSbom,
)
from clearinghouse.assets.models import Asset, Finding, FindingStatusChange
from clearinghouse.assets.services import (
    change_finding_status,
    open_trend,
    replace_sbom,
    upload_asset,
)
from clearinghouse.audit.models import AuditEvent
from clearinghouse.core.scanning import FindingStatus
from clearinghouse.errors import Conflict
from tests.conftest import HEAD_WRITE

from ..advisories.conftest import osv_record

pytestmark = pytest.mark.django_db

REMEDIATED = ChangeFindingStatus(status=OperatorStatus.REMEDIATED)


def bom(*versions: str, package: str = "alpha") -> bytes:
    """A CycloneDX SBOM listing `package` at each version (each a component of its own)."""
    items = [
        {"type": "library", "name": package, "version": v, "purl": f"pkg:pypi/{package}@{v}"}
        for v in versions
    ]
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": items}
    ).encode()


@pytest.fixture
def alpha(write_osv: Any) -> None:
    """One advisory: alpha 1.0 up to 2.0."""
    import_osv(write_osv(osv_record("PYSEC-A", "alpha")))


def _versions(count: int) -> list[str]:
    return [f"1.{n}" for n in range(count)]  # every one affected


@pytest.fixture
def grid(cast: dict[str, Any], alpha: None) -> Asset:
    """The operator's asset with three affected components (three open findings)."""
    return upload_asset(cast["operator"], RegisterAsset(name="Grid"), bom(*_versions(3)))


def test_a_stale_copy_gets_a_409_naming_the_current_status(cast, grid):
    stale = Finding.objects.filter(asset=grid).first()
    assert stale is not None
    change_finding_status(cast["operator"], Finding.objects.get(pk=stale.pk), REMEDIATED)
    with pytest.raises(Conflict, match="a remediated finding cannot become remediated"):
        change_finding_status(cast["operator"], stale, REMEDIATED)
    # A move still legal from the real state, but the caller saw another: refused too.
    seen_open = ChangeFindingStatus(status=OperatorStatus.OPEN, seen=FindingStatus.ACCEPTED_RISK)
    with pytest.raises(Conflict, match=r"now remediated \(remediated\)"):
        change_finding_status(cast["operator"], stale, seen_open)
    assert FindingStatusChange.objects.filter(finding=stale).count() == 1


def test_the_api_answers_409_for_a_stale_caller_and_a_resolved_finding(cast, api_as, grid):
    finding = Finding.objects.filter(asset=grid).first()
    assert finding is not None
    url = f"/api/assets/findings/{finding.pk}/status"
    client = api_as(cast["operator"])
    moved = client.post(url, {"status": "remediated"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["status"] == "remediated"
    stale = client.post(url, {"status": "open", "seen": "open"}, content_type="application/json")
    assert stale.status_code == 409 and "remediated" in stale.json()["detail"]
    Finding.objects.filter(pk=finding.pk).update(status="resolved")
    final = client.post(url, {"status": "open"}, content_type="application/json")
    assert final.status_code == 409
    assert "a resolved finding cannot become open" in final.json()["detail"]
    bad = client.post(url, {"status": "resolved"}, content_type="application/json")
    assert bad.status_code == 422


def test_two_operators_changing_one_finding_at_once_one_wins_the_other_409(race, cast, grid):
    finding = Finding.objects.filter(asset=grid).first()
    assert finding is not None
    first, second = race(
        lambda: change_finding_status(cast["operator"], finding, REMEDIATED),
        lambda: change_finding_status(cast["operator"], finding, REMEDIATED),
    )
    outcomes = sorted(type(result).__name__ for result in (first, second))
    assert outcomes == ["Conflict", "Finding"], (first, second)
    assert FindingStatusChange.objects.filter(finding=finding).count() == 1
    events = AuditEvent.objects.filter(action="finding.status_changed", object_id=str(finding.pk))
    assert events.count() == 1


def test_two_sbom_replacements_at_once_are_serialised(race, cast, grid):
    operator = cast["operator"]
    first, second = race(
        lambda: replace_sbom(operator, grid, ReplaceSbom(filename="a.json"), bom("1.0", "1.1")),
        lambda: replace_sbom(operator, grid, ReplaceSbom(filename="b.json"), bom("1.0")),
    )
    assert sorted([first.number, second.number]) == [2, 3], (first, second)
    grid.refresh_from_db()
    assert grid.revision == 3 and grid.revisions.count() == 3


def _replace_closing(cast: dict[str, Any], count: int) -> tuple[int, int, int]:
    """Register `count` affected components, replace the SBOM by an empty one: queries, appends."""
    name = f"Plant {count}"
    asset = upload_asset(cast["operator"], RegisterAsset(name=name), bom(*_versions(count)))
    assert asset.findings.filter(status="open").count() == count
    heads = 0
    with CaptureQueriesContext(connection) as queries:
        replace_sbom(cast["operator"], asset, ReplaceSbom(filename="v2.json"), bom())
    heads = sum(HEAD_WRITE.search(q["sql"]) is not None for q in queries.captured_queries)
    assert asset.findings.filter(status="resolved").count() == count
    return len(queries.captured_queries), heads, count


def test_replacing_an_sbom_closes_its_findings_in_bulk_with_one_chain_append(
    cast, alpha, chain_appends
):
    small_queries, small_heads, _ = _replace_closing(cast, 5)
    large_queries, large_heads, large = _replace_closing(cast, 120)
    assert small_heads == large_heads == 1
    # Not a query per finding (there were four): at most a few more batches of a bulk write
    # where SQLite's limit on query parameters splits it.
    assert large_queries - small_queries <= 3, (small_queries, large_queries)
    closed = AuditEvent.objects.filter(
        action="finding.status_changed", after__contains="no longer in the asset"
    )
    assert closed.count() == 5 + large
    changes = FindingStatusChange.objects.filter(status="resolved", actor=cast["operator"])
    assert changes.count() == 5 + large
    asset = Asset.objects.get(name="Plant 5")
    with chain_appends() as appends:
        replace_sbom(cast["operator"], asset, ReplaceSbom(), bom("1.0", "1.1"))
    assert appends.count == 1


def test_the_trend_reads_the_status_change_table(cast, grid):
    """A change row alone (no audit event) moves the trend: it is the trend's data."""
    now = timezone.now()
    Finding.objects.filter(asset=grid).update(created_at=now - dt.timedelta(days=5))
    finding = Finding.objects.filter(asset=grid).first()
    assert finding is not None
    before = open_trend(cast["operator"], days=7, now=now)
    assert before.series["unknown"][-1] == 3
    Finding.objects.filter(pk=finding.pk).update(status="remediated")
    FindingStatusChange.objects.create(
        finding=finding, from_status="open", status="remediated", at=now - dt.timedelta(days=2)
    )
    assert not AuditEvent.objects.filter(
        object_type="assets.finding", object_id=str(finding.pk)
    ).exists()
    after = open_trend(cast["operator"], days=7, now=now)
    assert after.series["unknown"][-4:] == [3, 2, 2, 2]


def test_one_rule_decides_who_changes_an_asset_admins_included(cast, org, user_in, grid):
    other = user_in("operator", org("Other Grid", "operator", sector="energy"))
    for user, allowed in [
        (cast["operator"], True),
        (cast["admin"], True),
        (other, False),
        (cast["coordinator"], False),
        (cast["vendor"], False),
    ]:
        assert can(user, "assets.manage", grid) is allowed, user.username
    finding = Finding.objects.filter(asset=grid).first()
    assert finding is not None
    with pytest.raises(PermissionDenied, match="only the operator that owns the asset"):
        change_finding_status(cast["coordinator"], finding, REMEDIATED)
    with pytest.raises(PermissionDenied):
        replace_sbom(other, grid, ReplaceSbom(), bom())
    # The drift this replaces: admins could change findings but not replace the SBOM.
    change_finding_status(cast["admin"], finding, REMEDIATED)
    revision = replace_sbom(cast["admin"], grid, ReplaceSbom(filename="admin.json"), bom("1.0"))
    assert revision.number == 2
    with pytest.raises(PermissionDenied, match="only operators of critical infrastructure"):
        upload_asset(cast["admin"], RegisterAsset(name="Admin's"), bom("1.0"))
    assert can(cast["coordinator"], "assets.see_impact") and can(cast["admin"], "assets.see_impact")
    assert not can(cast["operator"], "assets.see_impact")
    assert [
        can(cast[r], "assets.browse") for r in ("operator", "coordinator", "admin", "lab1")
    ] == [
        True,
        True,
        True,
        False,
    ]


def test_an_admin_replaces_an_sbom_through_the_api(cast, api_as, grid):
    response = api_as(cast["admin"]).post(
        f"/api/assets/{grid.pk}/sbom", {"sbom": SimpleUploadedFile("v2.json", bom("1.0"))}
    )
    assert response.status_code == 200, response.content
    assert response.json()["removed"] == 2


def test_a_findings_timeline_lists_its_changes_and_hides_who_from_other_parties(cast, api_as, grid):
    finding = Finding.objects.filter(asset=grid).first()
    assert finding is not None
    change_finding_status(cast["admin"], finding, REMEDIATED)
    replace_sbom(cast["operator"], grid, ReplaceSbom(), bom())
    url = f"/api/assets/findings/{finding.pk}/changes"
    mine = api_as(cast["operator"]).get(url).json()
    assert mine["count"] == 2
    assert [(c["from_status"], c["status"], c["by"]) for c in mine["items"]] == [
        ("open", "remediated", "the clearinghouse"),
        ("remediated", "resolved", cast["operator"].username),
    ]
    staff = api_as(cast["coordinator"]).get(url).json()
    assert staff["items"][0]["by"] == cast["admin"].username
    assert api_as(cast["vendor"]).get(url).status_code == 404


def test_lists_are_paged_with_validated_limits_and_no_query_per_asset(
    cast, api_as, org, user_in, alpha
):
    operator = cast["operator"]
    for n in range(3):
        upload_asset(operator, RegisterAsset(name=f"A{n}"), bom("1.0", "3.0"))
    client = api_as(cast["coordinator"])

    def queries_for(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    few = queries_for("/api/assets/")
    for n in range(3, 9):
        upload_asset(operator, RegisterAsset(name=f"A{n}"), bom("1.0", "3.0"))
    assert queries_for("/api/assets/") == few
    body = client.get("/api/assets/?limit=4&offset=2").json()
    assert body["count"] == 9 and [a["name"] for a in body["items"]] == ["A2", "A3", "A4", "A5"]
    assert all(a["open_findings"] == 1 for a in body["items"])
    for bad in ("limit=0", "limit=501", "offset=-1", "limit=x"):
        for url in ("/api/assets/", "/api/advisories/"):
            assert client.get(f"{url}?{bad}").status_code == 422, (url, bad)
    asset = Asset.objects.get(name="A0")
    findings = client.get(f"/api/assets/{asset.pk}/findings?status=open").json()
    assert findings["count"] == 1
    assert client.get(f"/api/assets/{asset.pk}/findings?status=nope").status_code == 422
    assert client.get(f"/api/assets/{asset.pk}/components?limit=1").json()["count"] == 2


def test_the_asset_page_pages_its_findings_and_links_to_all_components(cast, pages_as, alpha):
    asset = upload_asset(cast["operator"], RegisterAsset(name="Big"), bom(*_versions(60)))
    client = pages_as(cast["operator"])
    page = client.get(f"/assets/{asset.pk}/")
    assert len(page.context["page"].object_list) == 50
    assert page.context["page"].paginator.count == 60
    assert len(page.context["components"].object_list) == 10
    html = page.content.decode()
    assert 'data-testid="pagination"' in html and "All 60 components" in html
    second = client.get(f"/assets/{asset.pk}/?page=2")
    assert len(second.context["page"].object_list) == 10
    listing = client.get(f"/assets/{asset.pk}/components/?page=2")
    assert len(listing.context["page"].object_list) == 10
    assert pages_as(cast["vendor"]).get(f"/assets/{asset.pk}/components/").status_code == 404
    filtered = client.get(f"/assets/{asset.pk}/?status=remediated")
    assert filtered.context["page"].paginator.count == 0


def test_the_status_form_sends_what_the_page_showed_so_a_stale_page_is_refused(
    cast, pages_as, grid
):
    finding = Finding.objects.filter(asset=grid).select_related("advisory").first()
    assert finding is not None
    client = pages_as(cast["operator"])
    url = f"/assets/findings/{finding.pk}/status/"
    client.post(url, {"status": "remediated", "seen": "open"}, follow=True)
    response = client.post(url, {"status": "open", "seen": "open"}, follow=True)
    (message,) = response.context["messages"]
    assert message.level_tag == "error" and "now remediated" in str(message)
    finding.refresh_from_db()
    assert finding.status == "remediated"
    response = client.post(url, {"status": "accepted_risk", "seen": "remediated"}, follow=True)
    (message,) = response.context["messages"]
    assert "reason" in str(message) and "expires" in str(message)
