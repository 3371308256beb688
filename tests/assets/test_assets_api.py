"""Uploading SBOMs as assets, findings from matching, status changes, and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from clearinghouse.advisories.services import current_advisories
from clearinghouse.assets.models import Asset, Component, Finding
from clearinghouse.audit.models import AuditEvent
from clearinghouse.core.matching import Component as Key
from clearinghouse.core.matching import Verdict, evaluate

pytestmark = pytest.mark.django_db


def upload(client, path, name="Plant SCADA"):
    with path.open("rb") as handle:
        return client.post("/api/assets/", {"name": name, "sbom": handle})


@pytest.fixture
def asset(cast, api_as, pip_advisories, alpine_python_sbom):
    response = upload(api_as(cast["operator"]), alpine_python_sbom)
    assert response.status_code == 201, response.content
    assert response.json()["matched_at"] is not None  # matched at once, and the reply says so
    return Asset.objects.get(pk=response.json()["id"])


def test_upload_stores_every_component_and_findings_agree_with_the_reference_matcher(asset):
    components = list(asset.components.all())
    assert len(components) == asset.component_count == 84
    advisories = current_advisories({("PyPI", "pip")}).values()
    expected = {
        (c.pk, a.id)
        for c in components
        if c.package
        for a in advisories
        if evaluate(a, Key(c.ecosystem, c.package, c.version)) is not Verdict.NOT_AFFECTED
    }
    found = set(Finding.objects.values_list("component_id", "advisory__osv_id"))
    assert found == expected and ("PYSEC-2023-228" in {a for _, a in found})
    assert all(f.status == "open" for f in Finding.objects.all())
    # Components without a usable identity are kept with the reason, not dropped or called safe.
    assert Component.objects.filter(asset=asset).exclude(problem="").exists()
    assert AuditEvent.objects.filter(action="asset.uploaded").count() == 1


def test_each_role_sees_only_the_assets_it_may(cast, api_as, org, user_in, asset):
    other = user_in("operator", org("Bank", "operator", sector="financial_services"))
    finding = asset.findings.first()
    urls = [
        f"/api/assets/{asset.pk}",
        f"/api/assets/{asset.pk}/components",
        f"/api/assets/{asset.pk}/findings",
        f"/api/assets/findings/{finding.pk}",
    ]
    for user in (cast["operator"], cast["coordinator"], cast["admin"]):
        client = api_as(user)
        assert [item["id"] for item in client.get("/api/assets/").json()["items"]] == [asset.pk]
        assert all(client.get(url).status_code == 200 for url in urls)
    for user in (other, cast["lab1"], cast["reviewer"], cast["vendor"]):
        client = api_as(user)
        assert client.get("/api/assets/").json() == {"items": [], "count": 0}
        assert all(client.get(url).status_code == 404 for url in urls), user.role
    assert all(Client().get(url).status_code == 401 for url in ["/api/assets/", *urls])


def test_only_operators_upload_and_bad_sboms_are_422_naming_the_reason(
    cast, api_as, alpine_python_sbom, tmp_path, settings
):
    assert upload(api_as(cast["coordinator"]), alpine_python_sbom).status_code == 403
    assert upload(api_as(cast["vendor"]), alpine_python_sbom).status_code == 403
    client = api_as(cast["operator"])
    bad = tmp_path / "bad.json"
    bad.write_text('{"bomFormat": "CycloneDX", "components": [')
    response = upload(client, bad)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["sbom"]
    assert "bad.json" in response.json()["detail"][0]["msg"]
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components/></bom>'
    )
    assert upload(client, bomb).status_code == 422
    settings.CLEARINGHOUSE_MAX_SBOM_BYTES = 1000
    response = upload(client, alpine_python_sbom)
    assert response.status_code == 422 and "limit" in response.json()["detail"][0]["msg"]
    assert not Asset.objects.exists()


def test_a_second_asset_with_the_same_name_is_a_conflict(cast, api_as, asset, alpine_python_sbom):
    assert upload(api_as(cast["operator"]), alpine_python_sbom).status_code == 409


def status(client, finding, **body):
    return client.post(
        f"/api/assets/findings/{finding.pk}/status", body, content_type="application/json"
    )


def test_accepting_a_risk_needs_a_reason_and_a_future_expiry_and_is_audited(
    cast, api_as, asset, future
):
    finding = asset.findings.get(advisory__osv_id="PYSEC-2023-228")
    client = api_as(cast["operator"])
    response = status(client, finding, status="accepted_risk", expires="2001-01-01")
    assert response.status_code == 422
    assert {tuple(d["loc"])[-1] for d in response.json()["detail"]} == {"reason", "expires"}
    response = status(
        client, finding, status="accepted_risk", reason="isolated network", expires=future(30)
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted_risk"
    assert (
        status(client, finding, status="accepted_risk", reason="x", expires=future(3)).status_code
        == 409
    )
    assert status(client, finding, status="remediated").json()["risk_reason"] == ""
    assert status(client, finding, status="resolved").status_code == 422
    assert status(api_as(cast["coordinator"]), finding, status="open").status_code == 403
    events = AuditEvent.objects.filter(action="finding.status_changed", object_id=str(finding.pk))
    assert [e.after for e in events] == [
        '{"risk_expires":"'
        + future(30)
        + '","risk_reason":"isolated network","status":"accepted_risk"}',
        '{"risk_expires":null,"risk_reason":"","status":"remediated"}',
    ]


def test_an_expired_risk_acceptance_counts_as_open_again(cast, api_as, asset, future):
    finding = asset.findings.get(advisory__osv_id="PYSEC-2023-228")
    status(api_as(cast["operator"]), finding, status="accepted_risk", reason="r", expires=future(5))
    assert api_as(cast["operator"]).get(f"/api/assets/{asset.pk}").json()["open_findings"] == (
        asset.findings.count() - 1
    )
    Finding.objects.filter(pk=finding.pk).update(
        risk_expires=dt.date.today() - dt.timedelta(days=1)
    )
    assert api_as(cast["operator"]).get(f"/api/assets/{asset.pk}").json()["open_findings"] == (
        asset.findings.count()
    )
