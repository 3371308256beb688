"""Notices, their access grants, the two review tracks, assignments, findings and notes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from clearinghouse.accounts.models import Organisation, ReviewTrack
from clearinghouse.core.review import (
    AccessKind,
    Decision,
    NoticeStatus,
    TrackStatus,
    days_remaining,
)
from clearinghouse.fields import ExactJSONField
from clearinghouse.frontier.models import AIModel

_USER = settings.AUTH_USER_MODEL


def _choices(
    enum: type[NoticeStatus] | type[TrackStatus] | type[Decision] | type[AccessKind],
) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


class Notice(models.Model):
    """A lab's pre-deployment notice for one covered model, reviewed before its release date."""

    ai_model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="notices")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="notices",
        help_text="The lab; kept here so permission rules need no join.",
    )
    status = models.CharField(max_length=20, choices=_choices(NoticeStatus), default="draft")
    policy_id = models.CharField(max_length=64)
    policy_version = models.CharField(max_length=32)
    planned_release_date = models.DateField()
    review_deadline = models.DateTimeField(help_text="UTC; decisions are due before it.")
    training_data_summary = models.TextField(blank=True)
    stress_test_results = models.TextField(blank=True)
    overall_decision = models.CharField(max_length=30, choices=_choices(Decision), blank=True)
    overall_conditions = ExactJSONField(default=list)
    overdue_since = models.DateTimeField(null=True, blank=True)
    reminders_sent = ExactJSONField(default=list, help_text="Reminder points (days left) sent.")
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Released or withdrawn.")

    class Meta:
        ordering = ["review_deadline", "id"]
        indexes = [models.Index(fields=["status", "review_deadline"])]

    def __str__(self) -> str:
        return f"Notice #{self.pk} for {self.ai_model}"

    @property
    def days_left(self) -> int:
        """Whole days until the review deadline, as of now (negative once overdue)."""
        return days_remaining(self.review_deadline, timezone.now())


class AccessGrant(models.Model):
    """How reviewers reach the model. The secret is stored encrypted and never shown again."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="access_grants")
    kind = models.CharField(max_length=20, choices=_choices(AccessKind))
    base_url = models.CharField(max_length=500, blank=True)
    model = models.CharField(max_length=200)
    provider_args = ExactJSONField(default=dict)
    secret_ciphertext = models.BinaryField(null=True, blank=True, editable=False)
    secret_fingerprint = models.CharField(max_length=40, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.model}"


class TrackReview(models.Model):
    """One review track of a notice (national security or civilian) and its decision."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="tracks")
    track = models.CharField(max_length=20, choices=ReviewTrack.choices)
    status = models.CharField(max_length=20, choices=_choices(TrackStatus), default="open")
    decision = models.CharField(max_length=30, choices=_choices(Decision), blank=True)
    conditions = ExactJSONField(default=list)
    rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["notice", "track"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "track"], name="one_review_per_track")
        ]

    def __str__(self) -> str:
        return f"{self.notice}: {self.get_track_display()}"


class Assignment(models.Model):
    """A reviewer assigned to a track of a notice."""

    track_review = models.ForeignKey(
        TrackReview, on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="review_assignments")
    assigned_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["track_review", "reviewer"], name="assign_once")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.track_review}"


class Finding(models.Model):
    """What a track found; the lab sees it only once a reviewer releases it."""

    class Category(models.TextChoices):
        CYBER_OFFENSE = "cyber_offense", "Cyber offense"
        SAFEGUARDS = "safeguards", "Safeguards"
        AUTONOMY = "autonomy", "Autonomy"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    track_review = models.ForeignKey(TrackReview, on_delete=models.CASCADE, related_name="findings")
    category = models.CharField(max_length=20, choices=Category.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    assessment_reference = models.CharField(
        max_length=200, blank=True, help_text="The assessment run this finding rests on."
    )
    case_reference = models.CharField(
        max_length=200, blank=True, help_text="A clearinghouse case it produced."
    )
    released_to_lab_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class EvidenceFile(models.Model):
    """A file attached to a finding, kept with its digest so it can be shown unchanged."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class ReviewerNote(models.Model):
    """An internal note of a track's reviewers; never shown to the lab."""

    track_review = models.ForeignKey(TrackReview, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"note by {self.author} on {self.track_review}"
