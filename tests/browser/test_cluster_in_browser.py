"""A coordinator opens a duplicate group from a report, splits a member off and merges it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clearinghouse.accounts.models import Organisation, Role, User
from clearinghouse.accounts.services import create_user
from clearinghouse.intake import services
from clearinghouse.intake.inputs import Triage, TriageAction
from clearinghouse.intake.models import Report
from tests.intake.conftest import FINDING, native

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-cluster-pass"


def _reporter(name: str, kind: str, role: Role) -> User:
    organisation = Organisation.objects.create(name=name, kind=kind)
    return create_user(
        username=name.lower(), password=PASSWORD, role=role, organisation=organisation
    )


def _one(user: User, **fields: Any) -> Report:
    report: Report = services.submit(user, native(FINDING | fields)).submission.reports.get()
    return report


def test_split_a_member_off_and_merge_it_back(page: Any, screenshots: Path) -> None:
    hub = Organisation.objects.create(name="Hub", kind="clearinghouse")
    coordinator = create_user(
        username="coord", password=PASSWORD, role=Role.COORDINATOR, organisation=hub
    )
    primary = _one(_reporter("Acme", "vendor", Role.VENDOR))
    member = _one(_reporter("Cirrus", "lab", Role.DEVELOPER), aliases=["CVE-2022-23218"])
    root = _one(_reporter("Nimbus", "lab", Role.DEVELOPER))
    services.triage(coordinator, root, Triage(action=TriageAction.ACCEPT))
    services.triage(
        coordinator, primary, Triage(action=TriageAction.DUPLICATE, duplicate_of=root.pk)
    )  # member -> primary -> root
    sign_in(page, "coord", PASSWORD)
    page.goto(f"/intake/reports/{member.pk}/")
    page.get_by_test_id("cluster-link").click()
    page.wait_for_url(f"**/intake/reports/{member.pk}/cluster/")
    assert f"report #{root.pk}" in page.get_by_test_id("cluster-title").inner_text()
    for report in (root, primary, member):
        assert page.get_by_test_id(f"member-{report.pk}").is_visible()
    assert "linked automatically" in page.get_by_test_id(f"link-{member.pk}").inner_text()
    page.screenshot(path=str(screenshots / "cluster.png"), full_page=True)

    page.get_by_test_id(f"split-{primary.pk}").click()
    page.wait_for_url(f"**/intake/reports/{root.pk}/cluster/")
    assert f"Report #{primary.pk}, #{member.pk} left the group" in page.content()
    assert page.get_by_test_id(f"member-{primary.pk}").count() == 0
    assert Report.objects.get(pk=primary.pk).duplicate_of_id is None

    page.fill("#m-report", str(member.pk))  # its whole group: the split-off primary and member
    page.get_by_role("button", name="Merge").click()
    page.wait_for_url(f"**/intake/reports/{root.pk}/cluster/")
    assert f"Report #{member.pk} joined the group of #{root.pk}" in page.content()
    for report in (root, primary, member):
        assert page.get_by_test_id(f"member-{report.pk}").is_visible()
    assert Report.objects.get(pk=primary.pk).duplicate_of_id == root.pk
    assert Report.objects.get(pk=member.pk).duplicate_of_id == primary.pk
