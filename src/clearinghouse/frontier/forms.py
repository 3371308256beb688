"""The registry's forms: they only parse fields; the rules are the commands' (`inputs`)."""

from __future__ import annotations

from typing import Any

from django import forms

from clearinghouse.core.policy import Capability, DeploymentChannel, Modality, Tool


def _choices(enum: type[Any]) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


class ModelRegistrationForm(forms.Form):
    """Collects a lab's declaration; `RegisterModel` checks it, with the API's rules.

    Nothing is required here: a missing value reaches the command, which names it.
    """

    name = forms.CharField(required=False)
    version = forms.CharField(required=False)
    training_compute_flop = forms.FloatField(
        label="Training compute (FLOP)",
        help_text="Pre-training compute, e.g. 3e25.",
        required=False,
    )
    fine_tuning_compute_flop = forms.FloatField(
        label="Fine-tuning compute (FLOP)", required=False, initial=0.0
    )
    parameter_count = forms.IntegerField(required=False)
    modalities = forms.MultipleChoiceField(
        choices=_choices(Modality),
        widget=forms.CheckboxSelectMultiple,
        initial=["text"],
        required=False,
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
    planned_release_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    deployment_channels = forms.MultipleChoiceField(
        choices=_choices(DeploymentChannel), widget=forms.CheckboxSelectMultiple, required=False
    )

    def declaration(self, *, keep_empty: bool) -> dict[str, Any]:
        """The parsed values for a command.

        Registering, an empty field is left out (the command's default, or its "required");
        editing, it is kept: an emptied optional field is cleared, an emptied required one
        refused.
        """
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if keep_empty or value is not None
        }


class DesignationForm(forms.Form):
    """An agency's designation of a model (`Designate` checks it)."""

    authority = forms.CharField(required=False, help_text="The designating agency.")
    reference = forms.CharField(required=False, help_text="The designation's reference number.")
    designated_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)

    def designation(self) -> dict[str, Any]:
        """The parsed values for the command; an empty date is left for it to refuse."""
        return {name: value for name, value in self.cleaned_data.items() if value is not None}


class ActivatePolicyForm(forms.Form):
    """Which policy an admin puts in force (`ActivatePolicy` checks it)."""

    policy_id = forms.CharField(required=False)
