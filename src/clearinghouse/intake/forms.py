"""Page forms for intake; the rules live in `services`, shared with the API."""

from __future__ import annotations

from typing import Any

from django import forms

from .documents import Format
from .models import ReporterKind

_FORMATS = [("", "Detect from the document"), *[(f.value, f.label) for f in Format]]


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
    format = forms.ChoiceField(choices=_FORMATS, required=False)
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
    """A coordinator's decision on one report."""

    action = forms.ChoiceField(
        choices=[(a, a) for a in ("accept", "decline", "duplicate", "merge", "unmerge", "reopen")]
    )
    reason = forms.CharField(required=False, max_length=2000)
    duplicate_of = forms.IntegerField(required=False, min_value=1)


class BulkForm(forms.Form):
    """One decision for the reports ticked in the queue."""

    report_ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)
    action = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline"), ("duplicate", "Mark duplicate")]
    )
    reason = forms.CharField(required=False, max_length=2000)
    duplicate_of = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, report_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report_ids"].choices = [(pk, pk) for pk in report_ids]  # type: ignore[attr-defined]
