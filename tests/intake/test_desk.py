"""The coordinator's desk: the report list's orders and filters (API and queue), submissions
filtered and ordered, a bulk decision on a whole filtered set asked first, and the
dashboard's triage counts (all reports for the desk, one organisation's for a reporter).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from clearinghouse.core.sectors import Sector
from clearinghouse.core.triage import ReportStatus
from clearinghouse.intake import services
from clearinghouse.intake.models import SSVC_DECISIONS, Report, Submission

from .many import (
    SECTORS,
    decision_of,
    format_of,
    points_of,
    sector_of,
    status_of,
    store_many,
)

pytestmark = pytest.mark.django_db

URL = "/api/intake"
#: Reports in the small store: every sector, decision and format several times over.
COUNT = 120


@pytest.fixture
def store(cast: dict[str, Any]) -> dict[int, int]:
    """COUNT reports of lab1's organisation; report number -> id."""
    store_many(cast["lab1"].organisation, COUNT)
    return dict(Report.objects.values_list("index", "pk"))


def _ids(client: Any, query: str = "") -> list[int]:
    response = client.get(f"{URL}/reports?limit=500&{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return [item["id"] for item in body["items"]]


def _ordered(numbers: list[int], key: Any, store: dict[int, int]) -> list[int]:
    return [store[n] for n in sorted(numbers, key=key)]


def test_each_order_of_the_report_list(cast, api_as, store) -> None:
    coordinator = api_as(cast["coordinator"])
    every = list(range(COUNT))
    by_priority = [(-points_of(n), store[n]) for n in every]
    rank = {decision: i for i, decision in enumerate([*SSVC_DECISIONS, ""])}
    expected = {
        "priority": [pk for _, pk in sorted(by_priority)],
        # Report n was received n minutes ago: the newest is number 0.
        "newest": _ordered(every, lambda n: n, store),
        "oldest": _ordered(every, lambda n: -n, store),
        "ssvc": _ordered(every, lambda n: (rank[decision_of(n)], -points_of(n), store[n]), store),
        "sector": _ordered(every, lambda n: (sector_of(n) or "~", -points_of(n), store[n]), store),
    }
    for sort, ids in expected.items():
        assert _ids(coordinator, f"sort={sort}") == ids, sort
    # SSVC order really is urgency, not the alphabet: Act, Attend, Track*, Track, none.
    decisions = [Report.objects.get(pk=pk).ssvc_decision for pk in _ids(coordinator, "sort=ssvc")]
    assert list(dict.fromkeys(decisions)) == ["Act", "Attend", "Track*", "Track", ""]
    sectors = [Report.objects.get(pk=pk).sectors for pk in _ids(coordinator, "sort=sector")]
    assert sectors[0] == ["chemical"] and sectors[-1] == []
    assert coordinator.get(f"{URL}/reports?sort=alphabet").status_code == 422


def test_orders_combine_with_filters(cast, api_as, store) -> None:
    coordinator = api_as(cast["coordinator"])
    energy = [n for n in range(COUNT) if sector_of(n) == Sector.ENERGY]
    rank = {decision: i for i, decision in enumerate([*SSVC_DECISIONS, ""])}
    assert _ids(coordinator, "sector=energy&sort=ssvc") == _ordered(
        energy, lambda n: (rank[decision_of(n)], -points_of(n), store[n]), store
    )
    act = [n for n in range(COUNT) if decision_of(n) == "Act" and status_of(n) == "received"]
    assert _ids(coordinator, "ssvc=Act&status=received&sort=sector") == _ordered(
        act, lambda n: (sector_of(n) or "~", -points_of(n), store[n]), store
    )
    osv = [n for n in range(COUNT) if format_of(n) == "osv"]
    assert _ids(coordinator, "source=osv&sort=oldest") == _ordered(osv, lambda n: -n, store)


def test_the_queue_page_shows_the_order_and_keeps_it_in_its_links(cast, pages_as, store) -> None:
    client = pages_as(cast["coordinator"])
    page = client.get("/intake/reports/?sort=ssvc&sector=energy").content.decode()
    energy = [n for n in range(COUNT) if sector_of(n) == Sector.ENERGY]
    rank = {decision: i for i, decision in enumerate([*SSVC_DECISIONS, ""])}
    expected = _ordered(energy, lambda n: (rank[decision_of(n)], -points_of(n), store[n]), store)
    positions = [page.index(f'data-testid="report-{pk}"') for pk in expected]
    assert positions == sorted(positions)
    assert f'<span data-testid="total">{len(energy)}</span>' in page
    # A column header changes the order and keeps the filter.
    assert 'href="?sort=priority&amp;sector=energy"' in page
    # An unknown order is said, and the default used.
    page = client.get("/intake/reports/?sort=alphabet").content.decode()
    assert "Filter not applied" in page


def test_the_queue_pages_the_whole_list(cast, pages_as, store) -> None:
    client = pages_as(cast["coordinator"])
    first = client.get("/intake/reports/?sort=newest").content.decode()
    third = client.get("/intake/reports/?sort=newest&page=3").content.decode()
    assert f'data-testid="report-{store[0]}"' in first
    assert f'data-testid="report-{store[49]}"' in first
    assert f'data-testid="report-{store[50]}"' not in first
    assert f'data-testid="report-{store[100]}"' in third
    assert f"101\N{EN DASH}{COUNT} of {COUNT}" in third


def _submissions(client: Any, query: str = "") -> list[int]:
    response = client.get(f"{URL}/submissions?limit=500&{query}")
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def submissions(cast: dict[str, Any]) -> dict[str, Submission]:
    """Three submissions: two of lab1 (one failed), one of the vendor, oldest first."""
    now = timezone.now()
    made = {}
    for name, who, fmt, status, hours in [
        ("lab-osv", "lab1", "osv", Submission.Status.COMPLETED, 3),
        ("lab-csaf", "lab1", "csaf", Submission.Status.FAILED, 2),
        ("vendor-csaf", "vendor", "csaf", Submission.Status.COMPLETED, 1),
    ]:
        made[name] = Submission.objects.create(
            organisation=cast[who].organisation,
            format=fmt,
            sha256=name,
            original="{}",
            reporter_kind="researcher",
            status=status,
        )
        Submission.objects.filter(pk=made[name].pk).update(
            created_at=now - dt.timedelta(hours=hours)
        )
    return made


def test_submissions_filter_and_order(cast, api_as, submissions) -> None:
    coordinator, lab = api_as(cast["coordinator"]), api_as(cast["lab1"])
    ids = {name: s.pk for name, s in submissions.items()}
    assert _submissions(coordinator) == [ids["vendor-csaf"], ids["lab-csaf"], ids["lab-osv"]]
    assert _submissions(coordinator, "sort=oldest") == [
        ids["lab-osv"], ids["lab-csaf"], ids["vendor-csaf"]
    ]  # fmt: skip
    assert _submissions(coordinator, "format=csaf") == [ids["vendor-csaf"], ids["lab-csaf"]]
    assert _submissions(coordinator, "status=failed") == [ids["lab-csaf"]]
    vendor_org = cast["vendor"].organisation_id
    assert _submissions(coordinator, f"organisation={vendor_org}") == [ids["vendor-csaf"]]
    # A reporter's list is its own organisation's, whatever organisation it names.
    assert _submissions(lab) == [ids["lab-csaf"], ids["lab-osv"]]
    assert _submissions(lab, f"organisation={vendor_org}") == []
    assert coordinator.get(f"{URL}/submissions?status=lost").status_code == 422
    assert coordinator.get(f"{URL}/submissions?organisation=0").status_code == 422


def test_the_submissions_page_filters_with_totals(cast, pages_as, submissions) -> None:
    page = pages_as(cast["coordinator"]).get("/intake/submissions/?format=csaf&sort=oldest")
    text = page.content.decode()
    assert '<span data-testid="total">2</span>' in text
    lab, vendor = submissions["lab-csaf"].pk, submissions["vendor-csaf"].pk
    assert text.index(f'data-testid="submission-{lab}"') < text.index(
        f'data-testid="submission-{vendor}"'
    )
    assert f'data-testid="submission-{submissions["lab-osv"].pk}"' not in text
    # The desk picks an organisation among those that submitted; a reporter is not offered one.
    assert 'name="organisation"' in text and ">Vendor</option>" in text
    assert ">Lab Two</option>" not in text
    own = pages_as(cast["lab1"]).get("/intake/submissions/").content.decode()
    assert 'name="organisation"' not in own
    assert '<span data-testid="total">2</span>' in own


def _matching(
    client: Any, data: dict[str, Any], query: str = "status=received&sector=energy"
) -> str:
    response = client.post(f"/intake/reports/?{query}", data, follow=True)
    assert response.status_code == 200
    return str(response.content.decode())


def test_a_decision_on_the_whole_filtered_set_is_asked_first(cast, pages_as, store) -> None:
    client = pages_as(cast["coordinator"])
    chosen = {
        store[n]
        for n in range(COUNT)
        if sector_of(n) == Sector.ENERGY and status_of(n) == ReportStatus.RECEIVED
    }
    ask = {"scope": "matching", "action": "decline", "reason": "out of scope"}
    page = _matching(client, ask | {"expected": len(chosen)})
    assert f'<strong data-testid="bulk-count">{len(chosen)}</strong>' in page
    assert 'name="confirmed"' in page
    assert not Report.objects.filter(status="declined").exists()  # nothing yet
    page = _matching(client, ask | {"expected": len(chosen), "confirmed": "on"})
    assert f"{len(chosen)} reports changed." in page
    declined = set(Report.objects.filter(status="declined").values_list("pk", flat=True))
    assert declined == chosen
    assert set(Report.objects.get(pk=pk).decline_reason for pk in chosen) == {"out of scope"}


def test_a_set_that_changed_before_the_confirmation_changes_nothing(cast, pages_as, store) -> None:
    client = pages_as(cast["coordinator"])
    chosen = [
        n for n in range(COUNT) if sector_of(n) == Sector.ENERGY and status_of(n) == "received"
    ]
    ask = {"scope": "matching", "action": "accept"}
    # The count seen on the list differs from the count now: the question says so.
    page = _matching(client, ask | {"expected": len(chosen) + 3})
    assert 'data-testid="bulk-changed"' in page
    # Another coordinator accepts one of them between the question and the answer.
    Report.objects.filter(pk=store[chosen[0]]).update(status="accepted")
    page = _matching(client, ask | {"expected": len(chosen), "confirmed": "on"})
    assert f"{len(chosen) - 1:,} reports match now, not the {len(chosen):,} you saw" in page
    assert (
        Report.objects.filter(status="accepted").count()
        == len([n for n in range(COUNT) if status_of(n) == "accepted"]) + 1
    )


def test_the_api_refuses_a_stale_count_for_a_filtered_set(cast, api_as, store) -> None:
    coordinator = api_as(cast["coordinator"])
    matching = {"status": "received", "ssvc": "Act"}
    count = len(_ids(coordinator, "status=received&ssvc=Act"))
    body = {"action": "accept", "matching": matching, "expected": count + 1}
    response = coordinator.post(f"{URL}/reports/bulk", body, content_type="application/json")
    assert response.status_code == 409
    assert f"{count} reports match now, not the {count + 1} you saw" in response.json()["detail"]
    assert (
        not Report.objects.filter(ssvc_decision="Act", status="accepted")
        .exclude(index__in=[n for n in range(COUNT) if status_of(n) == "accepted"])
        .exists()
    )
    body["expected"] = count
    response = coordinator.post(f"{URL}/reports/bulk", body, content_type="application/json")
    assert response.json() == {"changed": count}


def _expected_counts(numbers: range) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    by_status: dict[str, int] = dict.fromkeys(ReportStatus, 0)
    by_sector: dict[str, dict[str, int]] = {s: dict.fromkeys(ReportStatus, 0) for s in Sector}
    for n in numbers:
        by_status[status_of(n)] += 1
        if sector_of(n):
            by_sector[sector_of(n)][status_of(n)] += 1
    return by_status, by_sector


def test_triage_counts_for_the_desk_and_for_a_reporter(cast, store) -> None:
    # The vendor's 30 reports: the desk counts them, lab1 does not.
    store_many(cast["vendor"].organisation, 30, start=COUNT)
    desk = services.triage_counts(cast["coordinator"])
    by_status, by_sector = _expected_counts(range(COUNT + 30))
    assert desk.by_status == by_status and desk.total == COUNT + 30
    assert {s.value: row for s, row in desk.by_sector.items()} == by_sector
    act = [n for n in range(COUNT + 30) if decision_of(n) == "Act"]
    assert sum(desk.by_ssvc["Act"].values()) == len(act)
    assert desk.by_ssvc["Act"][ReportStatus.RECEIVED] == len(
        [n for n in act if status_of(n) == "received"]
    )
    own = services.triage_counts(cast["lab1"])
    by_status, by_sector = _expected_counts(range(COUNT))
    assert own.by_status == by_status and own.total == COUNT
    assert {s.value: row for s, row in own.by_sector.items()} == by_sector
    assert services.triage_counts(cast["lab2"]).total == 0
    # The oldest untriaged report naming a sector: the highest number received that has one.
    oldest = max(n for n in range(COUNT + 30) if sector_of(n) and status_of(n) == "received")
    assert desk.oldest_untriaged is not None
    assert desk.oldest_untriaged.report_id == Report.objects.get(index=oldest).pk
    assert dt.timedelta(minutes=oldest) <= desk.oldest_untriaged.age
    assert desk.oldest_untriaged.age < dt.timedelta(minutes=oldest + 5)
    mine = max(n for n in range(COUNT) if sector_of(n) and status_of(n) == "received")
    assert own.oldest_untriaged is not None
    assert own.oldest_untriaged.report_id == store[mine]


def test_a_report_naming_several_sectors_counts_in_each(cast, store) -> None:
    first = Report.objects.get(pk=store[0])
    Report.objects.filter(pk=first.pk).update(sectors=["chemical", "energy"])
    counts = services.triage_counts(cast["coordinator"])
    _, by_sector = _expected_counts(range(COUNT))
    assert counts.by_sector[Sector.ENERGY][status_of(0)] == by_sector["energy"][status_of(0)] + 1
    assert counts.by_sector[Sector.CHEMICAL] == {
        ReportStatus(s): n for s, n in by_sector["chemical"].items()
    }


def test_the_dashboard_links_each_count_to_the_filtered_queue(cast, pages_as, store) -> None:
    page = pages_as(cast["coordinator"]).get("/").content.decode()
    assert 'data-testid="triage-summary"' in page
    received = len([n for n in range(COUNT) if status_of(n) == "received"])
    assert (
        f'href="/intake/reports/?status=received" data-testid="status-received">{received}<' in page
    )
    energy_received = len(
        [n for n in range(COUNT) if sector_of(n) == "energy" and status_of(n) == "received"]
    )
    assert (
        f'href="/intake/reports/?status=received&amp;sector=energy" '
        f'data-testid="sector-energy-received">{energy_received}<'
    ) in page
    act = len([n for n in range(COUNT) if decision_of(n) == "Act" and status_of(n) == "received"])
    assert f'data-testid="ssvc-Act-received">{act}<' in page
    assert 'data-testid="oldest-untriaged">Oldest untriaged critical-infrastructure report' in page
    # A reporter sees its own organisation's figures; another lab none of them.
    own = pages_as(cast["lab1"]).get("/").content.decode()
    assert f'data-testid="status-received">{received}<' in own
    other = pages_as(cast["lab2"]).get("/").content.decode()
    assert 'data-testid="status-received"' not in other
    assert "No critical-infrastructure report is waiting for triage." in other


def test_the_sort_keys_follow_the_columns(cast, store) -> None:
    report = Report.objects.get(pk=store[0])
    assert (report.ssvc_rank, report.sector_key) == (0, SECTORS[0])
    Report.objects.filter(pk=report.pk).update(ssvc_decision="Track", sectors=[])
    report.refresh_from_db()
    assert (report.ssvc_rank, report.sector_key) == (3, "~")
