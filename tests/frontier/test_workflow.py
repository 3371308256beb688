"""Registry commands: one chain append each, the current row under a lock, the action rules."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied

from clearinghouse.accounts.services import issue_token, revoke_token
from clearinghouse.audit.models import AuditEvent
from clearinghouse.errors import Conflict
from clearinghouse.frontier.inputs import ActivatePolicy, Designate, RegisterModel, UpdateModel
from clearinghouse.frontier.models import AIModel
from clearinghouse.frontier.policies import active_policy
from clearinghouse.frontier.services import (
    activate_policy,
    designate,
    register_model,
    update_model,
)

DESIGNATION = Designate(authority="Agency", reference="D-1", designated_on=dt.date(2026, 11, 20))


@pytest.mark.django_db
def test_each_registry_and_account_command_appends_once(cast, declaration, chain_appends):
    lab, reviewer = cast["lab1"], cast["reviewer"]
    steps = [
        lambda: register_model(lab, RegisterModel(**declaration(name="A"))),
        lambda: update_model(lab, AIModel.objects.get(), UpdateModel(training_compute_flop=2e26)),
        lambda: designate(reviewer, AIModel.objects.get(), DESIGNATION),
        # records the activation and one determination per model
        lambda: activate_policy(cast["admin"], ActivatePolicy(policy_id="eo-2026-draft")),
        lambda: issue_token(lab, "laptop"),
        lambda: revoke_token(lab, lab.api_tokens.get()),
    ]
    for step in steps:
        with chain_appends() as appends:
            step()
        assert appends.count == 1


@pytest.mark.django_db
def test_an_edit_applies_to_the_stored_declaration_not_the_callers_copy(cast, declaration):
    lab = cast["lab1"]
    stale = register_model(lab, RegisterModel(**declaration(name="A")))
    update_model(lab, AIModel.objects.get(pk=stale.pk), UpdateModel(version="2"))
    update_model(lab, stale, UpdateModel(training_compute_flop=3e26))
    stored = AIModel.objects.get(pk=stale.pk)
    assert (stored.version, stored.training_compute_flop, stored.covered) == ("2", 3e26, True)


def test_two_edits_at_once_both_land(race, cast, declaration):
    lab = cast["lab1"]
    model = register_model(lab, RegisterModel(**declaration(name="A")))
    results = race(
        lambda: update_model(lab, model, UpdateModel(version="2")),
        lambda: update_model(lab, model, UpdateModel(parameter_count=7)),
    )
    assert all(isinstance(result, AIModel) for result in results), results
    stored = AIModel.objects.get(pk=model.pk)
    assert (stored.version, stored.parameter_count) == ("2", 7)


@pytest.mark.django_db
def test_designating_a_model_deleted_meanwhile_is_a_conflict(cast, declaration):
    model = register_model(cast["lab1"], RegisterModel(**declaration(name="A")))
    AIModel.objects.filter(pk=model.pk).delete()
    with pytest.raises(Conflict, match="no longer exists"):
        designate(cast["reviewer"], model, DESIGNATION)
    assert not AuditEvent.objects.filter(action="model.designated").exists()


@pytest.mark.django_db
def test_the_rules_refuse_with_their_reasons(cast, declaration):
    model = register_model(cast["lab1"], RegisterModel(**declaration(name="A")))
    with pytest.raises(PermissionDenied, match="only developers of an AI lab"):
        register_model(cast["vendor"], RegisterModel(**declaration(name="B")))
    with pytest.raises(PermissionDenied, match="a lab changes only its own models"):
        update_model(cast["lab2"], model, UpdateModel(version="9"))
    with pytest.raises(PermissionDenied, match="only an authorised agency or an admin"):
        designate(cast["lab1"], model, DESIGNATION)
    with pytest.raises(PermissionDenied, match="only admins change the active policy"):
        activate_policy(cast["reviewer"], ActivatePolicy(policy_id="eo-2026-draft"))
    token, _ = issue_token(cast["lab1"], "x")
    with pytest.raises(PermissionDenied, match="only the token's owner"):
        revoke_token(cast["lab2"], token)


def test_revoking_one_token_twice_at_once_revokes_once(race, cast):
    token, _ = issue_token(cast["lab1"], "laptop")
    results = race(
        lambda: revoke_token(cast["lab1"], token),
        lambda: revoke_token(cast["lab1"], token),
    )
    assert sorted(type(result).__name__ for result in results) == ["ApiToken", "Conflict"]
    assert AuditEvent.objects.filter(action="token.revoked").count() == 1


def test_two_policy_activations_at_once_leave_every_model_determined_under_the_one_in_force(
    race, cast, declaration
):
    lab, admin = cast["lab1"], cast["admin"]
    for name in "ABCDEF":
        register_model(lab, RegisterModel(**declaration(name=name, training_compute_flop=2e26)))
    results = race(
        lambda: activate_policy(admin, ActivatePolicy(policy_id="eo-2026-draft")),
        lambda: activate_policy(admin, ActivatePolicy(policy_id="eo-2026-mandatory")),
    )
    assert all(isinstance(result, tuple) for result in results), results
    in_force = active_policy().id
    for model in AIModel.objects.all():
        assert model.determinations.first().policy_id == in_force, model  # type: ignore[union-attr]
    # the later activation names the earlier one as what it replaced
    first, second = AuditEvent.objects.filter(action="policy.activated").order_by("sequence")
    assert json.loads(second.before)["policy_id"] == json.loads(first.after)["policy_id"]
    assert json.loads(second.after)["policy_id"] == in_force
