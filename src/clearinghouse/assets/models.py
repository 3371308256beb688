"""Operators' SBOM assets, their components, and findings per component and advisory."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clearinghouse.accounts.models import Organisation
from clearinghouse.advisories.models import Advisory


class Asset(models.Model):
    """An SBOM an operator registered under a name: one system it runs."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assets")
    name = models.CharField(max_length=200)
    filename = models.CharField(max_length=255, blank=True)
    sbom_format = models.CharField(max_length=40)
    spec_version = models.CharField(max_length=20, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    component_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1, help_text="SBOM versions uploaded so far.")

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="asset_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class AssetRevision(models.Model):
    """One SBOM version of an asset: the first upload, then each replacement and its diff."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    filename = models.CharField(max_length=255, blank=True)
    sbom_format = models.CharField(max_length=40)
    spec_version = models.CharField(max_length=20, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    component_count = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "number"], name="assetrevision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.asset} #{self.number}"


class Component(models.Model):
    """One SBOM component; `ecosystem`/`package` are its matcher key, empty when it has none.

    `problem` says why its verdicts are unknown (no version, a purl that does not parse, an
    ecosystem whose versions cannot be ordered): shown to the operator, never read as safe.
    """

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(max_length=500)
    version = models.CharField(max_length=200, blank=True)
    purl = models.TextField(blank=True)
    ecosystem = models.CharField(max_length=100, blank=True)
    ecosystem_base = models.CharField(max_length=100, blank=True)
    package = models.CharField(max_length=500, blank=True)
    problem = models.TextField(blank=True)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="Gone from a later SBOM; kept for its findings' history."
    )

    class Meta:
        ordering = ["name", "version"]
        indexes = [models.Index(fields=["ecosystem_base", "package"], name="component_key")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


class Finding(models.Model):
    """An advisory that affects (or may affect) a component, and what the operator did about it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED_RISK = "accepted_risk", "Accepted risk"
        REMEDIATED = "remediated", "Remediated"
        RESOLVED = "resolved", "No longer applies"

    class Verdict(models.TextChoices):
        AFFECTED = "affected", "Affected"
        UNKNOWN = "unknown", "Unknown (could not be evaluated)"

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="findings")
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="findings")
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="findings")
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    reason = models.TextField(blank=True, help_text="The matcher's evidence.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    risk_reason = models.TextField(blank=True)
    risk_expires = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset", "component__name", "advisory__osv_id"]
        constraints = [
            models.UniqueConstraint(fields=["component", "advisory"], name="finding_unique")
        ]
        indexes = [
            models.Index(fields=["asset", "status"], name="finding_asset_status"),
            models.Index(fields=["advisory", "status"], name="finding_advisory_status"),
        ]

    def __str__(self) -> str:
        return f"{self.advisory} in {self.component}"


class FindingStatusChange(models.Model):
    """One move of a finding's status: the feature data of the trend and a finding's timeline.

    Written in the transaction that changes the finding (by the operator's command or by
    matching), so the trend never has to read the audit log back.
    """

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Finding.Status.choices)
    from_risk_expires = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Finding.Status.choices)
    risk_expires = models.DateField(null=True, blank=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    why = models.TextField(blank=True, help_text="The operator's reason or matching's.")

    class Meta:
        ordering = ["finding", "at", "pk"]
        indexes = [
            models.Index(fields=["at"], name="findingchange_at"),
            models.Index(fields=["finding", "at"], name="findingchange_finding_at"),
        ]

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.from_status} -> {self.status}"
