"""The operator dashboard's trend: open findings per severity and day, rebuilt from the audit."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from clearinghouse.assets.inputs import ChangeFindingStatus, OperatorStatus, RegisterAsset
from clearinghouse.assets.models import Finding
from clearinghouse.assets.services import change_finding_status, open_trend, upload_asset

pytestmark = pytest.mark.django_db


SBOM = b"""{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
  {"type": "library", "name": "pip", "version": "1.3", "purl": "pkg:pypi/pip@1.3"},
  {"type": "library", "name": "pip", "version": "19.0", "purl": "pkg:pypi/pip@19.0"}
]}"""


@pytest.fixture
def history(cast, org, user_in, pip_advisories):
    """SCADA's 8 findings opened ten days ago; today one was remediated, one accepted for 2 days.

    A third was remediated and re-opened today: open on every day, counted once.
    """
    data = SBOM
    operator = cast["operator"]
    upload_asset(operator, RegisterAsset(name="SCADA"), data)
    bank = user_in("operator", org("Bank", "operator", sector="financial_services"))
    upload_asset(bank, RegisterAsset(name="Payments"), data)
    now = timezone.now()
    Finding.objects.update(created_at=now - dt.timedelta(days=10))
    mine = list(Finding.objects.filter(asset__name="SCADA").select_related("advisory"))
    remediated, accepted = mine[0], mine[1]
    change_finding_status(
        operator, remediated, ChangeFindingStatus(status=OperatorStatus.REMEDIATED)
    )
    expiry = now.date() + dt.timedelta(days=2)
    change_finding_status(
        operator,
        accepted,
        ChangeFindingStatus(
            status=OperatorStatus.ACCEPTED_RISK, reason="air-gapped", expires=expiry
        ),
    )
    change_finding_status(operator, mine[2], ChangeFindingStatus(status=OperatorStatus.REMEDIATED))
    change_finding_status(
        operator,
        Finding.objects.get(pk=mine[2].pk),
        ChangeFindingStatus(status=OperatorStatus.OPEN),
    )
    severities = Counter(f.advisory.severity for f in mine)
    assert len(mine) == 8 and len(severities) > 1
    return {
        "now": now,
        "all": severities,
        "remediated": remediated.advisory.severity,
        "accepted": accepted.advisory.severity,
    }


def _on(trend, day):
    index = trend.days.index(day)
    return {severity: counts[index] for severity, counts in trend.series.items() if counts[index]}


def test_the_trend_rebuilds_each_days_open_findings_from_creation_and_status_changes(cast, history):
    now = history["now"]
    later = now + dt.timedelta(days=5)
    trend = open_trend(cast["operator"], days=30, now=later)
    assert len(trend.days) == 30 and trend.days[-1] == later.date()
    today = now.date()
    assert _on(trend, today - dt.timedelta(days=11)) == {}
    assert _on(trend, today - dt.timedelta(days=10)) == dict(history["all"])
    assert _on(trend, today - dt.timedelta(days=1)) == dict(history["all"])
    # Today: both changes happened; the other operator's findings never count.
    expected = history["all"].copy()
    expected.subtract([history["remediated"], history["accepted"]])
    assert _on(trend, today) == {k: v for k, v in expected.items() if v}
    # The accepted risk expires after two days and counts as open again.
    expected.update([history["accepted"]])
    assert _on(trend, today + dt.timedelta(days=3)) == {k: v for k, v in expected.items() if v}


def test_a_coordinator_sees_every_operators_findings_in_the_trend(cast, history):
    trend = open_trend(cast["coordinator"], days=7)
    assert sum(counts[-1] for counts in trend.series.values()) == (
        2 * sum(history["all"].values()) - 2
    )


def test_the_dashboard_draws_the_trend_as_an_accessible_svg_with_its_numbers(
    cast, pages_as, history
):
    page = pages_as(cast["operator"]).get("/").content.decode()
    assert 'data-testid="open-trend"' in page
    assert 'role="img" aria-labelledby="trend-title trend-desc"' in page
    assert page.count("<polyline data-severity=") == 5
    table = page[page.index('data-testid="trend-table"') :]
    today = history["now"].date()
    expected = history["all"].copy()
    expected.subtract([history["remediated"], history["accepted"]])
    row = table[table.index(f'<th scope="row">{today:%Y-%m-%d}</th>') :].split("</tr>")[0]
    cells = [int(cell.split("</td>")[0]) for cell in row.split("<td>")[1:]]
    assert cells == [expected[s] for s in ("critical", "high", "medium", "low", "unknown")]
    assert f"Now: {expected['critical']} critical" in page
    assert 'data-testid="open-trend"' not in pages_as(cast["lab1"]).get("/").content.decode()
