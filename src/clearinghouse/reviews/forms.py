"""Forms of the review pages: they parse fields; the rules are the commands' (`inputs`)."""

from __future__ import annotations

from django import forms

from clearinghouse.core.review import AccessKind, Decision

from .models import Finding


class NoticeForm(forms.Form):
    """A notice's release date and the disclosures a mandatory policy requires."""

    planned_release_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    training_data_summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    stress_test_results = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Stress-test (red-team) results",
    )


class AccessGrantForm(forms.Form):
    """How reviewers reach the model; the key field is never filled back in."""

    kind = forms.ChoiceField(choices=[(k.value, k.value.replace("_", " ")) for k in AccessKind])
    base_url = forms.CharField(required=False, label="Base URL (OpenAI-compatible)")
    model = forms.CharField(label="Model name or provider/model")
    api_key = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))


class FindingForm(forms.Form):
    """A reviewer's finding."""

    category = forms.ChoiceField(choices=Finding.Category.choices)
    severity = forms.ChoiceField(choices=Finding.Severity.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    assessment_reference = forms.CharField(required=False, max_length=200)
    evidence = forms.FileField(required=False)


class DecisionForm(forms.Form):
    """A track's decision; conditions one per line."""

    decision = forms.ChoiceField(choices=[(d.value, d.value.replace("_", " ")) for d in Decision])
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="For a clearance with conditions: one condition per line.",
    )


class AssignForm(forms.Form):
    """The reviewer to assign, by user name."""

    reviewer = forms.CharField()


class NoteForm(forms.Form):
    """An internal note."""

    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Internal note")
