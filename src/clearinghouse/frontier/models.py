"""Registered AI models, agency designations, coverage determinations and policy activations."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clearinghouse.accounts.models import Organisation
from clearinghouse.fields import ExactJSONField


class AIModel(models.Model):
    """A model a lab registered, as declared; `covered` mirrors its latest determination."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="models")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=100)
    training_compute_flop = models.FloatField()
    fine_tuning_compute_flop = models.FloatField(default=0.0)
    parameter_count = models.BigIntegerField(null=True, blank=True)
    modalities = models.JSONField(default=list)
    capabilities = models.JSONField(default=list)
    tools = models.JSONField(default=list)
    planned_release_date = models.DateField()
    deployment_channels = models.JSONField(default=list)
    cyber_capability_level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Highest level reached in a completed cyber assessment."
    )
    covered = models.BooleanField(default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "AI model"
        ordering = ["organisation__name", "name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "version"], name="aimodel_unique_per_lab"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Designation(models.Model):
    """An authorised agency's designation of a model as covered; its grounds are not stored."""

    ai_model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="designations")
    authority = models.CharField(max_length=200)
    reference = models.CharField(max_length=200)
    designated_on = models.DateField()
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.authority} {self.reference}"


class Determination(models.Model):
    """One coverage decision, kept forever: the model's history across policy versions."""

    class Trigger(models.TextChoices):
        REGISTERED = "registered", "Model registered"
        UPDATED = "updated", "Model updated"
        DESIGNATED = "designated", "Designation changed"
        POLICY_CHANGED = "policy_changed", "Active policy changed"

    ai_model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="determinations")
    policy_id = models.CharField(max_length=64)
    policy_version = models.CharField(max_length=32)
    covered = models.BooleanField()
    reasons = ExactJSONField()
    description = ExactJSONField(help_text="The model description the decision was made on.")
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    determined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-determined_at", "-id"]
        get_latest_by = ["determined_at", "id"]

    def __str__(self) -> str:
        return f"{self.ai_model}: {'covered' if self.covered else 'not covered'} ({self.policy_id})"


class PolicyActivation(models.Model):
    """Which policy is in force since when; the newest row is the active policy."""

    policy_id = models.CharField(max_length=64)
    policy_version = models.CharField(max_length=32)
    activated_at = models.DateTimeField(auto_now_add=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-activated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.policy_id} v{self.policy_version}"
