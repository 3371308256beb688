"""A lab uploads a CSAF document in the browser; a coordinator declines an item from the queue."""

from __future__ import annotations

import pytest

from clearinghouse.accounts.models import Organisation, Role
from clearinghouse.accounts.services import create_user
from clearinghouse.intake.models import Report
from tests.shared_data import shared_data

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-intake-pass"


def test_upload_then_triage_with_escaped_titles(page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    lab = create_user(
        username="lab", password=PASSWORD, role=Role.DEVELOPER,
        organisation=Organisation.objects.create(name="Lab", kind="lab"),
    )  # fmt: skip
    hub = Organisation.objects.create(name="Hub", kind="clearinghouse")
    create_user(username="coord", password=PASSWORD, role=Role.COORDINATOR, organisation=hub)
    sign_in(page, lab.username, PASSWORD)
    page.goto("/intake/")
    page.set_input_files("#id_documents", str(shared_data("csaf/cisa/2022/icsa-22-069-02.json")))
    page.fill("#id_model", "<b>Cirrus</b>")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/intake/submissions/*/")
    assert page.get_by_test_id("processed").inner_text() == "4"
    assert "<b>Cirrus</b>" in page.locator(".usa-intro").inner_text()  # shown as text
    page.get_by_test_id("logout").click()
    sign_in(page, "coord", PASSWORD)
    page.goto("/intake/reports/")
    first = Report.objects.order_by("-priority_points", "pk").first()
    assert first is not None
    page.get_by_test_id(f"report-{first.pk}").get_by_role("link").click()
    page.select_option("#t-action", "decline")
    page.fill("#t-reason", "out of scope")
    page.get_by_role("button", name="Record").click()
    page.wait_for_url(f"**/intake/reports/{first.pk}/")
    assert "Declined" in page.locator(".usa-intro").inner_text()
