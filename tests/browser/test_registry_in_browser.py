"""Every demo user signs in; a lab registers a model in the browser; other labs never see it."""

from __future__ import annotations

import datetime as dt

import pytest

from clearinghouse.demo.seed import DEMO_PASSWORD, seed
from clearinghouse.frontier.models import AIModel

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_demo_user_signs_in_and_lands_on_their_dashboard(page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in seed(assessments=False):
        sign_in(page, user.username, DEMO_PASSWORD)
        assert page.locator("h1").inner_text() == "Dashboard"
        assert user.organisation is not None
        assert page.get_by_test_id("organisation").inner_text() == user.organisation.name
        visible_models = page.locator("[data-testid=model-table] tbody th").all_inner_texts()
        own = {
            f"{m.name} {m.version}" for m in AIModel.objects.filter(organisation=user.organisation)
        }
        if user.role == "developer":
            assert set(visible_models) == own and own
        elif user.role in {"reviewer", "admin"}:
            assert len(visible_models) == AIModel.objects.count()
        else:
            assert visible_models == []
        page.get_by_test_id("logout").click()
        page.wait_for_url("**/account/login/")


def test_lab_registers_a_model_with_live_preview_and_another_lab_cannot_see_it(
    page, screenshots, settings
):
    seed(assessments=False)
    sign_in(page, "northwind-dev", DEMO_PASSWORD)
    page.goto("/models/register/")
    page.fill("#id_name", "Cirrus")
    page.fill("#id_version", "7")
    page.fill("#id_training_compute_flop", "4e25")
    release = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    page.fill("#id_planned_release_date", release)
    # USWDS draws its own checkboxes: a person clicks the label.
    for name, value in [
        ("capabilities", "advanced_reasoning"),
        ("capabilities", "autonomous_tool_use"),
        ("tools", "shell"),
    ]:
        page.click(f"input[name={name}][value={value}] + label")
    preview = page.locator("#preview")
    preview.get_by_text("would be").wait_for()  # htmx swapped in the determination
    assert "Covered" in (preview.text_content() or "")
    assert "Not covered" not in (preview.text_content() or "")
    page.screenshot(path=str(screenshots / "register-preview.png"), full_page=True)
    page.click("#main-content button[type=submit]")
    page.get_by_test_id("model-title").wait_for()
    assert "Cirrus 7" in page.get_by_test_id("model-title").inner_text()
    assert (
        "Advanced reasoning and autonomous tool use"
        in page.get_by_test_id("reasons").first.inner_text()
    )
    page.screenshot(path=str(screenshots / "model-page.png"), full_page=True)
    model = AIModel.objects.get(name="Cirrus")
    assert model.covered

    page.get_by_test_id("logout").click()
    sign_in(page, "helios-dev", DEMO_PASSWORD)
    page.goto("/models/")
    assert "Cirrus" not in page.content()
    response = page.goto(f"/models/{model.pk}/")
    assert response is not None and response.status == 404


def test_registration_errors_are_shown_in_the_browser(page, settings):
    seed(assessments=False)
    sign_in(page, "helios-dev", DEMO_PASSWORD)
    page.goto("/models/register/")
    page.fill("#id_name", "Broken")
    page.fill("#id_version", "1")
    page.fill("#id_training_compute_flop", "-1")
    page.fill("#id_planned_release_date", "2001-01-01")
    page.click("#main-content button[type=submit]")
    assert "in the past" in page.get_by_test_id("error-planned_release_date").inner_text()
    assert page.get_by_test_id("error-training_compute_flop").is_visible()
    assert not AIModel.objects.filter(name="Broken").exists()
