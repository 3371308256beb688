"""Forms of the assessment pages: they only pick their fields out of the request; every rule
is the commands' (`inputs`), whose refusal the page shows as its message.
"""

from __future__ import annotations

from django import forms


class StartRunForm(forms.Form):
    """The notice page's start button: a suite and, optionally, another model name."""

    suite = forms.CharField(required=False)
    model = forms.CharField(required=False)


class UploadLogForm(forms.Form):
    """The notice page's upload of an eval log run elsewhere."""

    file = forms.FileField(required=False)
