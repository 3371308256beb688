"""The registration form; validation rules live in the core declaration, not here."""

from __future__ import annotations

from typing import Any

from django import forms

from clearinghouse.core.policy import Capability, DeploymentChannel, Modality, Tool


def _choices(enum: type[Any]) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


class ModelRegistrationForm(forms.Form):
    """Collects a lab's declaration; `services` validates it with the same rules as the API."""

    name = forms.CharField(max_length=200)
    version = forms.CharField(max_length=100)
    training_compute_flop = forms.FloatField(
        label="Training compute (FLOP)", help_text="Pre-training compute, e.g. 3e25."
    )
    fine_tuning_compute_flop = forms.FloatField(
        label="Fine-tuning compute (FLOP)", required=False, initial=0.0
    )
    parameter_count = forms.IntegerField(required=False, min_value=0)
    modalities = forms.MultipleChoiceField(
        choices=_choices(Modality), widget=forms.CheckboxSelectMultiple, initial=["text"]
    )
    capabilities = forms.MultipleChoiceField(
        choices=_choices(Capability),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Autonomous tool use: the model acts through tools without a human "
        "approving each step.",
    )
    tools = forms.MultipleChoiceField(
        choices=_choices(Tool), widget=forms.CheckboxSelectMultiple, required=False
    )
    planned_release_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    deployment_channels = forms.MultipleChoiceField(
        choices=_choices(DeploymentChannel), widget=forms.CheckboxSelectMultiple, required=False
    )

    def declaration(self) -> dict[str, Any]:
        """The cleaned values in the shape the services take."""
        data = dict(self.cleaned_data)
        data["fine_tuning_compute_flop"] = data.get("fine_tuning_compute_flop") or 0.0
        return data


class DesignationForm(forms.Form):
    """An agency's designation of a model."""

    authority = forms.CharField(max_length=200, help_text="The designating agency.")
    reference = forms.CharField(max_length=200, help_text="The designation's reference number.")
    designated_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class ActivatePolicyForm(forms.Form):
    """Which policy an admin puts in force."""

    policy_id = forms.CharField(max_length=64)
