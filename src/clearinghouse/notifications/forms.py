"""The webhook registration form."""

from __future__ import annotations

from django import forms

from .services import EVENTS


class WebhookForm(forms.Form):
    """An endpoint URL and the events it wants (none ticked: all)."""

    url = forms.CharField(max_length=500, label="Endpoint URL (https)")
    events = forms.MultipleChoiceField(
        choices=[(event, event) for event in EVENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
