"""The webhook registration form: it only collects fields; `RegisterWebhook` holds the rules."""

from __future__ import annotations

from django import forms

from .inputs import Event


class WebhookForm(forms.Form):
    """An endpoint URL and the events it wants (none ticked: all)."""

    url = forms.CharField(label="Endpoint URL (https)")
    events = forms.MultipleChoiceField(
        choices=[(event.value, event.value) for event in Event],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
