"""The registry's workflow: register, update, designate, re-determine; each step audited.

Each command checks its action rule, works on the row re-read under its lock and records
its events in one `audited()` unit (one chain append, however many models it re-determines).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from pydantic import ValidationError

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import require
from clearinghouse.audit.services import audited, record
from clearinghouse.core.policy import (
    Designation as DesignationFacts,
)
from clearinghouse.core.policy import (
    LabDeclaration,
    ModelDescription,
    Policy,
    determine,
)
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.workflow import locked

from .inputs import ActivatePolicy, Designate, RegisterModel, UpdateModel
from .models import AIModel, Designation, Determination, PolicyActivation
from .policies import active_policy, get_policy

DECLARED_FIELDS = tuple(LabDeclaration.model_fields)


def declaration_of(model: AIModel) -> dict[str, Any]:
    """The stored declaration in the shape a lab submits it."""
    return {name: getattr(model, name) for name in DECLARED_FIELDS}


def current_designation(model: AIModel) -> Designation | None:
    """The designation in force, if any."""
    return model.designations.filter(revoked_at__isnull=True).first()


def describe(model: AIModel) -> ModelDescription:
    """Everything the policy engine needs about a registered model."""
    designation = current_designation(model)
    return ModelDescription.model_validate(
        declaration_of(model)
        | {
            "developer": model.organisation.name,
            "designation": (
                DesignationFacts(
                    authority=designation.authority,
                    reference=designation.reference,
                    designated_on=designation.designated_on,
                )
                if designation
                else None
            ),
            "cyber_capability_level": model.cyber_capability_level,
        },
        context={"stored": True},
    )


def _validate_declaration(data: Mapping[str, Any]) -> LabDeclaration:
    try:
        return LabDeclaration.model_validate(dict(data))
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None


def redetermine(
    model: AIModel, *, trigger: str, actor: User | None, policy: Policy | None = None
) -> Determination:
    """Decide coverage under `policy` (default: the active one), store it and audit it."""
    policy = policy or active_policy()
    description = describe(model)
    outcome = determine(description, policy)
    determination = Determination.objects.create(
        ai_model=model,
        policy_id=outcome.policy_id,
        policy_version=outcome.policy_version,
        covered=outcome.covered,
        reasons=outcome.as_dict()["reasons"],
        description=description.model_dump(mode="json"),
        trigger=trigger,
    )
    before = model.covered
    if before != outcome.covered:
        AIModel.objects.filter(pk=model.pk).update(covered=outcome.covered)
        model.covered = outcome.covered
    record(
        actor=actor,
        action="determination.recorded",
        subject=model,
        before={"covered": before},
        after={
            "covered": outcome.covered,
            "determination_id": determination.pk,
            "trigger": trigger,
        },
        policy_id=outcome.policy_id,
        policy_version=outcome.policy_version,
    )
    return determination


def register_model(user: User, command: RegisterModel) -> AIModel:
    """A lab developer registers a model; it gets a determination under the active policy."""
    require(user, "frontier.register")
    organisation = user.organisation
    assert organisation is not None  # the rule admits only members of a lab
    with audited():
        try:
            with transaction.atomic():
                model = AIModel.objects.create(
                    organisation=organisation, registered_by=user, **command.model_dump()
                )
        except IntegrityError:
            raise Conflict(
                f"{organisation.name} already registered {command.name} {command.version}"
            ) from None
        record(
            actor=user,
            action="model.registered",
            subject=model,
            after=command.model_dump(mode="json"),
        )
        redetermine(model, trigger=Determination.Trigger.REGISTERED, actor=user)
    return model


def update_model(user: User, model: AIModel, command: UpdateModel) -> AIModel:
    """The owning lab changes what it declared; coverage is decided again.

    The change applies to the declaration as stored now (the row is re-read under its
    lock), never to the caller's copy, so two edits at once both land, one after the other.
    """
    with audited():
        model = locked(model, AIModel.objects.select_related("organisation"))
        require(user, "frontier.change_model", model)
        before = LabDeclaration.model_validate(declaration_of(model), context={"stored": True})
        changes = command.model_dump(exclude_unset=True)
        after = _validate_declaration(before.model_dump(mode="json") | changes)
        for name, value in after.model_dump().items():
            setattr(model, name, value)
        try:
            with transaction.atomic():
                model.save(update_fields=[*DECLARED_FIELDS, "updated_at"])
        except IntegrityError:
            raise Conflict(
                f"another model is already registered as {after.name} {after.version}"
            ) from None
        record(
            actor=user,
            action="model.updated",
            subject=model,
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        redetermine(model, trigger=Determination.Trigger.UPDATED, actor=user)
    return model


def designate(user: User, model: AIModel, command: Designate) -> Designation:
    """An agency reviewer or an admin designates a model as covered (grounds stay classified)."""
    with audited():
        model = locked(model, AIModel.objects.select_related("organisation"))
        require(user, "frontier.designate", model)
        facts = DesignationFacts.model_validate(command.model_dump())
        designation = Designation.objects.create(
            ai_model=model, designated_by=user, **facts.model_dump()
        )
        record(
            actor=user,
            action="model.designated",
            subject=model,
            after=facts.model_dump(mode="json"),
        )
        redetermine(model, trigger=Determination.Trigger.DESIGNATED, actor=user)
    return designation


def activate_policy(user: User, command: ActivatePolicy) -> tuple[PolicyActivation, int]:
    """An admin puts a policy in force; every registered model is determined again under it.

    Returns the activation and how many models were re-determined. Earlier determinations
    stay as the models' history; the events are appended to the chain once, at the end.
    (Only the very first activations of an install without models are not serialised: both
    name the default policy as the one they replace.)
    """
    require(user, "frontier.activate_policy")
    try:
        policy = get_policy(command.policy_id)
    except KeyError as error:
        raise InvalidInput.single("policy_id", str(error.args[0])) from None
    with audited():
        # Serialised on the newest activation's row and every model's (in one order): of two
        # activations at once the second starts from the first's result and determines every
        # model after it, and an edit of a model waits for its re-determination (or it for the
        # edit), so no model is left determined under a policy no longer in force.
        list(PolicyActivation.objects.select_for_update().values_list("pk", flat=True)[:1])
        list(AIModel.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
        previous = active_policy()
        activation = PolicyActivation.objects.create(
            policy_id=policy.id, policy_version=policy.version, activated_by=user
        )
        record(
            actor=user,
            action="policy.activated",
            subject=activation,
            before={"policy_id": previous.id, "policy_version": previous.version},
            after={"policy_id": policy.id, "policy_version": policy.version},
            policy_id=policy.id,
            policy_version=policy.version,
        )
        count = 0
        for model in AIModel.objects.select_related("organisation").iterator(chunk_size=500):
            redetermine(
                model, trigger=Determination.Trigger.POLICY_CHANGED, actor=user, policy=policy
            )
            count += 1
    return activation, count
