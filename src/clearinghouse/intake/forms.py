"""Page forms for intake: they parse fields; the rules live in `inputs`, shared with the API."""

from __future__ import annotations

from typing import Any

from django import forms

from .inputs import TriageAction
from .models import ReporterKind
from .readers import formats


def _format_choices() -> list[tuple[str, str]]:
    # Called when a form is built: every registered format, however late it registered.
    return [("", "Detect from the document"), *[(f.value, f.label) for f in formats()]]


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files (bulk upload)."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more uploaded files."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class SubmitForm(forms.Form):
    """A document to paste, or one or more files to upload, and who found the vulnerabilities."""

    documents = MultipleFileField(
        required=False,
        label="Documents",
        help_text="One or more files: OSV (JSON/YAML), CSAF 2.0, CVE JSON 5, SARIF 2.1.0 or "
        "native JSON. Each file is one submission.",
    )
    text = forms.CharField(
        required=False,
        label="Or paste one document",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    format = forms.ChoiceField(choices=_format_choices, required=False)
    reporter_kind = forms.ChoiceField(
        choices=[("", "From my role"), *ReporterKind.choices], required=False, label="Found by"
    )
    model = forms.CharField(required=False, max_length=200, label="AI model that found them")
    assessment = forms.CharField(
        required=False, max_length=500, label="Assessment reference", help_text="Labs only."
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("documents") and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError("Upload a file or paste a document.")
        return cleaned


class TriageForm(forms.Form):
    """A coordinator's decision on one report; the rules are `inputs.Triage`'s."""

    action = forms.ChoiceField(choices=[(a.value, a.value) for a in TriageAction])
    reason = forms.CharField(required=False)
    duplicate_of = forms.IntegerField(required=False)
    despite_conflict = forms.BooleanField(required=False)


class BulkForm(TriageForm):
    """One decision for the ticked reports, or for all reports matching the queue's filter.

    The ticked ids come as the list `report_ids`; with `scope` "matching", `expected` is the
    count the coordinator saw, and the decision is made only once `confirmed` (the rules are
    `inputs.BulkTriage`'s).
    """

    scope = forms.ChoiceField(
        choices=[("ticked", "ticked"), ("matching", "matching")], required=False
    )
    expected = forms.IntegerField(required=False)
    confirmed = forms.BooleanField(required=False)


class SplitForm(forms.Form):
    """The member to take out of a duplicate group; the rules are `inputs.SplitCluster`'s."""

    member = forms.IntegerField()


class MergeForm(forms.Form):
    """A report (or its group) to bring into a duplicate group (`inputs.MergeCluster`'s rules)."""

    report = forms.IntegerField()
    whole_group = forms.TypedChoiceField(
        choices=[("true", "its whole group"), ("false", "the report alone")],
        coerce=lambda value: value == "true",
        required=False,
    )
    despite_conflict = forms.BooleanField(required=False)


def given(cleaned: dict[str, Any]) -> dict[str, Any]:
    """A form's cleaned data without the fields left empty, for `parse` (defaults apply)."""
    return {name: value for name, value in cleaned.items() if value not in (None, "")}
