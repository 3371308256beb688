"""Navigation, dashboard and page actions appear exactly for the roles their rules allow."""

from __future__ import annotations

import re

import pytest

from clearinghouse.frontier.inputs import RegisterModel
from clearinghouse.frontier.services import register_model

pytestmark = pytest.mark.django_db

ALWAYS = {"Dashboard", "Advisories", "Policies"}
#: The work areas each role's navigation shows, beyond those everyone has. Each link asks
#: the rule its service asks: "Report a vulnerability" is `intake.submit` (every member of
#: an organisation, the desk too: it files reports found elsewhere and models' candidates).
NAVIGATION = {
    "lab1": {"Models", "Notices", "Report a vulnerability"},
    "reviewer": {"Models", "Review queue", "Report a vulnerability", "Model findings"},
    "coordinator": {"Assets", "Impact", "Triage", "Model findings", "Report a vulnerability"},
    "vendor": {"Report a vulnerability"},
    "operator": {"Assets", "Report a vulnerability"},
    "admin": {
        "Models",
        "Review queue",
        "Assets",
        "Impact",
        "Triage",
        "Model findings",
        "Report a vulnerability",
    },
}


def _labels(links: list[tuple[str, str]]) -> set[str]:
    return {label for label, _ in links}


@pytest.mark.parametrize("role", sorted(NAVIGATION))
def test_each_role_gets_the_navigation_its_rules_allow(cast, pages_as, role):
    response = pages_as(cast[role]).get("/")
    assert response.status_code == 200
    assert _labels(response.context["nav_links"]) == ALWAYS | NAVIGATION[role]
    account = _labels(response.context["account_links"])
    assert ("Admin" in account) == (role == "admin")


@pytest.mark.parametrize("role", sorted(NAVIGATION))
def test_the_dashboard_lists_and_offers_what_the_role_may_use(cast, pages_as, declaration, role):
    register_model(cast["lab1"], RegisterModel(**declaration(name="Stratus")))
    page = pages_as(cast[role]).get("/").content.decode()
    sees_registry = role in {"lab1", "reviewer", "admin"}
    assert ('data-testid="model-table"' in page) == sees_registry
    assert ('data-testid="notice-table"' in page) == sees_registry
    assert ("Stratus" in page) == sees_registry
    assert ("Register a model" in page) == (role == "lab1")
    assert ("Your lab's models" in page) == (role == "lab1")


def test_the_dashboard_shows_the_first_rows_and_the_total(cast, pages_as, declaration):
    for n in range(12):
        register_model(cast["lab1"], RegisterModel(**declaration(name=f"M{n:02}")))
    page = pages_as(cast["lab1"]).get("/").content.decode()
    assert len(re.findall(r'href="/models/\d+/"', page)) == 10
    assert "All 12 models" in page


@pytest.mark.parametrize("role", ["lab1", "lab2", "reviewer", "admin"])
def test_the_models_list_offers_registration_to_lab_developers_only(cast, pages_as, role):
    page = pages_as(cast[role]).get("/models/").content.decode()
    assert ("Register a model" in page) == role.startswith("lab")


@pytest.mark.parametrize("role", ["lab1", "lab2", "reviewer", "coordinator", "admin"])
def test_only_admins_are_offered_switching_the_policy(cast, pages_as, role):
    page = pages_as(cast[role]).get("/policies/").content.decode()
    assert ("Make active" in page) == (role == "admin")


@pytest.mark.parametrize("role", ["lab1", "lab2", "reviewer", "admin"])
def test_the_model_page_offers_editing_to_its_lab_and_designation_to_agencies(
    cast, pages_as, declaration, role
):
    model = register_model(cast["lab1"], RegisterModel(**declaration(name="Stratus")))
    response = pages_as(cast[role]).get(f"/models/{model.pk}/")
    if role == "lab2":
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert ("Edit declaration" in page) == (role == "lab1")
    assert ("Designate this model" in page) == (role in {"reviewer", "admin"})


@pytest.mark.parametrize("role", sorted(NAVIGATION))
def test_every_link_the_navigation_offers_opens_for_that_role(cast, pages_as, role):
    """The links ask the same rules as the pages they lead to: none is a refusal."""
    client = pages_as(cast[role])
    response = client.get("/")
    for label, url in [*response.context["nav_links"], *response.context["account_links"]]:
        assert client.get(url).status_code == 200, (label, url)
