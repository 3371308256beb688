"""Continuous re-matching: an advisory change reaches only its packages' components, notifies."""

from __future__ import annotations

import pytest
from django.core import mail

from clearinghouse.advisories.services import import_osv
from clearinghouse.assets.inputs import RegisterAsset
from clearinghouse.assets.models import Finding
from clearinghouse.assets.services import upload_asset
from clearinghouse.notifications.inputs import Event, RegisterWebhook
from clearinghouse.notifications.models import Delivery
from clearinghouse.notifications.services import attempt, register_webhook
from tests.advisories.conftest import osv_record

pytestmark = pytest.mark.django_db

CYCLONEDX = """{{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
  {{"type": "library", "name": "alpha", "version": "{alpha}", "purl": "pkg:pypi/alpha@{alpha}"}},
  {{"type": "library", "name": "Beta_Pkg", "version": "1.5", "purl": "pkg:pypi/Beta_Pkg@1.5"}},
  {{"type": "library", "name": "weird", "version": "1.5", "purl": "pkg:hackage/weird@1.5"}}
]}}"""


def sbom(alpha="1.5"):
    return CYCLONEDX.format(alpha=alpha).encode()


@pytest.fixture
def operators(org, user_in):
    energy = user_in("operator", org("Grid Co", "operator", sector="energy"))
    bank = user_in("operator", org("Bank Co", "operator", sector="financial_services"))
    for user in (energy, bank):
        user.email = f"{user.username}@example.org"
        user.save()
    return energy, bank


def test_a_new_advisory_rematches_only_its_package_and_notifies_the_operator(
    operators, write_osv, rematch_jobs
):
    energy, bank = operators
    register_webhook(
        energy.organisation,
        RegisterWebhook(url="https://soc.grid.example/hook", events=[Event.ADVISORY_MATCHED]),
    )
    register_webhook(
        bank.organisation,
        RegisterWebhook(url="https://soc.bank.example/hook", events=[Event.NOTICE_DECIDED]),
    )
    upload_asset(energy, RegisterAsset(name="Grid", filename="grid.json"), sbom())
    upload_asset(bank, RegisterAsset(name="Core banking", filename="bank.json"), sbom(alpha="3.0"))
    assert not Finding.objects.exists()
    import_osv(write_osv(osv_record("PYSEC-NEW", "beta-pkg")))
    # queued inside the import's transaction (the test's own never commits): no commit hook
    assert rematch_jobs.jobs == [([["PyPI", "beta-pkg"]], ["PYSEC-NEW"])]
    (outcome,) = rematch_jobs.run()
    # Two beta-pkg components were looked at; alpha and the Hackage package were not.
    # Each operator: an e-mail to its operator; Grid Co's webhook subscribes, the bank's not.
    assert outcome == {"components": 2, "opened": 2, "closed": 0, "notifications": 3}
    assert sorted(Finding.objects.values_list("asset__name", "component__package")) == [
        ("Core banking", "beta-pkg"),
        ("Grid", "beta-pkg"),
    ]
    deliveries = Delivery.objects.filter(event="advisory.matched").order_by("channel", "recipient")
    assert sorted((str(d.organisation), d.channel, d.recipient) for d in deliveries) == [
        ("Bank Co", "email", bank.email),
        ("Grid Co", "email", energy.email),
        ("Grid Co", "webhook", "https://soc.grid.example/hook"),
    ]
    hook = deliveries.get(channel="webhook")
    assert hook.payload["advisories"] == ["PYSEC-NEW"] and hook.payload["count"] == 1
    assert hook.payload["findings"][0] | {"id": 0, "asset_id": 0} == {
        "id": 0,
        "asset": "Grid",
        "asset_id": 0,
        "component": "Beta_Pkg",
        "version": "1.5",
        "purl": "pkg:pypi/Beta_Pkg@1.5",
        "advisory": "PYSEC-NEW",
        "severity": hook.payload["findings"][0]["severity"],
        "verdict": "affected",
    }
    attempt(deliveries.get(recipient=energy.email))
    (sent,) = mail.outbox
    assert sent.to == [energy.email] and "PYSEC-NEW" in sent.subject
    assert "Grid: Beta_Pkg 1.5 — PYSEC-NEW (affected)" in sent.body


def test_a_changed_range_closes_findings_and_a_withdrawal_too(operators, write_osv, rematch_jobs):
    energy, _ = operators
    import_osv(write_osv(osv_record("PYSEC-A", "alpha")))
    rematch_jobs.run()
    upload_asset(energy, RegisterAsset(name="Grid", filename="grid.json"), sbom())
    finding = Finding.objects.get()
    assert (finding.status, finding.verdict) == ("open", "affected")
    narrower = osv_record("PYSEC-A", "alpha", modified="2024-09-01T00:00:00Z")
    narrower["affected"][0]["ranges"][0]["events"] = [{"introduced": "1.6"}]
    import_osv(write_osv(narrower))
    assert rematch_jobs.run()[0]["closed"] == 1
    finding.refresh_from_db()
    assert finding.status == "resolved"
    wider = osv_record("PYSEC-A", "alpha", modified="2024-10-01T00:00:00Z")
    import_osv(write_osv(wider))
    assert rematch_jobs.run()[0]["opened"] == 1
    finding.refresh_from_db()
    assert finding.status == "open"
    withdrawn = wider | {"modified": "2024-11-01T00:00:00Z", "withdrawn": "2024-11-01T00:00:00Z"}
    import_osv(write_osv(withdrawn))
    rematch_jobs.run()
    finding.refresh_from_db()
    assert finding.status == "resolved"


def test_an_unknown_verdict_is_a_finding_not_silence(operators, write_osv):
    energy, _ = operators
    unordered = osv_record("HSEC-1", "weird")
    unordered["affected"][0]["package"]["ecosystem"] = "Hackage"
    import_osv(write_osv(unordered))
    asset = upload_asset(energy, RegisterAsset(name="Grid", filename="grid.json"), sbom())
    finding = Finding.objects.get(asset=asset)
    assert (finding.component.package, finding.verdict) == ("weird", "unknown")
    assert "cannot be ordered" in finding.component.problem
