"""Read-only admin views of the advisory store: feeds change it through `import osv`."""

from __future__ import annotations

from django.contrib import admin

from clearinghouse.audit.admin_mixins import ReadOnlyModelAdmin

from .models import Advisory, AdvisoryImport


@admin.register(Advisory)
class AdvisoryAdmin(ReadOnlyModelAdmin):
    """Stored advisories."""

    list_display = ["osv_id", "severity", "modified", "withdrawn"]
    list_filter = ["severity"]
    search_fields = ["osv_id", "summary"]


@admin.register(AdvisoryImport)
class AdvisoryImportAdmin(ReadOnlyModelAdmin):
    """Import runs and their counts."""

    list_display = ["source", "started_at", "new", "updated", "unchanged", "withdrawn", "refused"]
