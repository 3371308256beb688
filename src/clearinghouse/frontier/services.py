"""The registry's workflow: register, update, designate, re-determine; each step audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from pydantic import ValidationError

from clearinghouse.accounts.models import OrganisationKind, Role, User
from clearinghouse.audit.services import record
from clearinghouse.core.policy import (
    Designation as DesignationFacts,
)
from clearinghouse.core.policy import (
    LabDeclaration,
    ModelDescription,
    Policy,
    determine,
)
from clearinghouse.errors import Conflict, FieldError, InvalidInput

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


def _require_lab_developer(user: User) -> None:
    if not (
        user.role == Role.DEVELOPER
        and user.organisation is not None
        and user.organisation.kind == OrganisationKind.LAB
    ):
        raise PermissionDenied("only developers of an AI lab register and change models")


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


def register_model(user: User, data: Mapping[str, Any]) -> AIModel:
    """A lab developer registers a model; it gets a determination under the active policy."""
    _require_lab_developer(user)
    declaration = _validate_declaration(data)
    assert user.organisation is not None
    with transaction.atomic():
        try:
            with transaction.atomic():
                model = AIModel.objects.create(
                    organisation=user.organisation,
                    registered_by=user,
                    **declaration.model_dump(),
                )
        except IntegrityError:
            raise Conflict(
                f"{user.organisation.name} already registered {declaration.name} "
                f"{declaration.version}"
            ) from None
        record(
            actor=user,
            action="model.registered",
            subject=model,
            after=declaration.model_dump(mode="json"),
        )
        redetermine(model, trigger=Determination.Trigger.REGISTERED, actor=user)
    return model


def update_model(user: User, model: AIModel, changes: Mapping[str, Any]) -> AIModel:
    """The owning lab changes what it declared; coverage is decided again."""
    _require_lab_developer(user)
    if model.organisation_id != user.organisation_id:
        raise PermissionDenied("a lab changes only its own models")
    unknown = sorted(set(changes) - set(DECLARED_FIELDS))
    if unknown:
        raise InvalidInput(
            [FieldError((name,), "not a field a lab can change") for name in unknown]
        )
    before = LabDeclaration.model_validate(declaration_of(model), context={"stored": True})
    after = _validate_declaration(before.model_dump(mode="json") | dict(changes))
    with transaction.atomic():
        for name, value in after.model_dump().items():
            setattr(model, name, value)
        try:
            with transaction.atomic():
                model.save()
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


def designate(
    user: User, model: AIModel, *, authority: str, reference: str, designated_on: dt.date
) -> Designation:
    """An agency reviewer or an admin designates a model as covered (grounds stay classified)."""
    if not (user.is_program_admin or user.role == Role.REVIEWER):
        raise PermissionDenied("only an authorised agency or an admin designates models")
    try:
        facts = DesignationFacts(
            authority=authority, reference=reference, designated_on=designated_on
        )
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None
    with transaction.atomic():
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


def activate_policy(user: User, policy_id: str) -> tuple[PolicyActivation, int]:
    """An admin puts a policy in force; every registered model is determined again under it.

    Returns the activation and how many models were re-determined. Earlier determinations
    stay as the models' history.
    """
    if not user.is_program_admin:
        raise PermissionDenied("only admins change the active policy")
    try:
        policy = get_policy(policy_id)
    except KeyError as error:
        raise InvalidInput.single("policy_id", str(error.args[0])) from None
    previous = active_policy()
    with transaction.atomic():
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
