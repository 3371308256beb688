"""API of the model registry and the policies: thin handlers over `services`."""

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.core.policy import ModelDescription, determine
from clearinghouse.errors import InvalidInput
from clearinghouse.paging import Paged

from . import services
from .inputs import ActivatePolicy, Designate, RegisterModel, UpdateModel
from .models import AIModel, Determination
from .policies import active_policy, available_policies, get_policy

router = Router(tags=["frontier models"])


class DeterminationOut(Schema):
    """A coverage decision with each criterion's reason."""

    id: int
    policy_id: str
    policy_version: str
    covered: bool
    reasons: list[dict[str, Any]]
    trigger: str
    determined_at: dt.datetime


class ModelOut(Schema):
    """A registered model as its viewers see it."""

    id: int
    organisation: str
    name: str
    version: str
    training_compute_flop: float
    fine_tuning_compute_flop: float
    parameter_count: int | None
    modalities: list[str]
    capabilities: list[str]
    tools: list[str]
    planned_release_date: dt.date
    deployment_channels: list[str]
    cyber_capability_level: int | None
    covered: bool
    determination: DeterminationOut | None

    @staticmethod
    def resolve_organisation(model: AIModel) -> str:
        return model.organisation.name

    @staticmethod
    def resolve_determination(model: AIModel) -> Determination | None:
        # Lists prefetch only the newest determination per model (see `list_models`).
        latest = getattr(model, "latest_determination", None)
        if latest is not None:
            return latest[0] if latest else None
        return model.determinations.first()


class PolicyOut(Schema):
    """A policy file's identity and main settings."""

    id: str
    version: str
    title: str
    participation: str
    notice_period_days: int
    active: bool


class ActivationOut(Schema):
    """The policy now in force and how many models were determined again."""

    policy_id: str
    policy_version: str
    redetermined: int


class CheckOut(Schema):
    """A determination of a description that is not stored."""

    covered: bool
    policy_id: str
    policy_version: str
    reasons: list[dict[str, Any]]


def _visible_model(request: HttpRequest, model_id: int) -> AIModel:
    return get_object_or_404(
        visible(AIModel, signed_in(request)).select_related("organisation"), pk=model_id
    )


@router.get("/models", response=list[ModelOut])
@paginate(Paged)
def list_models(
    request: HttpRequest, covered: bool | None = None, **kwargs: Any
) -> QuerySet[AIModel]:
    """Models I may see: my lab's; reviewers and admins see the whole registry."""
    models = visible(AIModel, signed_in(request)).select_related("organisation")
    if covered is not None:
        models = models.filter(covered=covered)
    newest = Prefetch(
        "determinations", queryset=Determination.objects.all()[:1], to_attr="latest_determination"
    )
    return models.prefetch_related(newest).order_by("organisation__name", "name", "version", "id")


@router.post("/models", response={201: ModelOut})
def register_model(request: HttpRequest, payload: RegisterModel) -> Status[AIModel]:
    """Register a model of my lab; the response carries its determination."""
    return Status(201, services.register_model(signed_in(request), payload))


@router.get("/models/{model_id}", response=ModelOut)
def get_model(request: HttpRequest, model_id: int) -> AIModel:
    """One model with its current determination."""
    return _visible_model(request, model_id)


@router.patch("/models/{model_id}", response=ModelOut)
def update_model(request: HttpRequest, model_id: int, payload: UpdateModel) -> AIModel:
    """Change declared fields of my lab's model (any subset); coverage is decided again."""
    return services.update_model(signed_in(request), _visible_model(request, model_id), payload)


@router.get("/models/{model_id}/determinations", response=list[DeterminationOut])
@paginate(Paged)
def list_determinations(
    request: HttpRequest, model_id: int, **kwargs: Any
) -> QuerySet[Determination]:
    """The model's determination history, newest first."""
    return _visible_model(request, model_id).determinations.all()


@router.post("/models/{model_id}/designation", response={201: ModelOut})
def designate_model(request: HttpRequest, model_id: int, payload: Designate) -> Status[AIModel]:
    """Designate a model as covered (agency reviewers and admins)."""
    services.designate(signed_in(request), _visible_model(request, model_id), payload)
    return Status(201, _visible_model(request, model_id))


@router.get("/policies", response=list[PolicyOut])
def list_policies(request: HttpRequest) -> list[dict[str, Any]]:
    """The policies available, and which one is active."""
    active = active_policy().id
    return [
        {**policy.policy.model_dump(mode="json"), "active": policy.id == active}
        for policy in available_policies().values()
    ]


@router.post("/policies/active", response=ActivationOut)
def activate_policy(request: HttpRequest, payload: ActivatePolicy) -> dict[str, Any]:
    """Put a policy in force (admins); every model is determined again, history kept."""
    activation, count = services.activate_policy(signed_in(request), payload)
    return {
        "policy_id": activation.policy_id,
        "policy_version": activation.policy_version,
        "redetermined": count,
    }


@router.post("/policies/check", response=CheckOut)
def check_description(
    request: HttpRequest, payload: ModelDescription, policy: str | None = None
) -> dict[str, Any]:
    """Determine coverage of a model description without storing anything."""
    try:
        chosen = get_policy(policy) if policy else active_policy()
    except KeyError as error:
        raise InvalidInput.single("policy", str(error.args[0])) from None
    outcome = determine(payload, chosen)
    return outcome.as_dict()
