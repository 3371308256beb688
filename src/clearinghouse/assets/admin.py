"""Read-only admin views of operator scanning: changes go through the audited services."""

from __future__ import annotations

from django.contrib import admin

from clearinghouse.frontier.admin import _ReadOnly

from .models import Asset, Finding, Notification


@admin.register(Asset)
class AssetAdmin(_ReadOnly):
    """Registered SBOM assets."""

    list_display = ["name", "organisation", "sbom_format", "component_count", "uploaded_at"]
    list_filter = ["organisation"]


@admin.register(Finding)
class FindingAdmin(_ReadOnly):
    """Findings and their statuses."""

    list_display = ["advisory", "component", "asset", "verdict", "status"]
    list_filter = ["status", "verdict"]


admin.site.register(Notification, _ReadOnly)
