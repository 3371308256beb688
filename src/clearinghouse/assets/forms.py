"""Page forms for scanning: they parse fields; the rules live in `inputs`, shared with the API."""

from __future__ import annotations

from django import forms

from .inputs import OperatorStatus
from .models import Finding


class AssetUploadForm(forms.Form):
    """An SBOM file and the name of the system it describes."""

    name = forms.CharField(max_length=200, help_text="The system this SBOM describes.")
    sbom = forms.FileField(
        label="SBOM", help_text="CycloneDX (JSON or XML) or SPDX 2 (JSON or tag-value)."
    )


class SbomReplaceForm(forms.Form):
    """A new version of an asset's SBOM."""

    sbom = forms.FileField(label="New SBOM", help_text="The system's current SBOM.")


_LABELS = {status: Finding.Status(status.value).label for status in OperatorStatus}


class FindingStatusForm(forms.Form):
    """What the operator did about a finding."""

    status = forms.ChoiceField(choices=[(s.value, _LABELS[s]) for s in OperatorStatus])
    reason = forms.CharField(required=False, help_text="Required when accepting the risk.")
    expires = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Risk accepted until"
    )
    seen = forms.CharField(required=False, widget=forms.HiddenInput)
