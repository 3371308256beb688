"""Read-only admin views of operator scanning: changes go through the audited services."""

from __future__ import annotations

from django.contrib import admin

from clearinghouse.audit.admin_mixins import ReadOnlyModelAdmin

from .models import Asset, Finding


@admin.register(Asset)
class AssetAdmin(ReadOnlyModelAdmin):
    """Registered SBOM assets."""

    list_display = ["name", "organisation", "sbom_format", "component_count", "uploaded_at"]
    list_filter = ["organisation"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyModelAdmin):
    """Findings and their statuses."""

    list_display = ["advisory", "component", "asset", "verdict", "status"]
    list_filter = ["status", "verdict"]
