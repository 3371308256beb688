"""Background re-matches serialised per asset: with each other, SBOM replacements, operators.

Each test runs two threads on PostgreSQL at the same instant (the `race` fixture skips on
SQLite) and asserts what must hold whichever of them wins: every finding exists once, each
new finding is notified once, and every finding's status changes form one chain of moves its
lifecycles allow — nobody overwrote a status they had read before someone else changed it.
"""

from __future__ import annotations

from typing import Any

import pytest

from clearinghouse.advisories.services import import_osv
from clearinghouse.assets.inputs import RegisterAsset, ReplaceSbom
from clearinghouse.assets.models import Asset, Finding, FindingStatusChange
from clearinghouse.assets.services import change_finding_status, replace_sbom, upload_asset
from clearinghouse.audit.models import AuditEvent
from clearinghouse.core.scanning import FINDING_LIFECYCLE, MATCHING_LIFECYCLE, FindingStatus
from clearinghouse.errors import Conflict
from clearinghouse.notifications.inputs import RegisterWebhook
from clearinghouse.notifications.models import Delivery
from clearinghouse.notifications.services import register_webhook
from tests.advisories.conftest import REAL_REMATCH, osv_record

from .test_workflow import REMEDIATED, bom

pytestmark = pytest.mark.django_db

#: Components per asset: enough that a re-match spends a while between reading and writing.
COMPONENTS = 400


def _versions() -> list[str]:
    return [f"1.{n}" for n in range(COMPONENTS)]  # every one inside the advisory's 1.0-2.0


@pytest.fixture
def estate(cast: dict[str, Any]) -> Asset:
    """The operator's asset of `COMPONENTS` alpha components; an e-mail and a webhook to tell."""
    operator = cast["operator"]
    operator.email = "soc@utility.example"
    operator.save()
    register_webhook(operator.organisation, RegisterWebhook(url="https://soc.utility.example/hook"))
    return upload_asset(operator, RegisterAsset(name="Grid"), bom(*_versions()))


def _job(rematch_jobs: Any) -> tuple[list[list[str]], list[str]]:
    (job,) = rematch_jobs.jobs
    rematch_jobs.jobs.clear()
    return job


def _assert_one_chain_per_finding(asset: Asset) -> None:
    """Each finding's changes start at open, follow on from each other, and are legal moves."""
    for finding in asset.findings.all():
        status = FindingStatus.OPEN
        changes = FindingStatusChange.objects.filter(finding=finding).order_by("at", "pk")
        for change in changes:
            assert change.from_status == status, (finding.pk, list(changes.values()))
            target = FindingStatus(change.status)
            # an operator's move, or matching's (an SBOM replacement's closing is on its behalf)
            legal = FINDING_LIFECYCLE.allowed(status) | MATCHING_LIFECYCLE.allowed(status)
            assert target in legal, (finding.pk, status, target)
            status = target
        assert finding.status == status, (finding.pk, finding.status, status)
        audited = AuditEvent.objects.filter(
            action="finding.status_changed", object_id=str(finding.pk)
        )
        assert audited.count() == changes.count(), finding.pk


def test_two_rematches_of_one_asset_at_once_make_each_finding_once_and_notify_it_once(
    race, estate, write_osv, rematch_jobs
):
    import_osv(write_osv(osv_record("PYSEC-A", "alpha")))
    keys, ids = _job(rematch_jobs)
    first, second = race(lambda: REAL_REMATCH.call(keys, ids), lambda: REAL_REMATCH.call(keys, ids))
    assert isinstance(first, dict) and isinstance(second, dict), (first, second)
    assert sorted([first["opened"], second["opened"]]) == [0, COMPONENTS]
    assert Finding.objects.filter(asset=estate).count() == COMPONENTS
    assert Finding.objects.filter(asset=estate, status="open").count() == COMPONENTS
    deliveries = Delivery.objects.filter(event="advisory.matched")
    assert sorted(deliveries.values_list("channel", flat=True)) == ["email", "webhook"]
    for delivery in deliveries:
        notified = [item["id"] for item in delivery.payload["findings"]]
        assert len(notified) == len(set(notified)) == COMPONENTS
    rematched = AuditEvent.objects.filter(action="asset.rematched", object_id=str(estate.pk))
    assert sorted(rematched.values_list("after", flat=True)) == [
        f'{{"advisories":["PYSEC-A"],"opened":{COMPONENTS}}}'
    ]


def test_a_rematch_and_an_operators_status_change_at_once_keep_the_operators_change(
    race, cast, estate, write_osv, rematch_jobs
):
    import_osv(write_osv(osv_record("PYSEC-A", "alpha")))
    REAL_REMATCH.call(*_job(rematch_jobs))
    target = Finding.objects.filter(asset=estate).order_by("-pk").first()
    assert target is not None and target.status == "open"
    # The advisory's range moves past every component: the re-match closes all the findings.
    narrower = osv_record("PYSEC-A", "alpha", modified="2024-09-01T00:00:00Z")
    narrower["affected"][0]["ranges"][0]["events"] = [{"introduced": "9.0"}]
    import_osv(write_osv(narrower))
    keys, ids = _job(rematch_jobs)
    rematched, changed = race(
        lambda: REAL_REMATCH.call(keys, ids),
        lambda: change_finding_status(cast["operator"], target, REMEDIATED),
    )
    assert isinstance(rematched, dict) and rematched["closed"] == COMPONENTS, rematched
    target.refresh_from_db()
    assert target.status == "resolved"
    moves = list(
        FindingStatusChange.objects.filter(finding=target)
        .order_by("at", "pk")
        .values_list("from_status", "status")
    )
    if isinstance(changed, Conflict):  # the re-match came first: the operator is told so
        assert "a resolved finding cannot become remediated" in str(changed)
        assert moves == [("open", "resolved")]
    else:  # the operator came first: the re-match closed the remediated finding
        assert isinstance(changed, Finding), changed
        assert moves == [("open", "remediated"), ("remediated", "resolved")]
    _assert_one_chain_per_finding(estate)


def test_a_rematch_during_an_sbom_replacement_leaves_no_live_finding_on_a_removed_component(
    race, cast, estate, write_osv, rematch_jobs
):
    import_osv(write_osv(osv_record("PYSEC-A", "alpha")))
    keys, ids = _job(rematch_jobs)
    rematched, replaced = race(
        lambda: REAL_REMATCH.call(keys, ids),
        lambda: replace_sbom(cast["operator"], estate, ReplaceSbom(filename="v2.json"), bom()),
    )
    assert isinstance(rematched, dict), rematched
    assert replaced.number == 2, replaced
    removed = Finding.objects.filter(asset=estate, component__removed_at__isnull=False)
    assert not removed.exclude(status="resolved").exists()
    assert not Finding.objects.filter(asset=estate, component__removed_at__isnull=True).exists()
    _assert_one_chain_per_finding(estate)
    # Whoever came first, what the operator was told matches what was found.
    notified = Delivery.objects.filter(event="advisory.matched", channel="email")
    assert notified.count() == (1 if rematched["opened"] else 0)
