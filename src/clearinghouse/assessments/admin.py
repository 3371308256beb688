"""Read-only admin views: runs and candidates change only through the services, which audit."""

from __future__ import annotations

from django.contrib import admin

from clearinghouse.audit.admin_mixins import ReadOnlyModelAdmin

from .models import AssessmentRun, CandidateReport


@admin.register(AssessmentRun)
class AssessmentRunAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "notice", "suite", "origin", "status", "created_at")
    list_filter = ("status", "origin", "suite")


@admin.register(CandidateReport)
class CandidateReportAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "run", "cwe", "sample_id", "matches_ground_truth")
