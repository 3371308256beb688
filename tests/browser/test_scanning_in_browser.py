"""An operator sees the trend chart on the dashboard and replaces an asset's SBOM in the browser."""

from __future__ import annotations

import json

import pytest

from clearinghouse.assets.models import Asset
from clearinghouse.demo.seed import DEMO_PASSWORD, seed

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_sees_the_trend_and_replaces_an_sbom(page, screenshots, tmp_path):
    operator = next(user for user in seed(assessments=False) if user.username == "prairie-operator")
    asset = Asset.objects.get(organisation=operator.organisation)
    sign_in(page, "prairie-operator", DEMO_PASSWORD)
    chart = page.get_by_test_id("open-trend")
    assert chart.locator("svg[role=img] polyline").count() == 5
    assert "Open findings per day by severity" in chart.locator("desc").text_content()
    page.screenshot(path=str(screenshots / "scanning-dashboard.png"), full_page=True)
    page.goto(f"/assets/{asset.pk}/")
    # A finding's status changes from its row; the form says what the page showed.
    row = page.get_by_test_id("findings").locator("tbody tr").first
    advisory = row.locator("th a").first.inner_text()
    assert row.locator("input[name=seen]").get_attribute("value") == "open"
    row.locator("select[name=status]").select_option("remediated")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert f"{advisory}: now Remediated." in page.content()
    assert asset.findings.get(advisory__osv_id=advisory).status == "remediated"
    sbom = tmp_path / "v2.cdx.json"
    sbom.write_text(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.5",
                "components": [
                    {
                        "type": "library",
                        "name": "left",
                        "version": "1.0",
                        "purl": "pkg:pypi/left@1.0",
                    }
                ],
            }
        )
    )
    form = page.get_by_test_id("replace-sbom")
    form.locator("input[type=file]").set_input_files(str(sbom))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Version 2: 1 components added" in page.content()
    rows = page.get_by_test_id("revisions").locator("tbody tr")
    assert rows.count() == 2 and rows.first.locator("td").first.inner_text() == "2"
    asset.refresh_from_db()
    assert asset.revision == 2 and asset.component_count == 1
