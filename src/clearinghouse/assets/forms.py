"""Page forms for scanning; the rules live in `services`, shared with the API."""

from __future__ import annotations

from django import forms

from clearinghouse.errors import InvalidInput

from .services import OPERATOR_STATUSES


class _ServiceErrors(forms.Form):
    def add_service_errors(self, error: InvalidInput) -> None:
        """Show each rule the input broke next to its field."""
        for item in error.errors:
            field = item.loc[-1] if item.loc and item.loc[-1] in self.fields else None
            self.add_error(field, item.msg)


class AssetUploadForm(_ServiceErrors):
    """An SBOM file and the name of the system it describes."""

    name = forms.CharField(max_length=200, help_text="The system this SBOM describes.")
    sbom = forms.FileField(
        label="SBOM", help_text="CycloneDX (JSON or XML) or SPDX 2 (JSON or tag-value)."
    )


class SbomReplaceForm(forms.Form):
    """A new version of an asset's SBOM."""

    sbom = forms.FileField(label="New SBOM", help_text="The system's current SBOM.")


class FindingStatusForm(_ServiceErrors):
    """What the operator did about a finding."""

    status = forms.ChoiceField(choices=[(s.value, s.label) for s in OPERATOR_STATUSES])
    reason = forms.CharField(required=False, help_text="Required when accepting the risk.")
    expires = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Risk accepted until"
    )
