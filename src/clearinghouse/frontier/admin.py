"""Read-only admin views of the registry: changes go through the services, which audit them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AIModel, Designation, Determination, PolicyActivation


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AIModel)
class AIModelAdmin(_ReadOnly):
    """Registered models."""

    list_display = ["name", "version", "organisation", "covered", "planned_release_date"]
    list_filter = ["covered", "organisation"]
    search_fields = ["name"]


@admin.register(Determination)
class DeterminationAdmin(_ReadOnly):
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


admin.site.register(Designation, _ReadOnly)
admin.site.register(PolicyActivation, _ReadOnly)
