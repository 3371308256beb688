"""The triage queue at 10^5 reports in the browser: paging, the SSVC order, filters, and one
decision on the whole filtered set, confirmed, refused once the set changed, then applied.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from clearinghouse.accounts.models import Organisation, Role
from clearinghouse.accounts.services import create_user
from clearinghouse.core.triage import ReportStatus
from clearinghouse.intake.models import Report
from tests.intake.many import STATUS_EVERY, decision_of, sector_of, status_of, store_many

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-queue-pass"
STORE = 100_000
#: One line of text in the dense queue is about 20 px; a row that wraps is twice that.
ONE_LINE_PX = 30


def _rows(page: Any) -> list[int]:
    """The ids of the queue's rows, top to bottom."""
    ids = page.eval_on_selector_all(
        "[data-testid=queue] tbody tr", "rows => rows.map(r => r.dataset.testid)"
    )
    return [int(testid.removeprefix("report-")) for testid in ids]


def test_the_queue_of_a_hundred_thousand_reports(page, screenshots) -> None:
    started = time.perf_counter()
    lab = Organisation.objects.create(name="Lab", kind="lab")
    store_many(lab, STORE)
    hub = Organisation.objects.create(name="Hub", kind="clearinghouse")
    create_user(username="coord", password=PASSWORD, role=Role.COORDINATOR, organisation=hub)
    stored = time.perf_counter()
    page.set_viewport_size({"width": 1600, "height": 1400})
    sign_in(page, "coord", PASSWORD)
    # The dashboard counts the whole store (90% of it waits for triage).
    received = STORE - STORE // STATUS_EVERY
    assert page.get_by_test_id("status-received").inner_text() == f"{received}"

    # The whole store, paged on the server: 50 dense rows, one line each.
    page.goto("/intake/reports/")
    assert page.get_by_test_id("total").inner_text() == f"{STORE}"
    first = _rows(page)
    assert len(first) == 50
    heights = page.eval_on_selector_all(
        "[data-testid=queue] tbody tr", "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    assert max(heights) < ONE_LINE_PX, heights
    page.screenshot(path=str(screenshots / "queue-at-scale.png"))
    page.get_by_test_id("select-page").check()  # a selection: every row of this page
    assert page.locator("input[name=report_ids]:checked").count() == 50
    page.get_by_role("link", name="Next page").first.click()
    page.wait_for_url("**/intake/reports/?page=2")
    assert not set(_rows(page)) & set(first)
    page.get_by_role("link", name=f"Page {STORE // 50}").first.click()
    assert (
        page.get_by_test_id("page-summary").inner_text()
        == f"{STORE - 49}\N{EN DASH}{STORE} of {STORE}"
    )

    # The SSVC order: Act first, by priority within it; the header keeps the page's filters.
    page.goto("/intake/reports/")
    page.get_by_test_id("sort-ssvc").click()
    page.wait_for_url("**/intake/reports/?sort=ssvc")
    assert set(page.get_by_test_id("ssvc").all_inner_texts()) == {"Act"}
    shown = Report.objects.in_bulk(_rows(page))
    points = [shown[pk].priority_points for pk in _rows(page)]
    assert points == sorted(points, reverse=True)

    # Filters from the form, kept in the URL with the order.
    page.select_option("#f-status", ReportStatus.RECEIVED.value)
    page.select_option("#f-sector", "energy")
    page.select_option("#f-ssvc", "Act")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/intake/reports/?status=received*")
    assert "sort=ssvc" in page.url and "sector=energy" in page.url
    chosen = {
        n
        for n in range(STORE)
        if sector_of(n) == "energy" and decision_of(n) == "Act" and status_of(n) == "received"
    }
    assert page.get_by_test_id("total").inner_text() == f"{len(chosen)}"

    # One decision for the whole filtered set: the count is asked about first.
    page.locator("label[for=b-matching]").click()  # USWDS draws the radio on its label
    page.select_option("#b-action", "decline")
    page.fill("#b-reason", "outside the program")
    page.get_by_role("button", name="Apply").click()
    assert page.get_by_test_id("bulk-count").inner_text() == f"{len(chosen)}"
    # Meanwhile another coordinator accepts one of them: the answer changes nothing.
    moved = Report.objects.get(index=min(chosen))
    Report.objects.filter(pk=moved.pk).update(status=ReportStatus.ACCEPTED)
    page.get_by_role("button", name=f"Yes, decline {len(chosen)} reports").click()
    alert = page.locator(".usa-alert--error")
    assert f"{len(chosen) - 1:,} reports match now, not the {len(chosen):,} you saw" in (
        alert.inner_text()
    )
    assert not Report.objects.filter(status=ReportStatus.DECLINED).exists()
    # Asked again, with the count as it is now: applied to exactly those.
    chosen.discard(moved.index)
    page.locator("label[for=b-matching]").click()  # USWDS draws the radio on its label
    page.select_option("#b-action", "decline")
    page.fill("#b-reason", "outside the program")
    page.get_by_role("button", name="Apply").click()
    assert page.get_by_test_id("bulk-count").inner_text() == f"{len(chosen)}"
    page.get_by_role("button", name=f"Yes, decline {len(chosen)} reports").click()
    assert f"{len(chosen):,} reports changed." in page.locator(".usa-alert--success").inner_text()
    assert page.get_by_test_id("total").inner_text() == "0"  # none received there any more

    declined = Report.objects.filter(status=ReportStatus.DECLINED)
    assert set(declined.values_list("index", flat=True)) == chosen
    assert set(declined.values_list("decline_reason", flat=True)) == {"outside the program"}
    # Every other report is as it was stored (and the one moved aside stays accepted).
    assert Report.objects.filter(status=ReportStatus.ACCEPTED).count() == STORE // STATUS_EVERY + 1
    still = received - len(chosen) - 1
    assert Report.objects.filter(status=ReportStatus.RECEIVED).count() == still
    print(
        f"store of {STORE:,}: filled in {stored - started:.1f} s, "
        f"browser steps in {time.perf_counter() - stored:.1f} s"
    )
