"""OSV advisories as stored, the package keys they name (the inverted index), and import runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clearinghouse.fields import ExactJSONField


class Severity(models.TextChoices):
    """An advisory's severity, from its `database_specific.severity` or its CVSS vector."""

    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    UNKNOWN = "unknown", "Unknown"


class Advisory(models.Model):
    """One OSV record, kept whole; a newer `modified` replaces it, an older one is ignored."""

    osv_id = models.CharField("OSV id", max_length=255, unique=True)
    modified = models.DateTimeField()
    published = models.DateTimeField(null=True, blank=True)
    withdrawn = models.DateTimeField(null=True, blank=True)
    aliases = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.UNKNOWN)
    document = ExactJSONField(help_text="The OSV record exactly as imported.")
    source = models.CharField(max_length=500, blank=True, help_text="File or archive member.")
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "advisories"
        ordering = ["-modified", "osv_id"]

    def __str__(self) -> str:
        return self.osv_id


class AffectedPackage(models.Model):
    """A package key an advisory names: (OSV ecosystem, normalised name). The inverted index.

    A changed advisory re-matches only the components under its keys, found through the
    (ecosystem, name) index, never by scanning every component.
    """

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="packages")
    ecosystem = models.CharField(max_length=100)
    name = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["advisory", "ecosystem", "name"], name="affectedpackage_unique"
            )
        ]
        indexes = [models.Index(fields=["ecosystem", "name"], name="affectedpackage_key")]

    def __str__(self) -> str:
        return f"{self.ecosystem}/{self.name}"


class AdvisoryImport(models.Model):
    """One run of `import osv`: where from, who, and what changed (the audit event's subject)."""

    source = models.CharField(max_length=1000)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    lenient = models.PositiveIntegerField(
        default=0, help_text="Records accepted with abbreviated GIT commit hashes."
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"import of {self.source}"
