"""Read-only admin views of the registry: changes go through the services, which audit them."""

from __future__ import annotations

from django.contrib import admin

from clearinghouse.audit.admin_mixins import ReadOnlyModelAdmin

from .models import AIModel, Designation, Determination, PolicyActivation


@admin.register(AIModel)
class AIModelAdmin(ReadOnlyModelAdmin):
    """Registered models."""

    list_display = ["name", "version", "organisation", "covered", "planned_release_date"]
    list_filter = ["covered", "organisation"]
    search_fields = ["name"]


@admin.register(Determination)
class DeterminationAdmin(ReadOnlyModelAdmin):
    """Every determination ever made."""

    list_display = [
        "ai_model",
        "policy_id",
        "policy_version",
        "covered",
        "trigger",
        "determined_at",
    ]
    list_filter = ["policy_id", "covered", "trigger"]


admin.site.register(Designation, ReadOnlyModelAdmin)
admin.site.register(PolicyActivation, ReadOnlyModelAdmin)
