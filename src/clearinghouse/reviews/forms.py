"""Forms of the review pages: they only parse fields; every rule is the commands' (`inputs`).

No field is required and choices are offered, not checked, here: a missing or wrong value
reaches the command, which refuses it with its one message (shown next to the field).
"""

from __future__ import annotations

from enum import StrEnum

from django import forms

from clearinghouse.core.review import AccessKind, Decision

from .models import Finding


def _select(choices: list[tuple[str, str]]) -> forms.CharField:
    return forms.CharField(required=False, widget=forms.Select(choices=choices))


def _options(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


def _text(rows: int, label: str | None = None) -> forms.CharField:
    return forms.CharField(required=False, label=label, widget=forms.Textarea(attrs={"rows": rows}))


class NoticeForm(forms.Form):
    """A notice's release date and the disclosures a mandatory policy requires."""

    planned_release_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    training_data_summary = _text(3)
    stress_test_results = _text(3, "Stress-test (red-team) results")


class AccessGrantForm(forms.Form):
    """How reviewers reach the model; the key field is never filled back in."""

    kind = _select(_options(AccessKind))
    base_url = forms.CharField(required=False, label="Base URL (OpenAI-compatible)")
    model = forms.CharField(required=False, label="Model name or provider/model")
    api_key = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))


class FindingForm(forms.Form):
    """A reviewer's finding, with an optional evidence file."""

    category = _select(Finding.Category.choices)
    severity = _select(Finding.Severity.choices)
    title = forms.CharField(required=False)
    description = _text(3)
    assessment_reference = forms.CharField(required=False)
    evidence = forms.FileField(required=False)


class DecisionForm(forms.Form):
    """A track's decision; conditions one per line."""

    decision = _select(_options(Decision))
    rationale = _text(3)
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="For a clearance with conditions: one condition per line.",
    )


class AssignForm(forms.Form):
    """The reviewer to assign, by user name."""

    reviewer = forms.CharField(required=False)


class NoteForm(forms.Form):
    """An internal note."""

    body = _text(2, "Internal note")
