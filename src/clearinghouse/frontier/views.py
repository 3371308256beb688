"""Registry pages: list, register (with a live coverage preview), model page, policies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from clearinghouse.accounts.permissions import can, require, signed_in, visible
from clearinghouse.audit.history import history_for
from clearinghouse.core.policy import ModelDescription, determine
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.inputs import parse, show_errors
from clearinghouse.paging import page_of

from . import services
from .forms import ActivatePolicyForm, DesignationForm, ModelRegistrationForm
from .inputs import ActivatePolicy, Designate, RegisterModel, UpdateModel
from .models import AIModel
from .policies import active_policy, available_policies


def _visible_model(request: HttpRequest, model_id: int) -> AIModel:
    return get_object_or_404(
        visible(AIModel, signed_in(request)).select_related("organisation"), pk=model_id
    )


@login_required
def model_list(request: HttpRequest) -> HttpResponse:
    """The models the user may see, with coverage, a page at a time."""
    user = signed_in(request)
    models = visible(AIModel, user).select_related("organisation")
    context = {
        "page": page_of(request, models.order_by("organisation__name", "name", "version", "id")),
        "may_register": can(user, "frontier.register"),
    }
    return render(request, "frontier/list.html", context)


def _save_form(
    request: HttpRequest, form: ModelRegistrationForm, model: AIModel | None
) -> AIModel | None:
    if not form.is_valid():
        return None
    try:
        if model is None:
            command = parse(RegisterModel, form.declaration(keep_empty=False))
            return services.register_model(signed_in(request), command)
        changes = parse(UpdateModel, form.declaration(keep_empty=True))
        return services.update_model(signed_in(request), model, changes)
    except InvalidInput as error:
        show_errors(form, error)
    except Conflict as error:
        form.add_error(None, str(error))
    return None


def _form_context(form: ModelRegistrationForm, editing: AIModel | None) -> dict[str, object]:
    required = {name for name, field in RegisterModel.model_fields.items() if field.is_required()}
    return {"form": form, "editing": editing, "required": required}


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """A lab developer registers a model; the page shows its determination next."""
    require(signed_in(request), "frontier.register")
    form = ModelRegistrationForm(request.POST or None)
    if request.method == "POST" and (model := _save_form(request, form, None)):
        messages.success(request, f"{model} registered.")
        return redirect("frontier:detail", model_id=model.pk)
    return render(request, "frontier/register.html", _form_context(form, None))


@login_required
def edit(request: HttpRequest, model_id: int) -> HttpResponse:
    """The owning lab changes its declaration; coverage is decided again."""
    model = _visible_model(request, model_id)
    require(signed_in(request), "frontier.change_model", model)
    form = ModelRegistrationForm(request.POST or None, initial=services.declaration_of(model))
    if request.method == "POST" and _save_form(request, form, model):
        messages.success(request, f"{model} updated.")
        return redirect("frontier:detail", model_id=model.pk)
    return render(request, "frontier/register.html", _form_context(form, model))


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """htmx: the determination the form's current values would get, before registering."""
    user = signed_in(request)
    form = ModelRegistrationForm(request.POST)
    outcome, problem = None, None
    if form.is_valid():
        developer = user.organisation.name if user.organisation else user.username
        try:
            description = ModelDescription.model_validate(
                form.declaration(keep_empty=False) | {"developer": developer}
            )
            outcome = determine(description, active_policy())
        except ValidationError as error:
            problem = str(InvalidInput.from_validation(error))
    else:
        problem = "Correct the fields marked to see the determination."
    return render(request, "frontier/_preview.html", {"outcome": outcome, "problem": problem})


def _detail(
    request: HttpRequest, model: AIModel, designation_form: DesignationForm | None = None
) -> HttpResponse:
    user = signed_in(request)
    context = {
        "model": model,
        "determinations": visible(model.determinations.all(), user),
        "designation": services.current_designation(model),
        "history": history_for(user, model),
        "can_edit": can(user, "frontier.change_model", model),
        "can_designate": can(user, "frontier.designate", model),
        "designation_form": designation_form or DesignationForm(),
    }
    status = 422 if designation_form is not None else 200
    return render(request, "frontier/detail.html", context, status=status)


@login_required
def detail(request: HttpRequest, model_id: int) -> HttpResponse:
    """A model's declaration, current determination, determination history and audit trail."""
    return _detail(request, _visible_model(request, model_id))


@login_required
@require_POST
def designate(request: HttpRequest, model_id: int) -> HttpResponse:
    """An agency designates the model as covered; a refusal is shown next to its field."""
    model = _visible_model(request, model_id)
    form = DesignationForm(request.POST)
    if form.is_valid():
        try:
            command = parse(Designate, form.designation())
            services.designate(signed_in(request), model, command)
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            messages.error(request, str(error))
            return redirect("frontier:detail", model_id=model.pk)
        else:
            messages.success(request, f"{model} designated.")
            return redirect("frontier:detail", model_id=model.pk)
    return _detail(request, model, form)


@login_required
def policies(request: HttpRequest) -> HttpResponse:
    """The policies, their criteria, and (admins) switching the active one."""
    user = signed_in(request)
    if request.method == "POST":
        require(user, "frontier.activate_policy")
        form = ActivatePolicyForm(request.POST)
        try:
            command = parse(ActivatePolicy, form.cleaned_data if form.is_valid() else {})
            activation, count = services.activate_policy(user, command)
            messages.success(
                request, f"{activation.policy_id} is now active; {count} models determined again."
            )
        except InvalidInput as error:
            messages.error(request, str(error))
        return redirect("frontier:policies")
    context = {"policies": available_policies().values(), "active": active_policy()}
    return render(request, "frontier/policies.html", context)
