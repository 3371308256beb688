"""Each role sees only the models it may, through the API and through the pages."""

from __future__ import annotations

import pytest

from clearinghouse.accounts.permissions import visible
from clearinghouse.frontier.inputs import RegisterModel
from clearinghouse.frontier.models import AIModel
from clearinghouse.frontier.services import register_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def models(cast, declaration):
    return {
        "lab1": register_model(
            cast["lab1"], RegisterModel(**declaration(name="One", training_compute_flop=2e26))
        ),
        "lab2": register_model(cast["lab2"], RegisterModel(**declaration(name="Two"))),
    }


# Which demo role sees which lab's models: labs their own; reviewers and admins all.
EXPECTED = {
    "lab1": {"One"},
    "lab2": {"Two"},
    "reviewer": {"One", "Two"},
    "admin": {"One", "Two"},
    "coordinator": set(),
    "vendor": set(),
    "operator": set(),
}


@pytest.mark.parametrize(("role", "names"), EXPECTED.items())
def test_api_lists_only_models_the_role_may_see(cast, models, api_as, role, names):
    response = api_as(cast[role]).get("/api/frontier/models")
    assert response.status_code == 200
    assert {item["name"] for item in response.json()["items"]} == names
    assert {m.name for m in visible(AIModel, cast[role])} == names


@pytest.mark.parametrize(("role", "names"), EXPECTED.items())
def test_pages_show_only_models_the_role_may_see(cast, models, pages_as, role, names):
    client = pages_as(cast[role])
    listing = client.get("/models/").content.decode()
    for model in models.values():
        shown = f"{model.name} {model.version}</a>" in listing
        assert shown is (model.name in names)
        detail = client.get(f"/models/{model.pk}/")
        assert detail.status_code == (200 if model.name in names else 404)


def test_a_lab_cannot_read_change_or_list_history_of_another_labs_model(cast, models, api_as):
    other = models["lab2"].pk
    client = api_as(cast["lab1"])
    assert client.get(f"/api/frontier/models/{other}").status_code == 404
    assert client.get(f"/api/frontier/models/{other}/determinations").status_code == 404
    patch = client.patch(
        f"/api/frontier/models/{other}", {"name": "Stolen"}, content_type="application/json"
    )
    assert patch.status_code == 404
    assert AIModel.objects.get(pk=other).name == "Two"


def test_anonymous_visitors_see_nothing(models, client):
    assert client.get("/api/frontier/models").status_code == 401
    response = client.get(f"/models/{models['lab1'].pk}/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert not visible(AIModel, None).exists()


def test_a_deactivated_user_sees_nothing(cast, models):
    cast["lab1"].is_active = False
    assert not visible(AIModel, cast["lab1"]).exists()
