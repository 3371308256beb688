"""Scanning pages (upload, asset, status form, dashboard) and the coordinators' impact view."""

from __future__ import annotations

import pytest

from clearinghouse.assets.inputs import RegisterAsset
from clearinghouse.assets.models import Asset, Finding
from clearinghouse.assets.services import upload_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(cast, org, user_in, pip_advisories, alpine_python_sbom):
    """pip 22.1.2 runs at two energy operators (three assets) and one bank."""
    data = alpine_python_sbom.read_bytes()
    grid2 = user_in("operator", org("Grid Two", "operator", sector="energy"))
    bank = user_in("operator", org("Bank", "operator", sector="financial_services"))
    upload_asset(cast["operator"], RegisterAsset(name="SCADA"), data)
    upload_asset(cast["operator"], RegisterAsset(name="Historian"), data)
    upload_asset(grid2, RegisterAsset(name="EMS"), data)
    upload_asset(bank, RegisterAsset(name="Payments"), data)
    return {"grid2": grid2, "bank": bank}


def test_impact_counts_operators_assets_and_components_per_sector(cast, api_as, estate):
    body = api_as(cast["coordinator"]).get("/api/assets/impact/PYSEC-2023-228").json()
    sectors = {row["sector"]: row for row in body["sectors"]}
    assert sectors["energy"] | {"sector": None} == {
        "sector": None,
        "operators": 2,
        "assets": 3,
        "components": 3,
        "unknown": 0,
    }
    assert (
        sectors["financial_services"]["operators"],
        sectors["financial_services"]["assets"],
    ) == (1, 1)
    # A remediated finding no longer counts.
    Finding.objects.filter(asset__name="Payments").update(status="remediated")
    body = api_as(cast["admin"]).get("/api/assets/impact/PYSEC-2023-228").json()
    assert [row["sector"] for row in body["sectors"]] == ["energy"]
    assert api_as(cast["operator"]).get("/api/assets/impact/PYSEC-2023-228").status_code == 403


def test_impact_pages_are_for_coordinators(cast, pages_as, estate):
    page = pages_as(cast["coordinator"]).get("/impact/PYSEC-2023-228/").content.decode()
    assert 'data-testid="sector-energy"' in page and "Financial Services" in page
    listing = pages_as(cast["coordinator"]).get("/impact/").content.decode()
    assert "PYSEC-2023-228" in listing
    for role in ("operator", "vendor", "lab1"):
        assert pages_as(cast[role]).get("/impact/PYSEC-2023-228/").status_code == 403


def test_an_operator_uploads_on_the_page_and_changes_a_status_there(
    cast, pages_as, pip_advisories, alpine_python_sbom, future
):
    client = pages_as(cast["operator"])
    with alpine_python_sbom.open("rb") as handle:
        response = client.post("/assets/", {"name": "Plant", "sbom": handle}, follow=True)
    asset = Asset.objects.get()
    assert response.redirect_chain[-1][0] == f"/assets/{asset.pk}/"
    page = response.content.decode()
    assert 'data-testid="finding-PYSEC-2023-228"' in page and "asset.uploaded" in page
    finding = asset.findings.get(advisory__osv_id="PYSEC-2023-228")
    response = client.post(
        f"/assets/findings/{finding.pk}/status/",
        {"status": "accepted_risk", "reason": "air-gapped", "expires": future(10)},
        follow=True,
    )
    assert "now Accepted risk" in response.content.decode()
    finding.refresh_from_db()
    assert (finding.status, finding.risk_reason) == ("accepted_risk", "air-gapped")


def test_a_bad_upload_on_the_page_shows_the_reason_by_the_field(cast, pages_as, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    with bad.open("rb") as handle:
        response = pages_as(cast["operator"]).post("/assets/", {"name": "X", "sbom": handle})
    assert response.status_code == 200
    assert 'data-testid="error-sbom"' in response.content.decode()
    assert not Asset.objects.exists()


def test_pages_keep_tenants_apart(cast, pages_as, estate):
    mine = Asset.objects.get(name="SCADA")
    theirs = Asset.objects.get(name="Payments")
    client = pages_as(cast["operator"])
    listing = client.get("/assets/").content.decode()
    assert "SCADA" in listing and "Payments" not in listing and "EMS" not in listing
    assert client.get(f"/assets/{theirs.pk}/").status_code == 404
    other_finding = theirs.findings.get(advisory__osv_id="PYSEC-2023-228")
    assert (
        client.post(
            f"/assets/findings/{other_finding.pk}/status/", {"status": "remediated"}
        ).status_code
        == 404
    )
    coordinator = pages_as(cast["coordinator"]).get("/assets/").content.decode()
    assert all(name in coordinator for name in ("SCADA", "Payments", "EMS"))
    assert pages_as(cast["vendor"]).get("/assets/").status_code == 403
    assert pages_as(cast["vendor"]).get(f"/assets/{mine.pk}/").status_code == 404


def test_the_dashboard_shows_open_findings_by_severity_to_operators(cast, pages_as, estate):
    page = pages_as(cast["operator"]).get("/").content.decode()
    assert 'data-testid="scanning-summary"' in page and "SCADA" in page and "Payments" not in page
    expected = Finding.objects.filter(asset__organisation=cast["operator"].organisation).count()
    counts = pages_as(cast["operator"]).get("/assets/").context["by_severity"]
    assert sum(counts.values()) == expected > 0
    assert 'data-testid="scanning-summary"' not in pages_as(cast["lab1"]).get("/").content.decode()
