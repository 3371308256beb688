"""Read-only admin views of intake: changes go through the audited services."""

from __future__ import annotations

from django.contrib import admin

from clearinghouse.audit.admin_mixins import ReadOnlyModelAdmin

from .models import Report, Submission


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyModelAdmin):
    """Submitted documents and their processing."""

    list_display = ["id", "organisation", "format", "status", "total_items", "created_at"]
    list_filter = ["format", "status"]


@admin.register(Report)
class ReportAdmin(ReadOnlyModelAdmin):
    """Reports and their triage state."""

    list_display = ["id", "title", "organisation", "status", "ssvc_decision", "priority_points"]
    list_filter = ["status", "source_format", "ssvc_decision", "in_kev"]
    search_fields = ["title"]
