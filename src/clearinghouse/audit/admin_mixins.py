"""Makes changes made in the Django admin land in the audit log like any other state change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import ModelForm
from django.forms.models import model_to_dict
from django.http import HttpRequest

from clearinghouse.accounts.models import User

from .services import record

_SECRET_FIELDS = {"password", "digest"}


def _snapshot(obj: models.Model) -> dict[str, Any]:
    state = model_to_dict(obj)
    return {k: v for k, v in state.items() if k not in _SECRET_FIELDS}


class AuditedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin whose saves and deletions are audit events (secrets left out)."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        actor = request.user if isinstance(request.user, User) else None
        before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            action = f"{obj._meta.model_name}.{'changed' if change else 'created'}_in_admin"
            record(actor=actor, action=action, subject=obj, before=before, after=_snapshot(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        actor = request.user if isinstance(request.user, User) else None
        with transaction.atomic():
            record(
                actor=actor,
                action=f"{obj._meta.model_name}.deleted_in_admin",
                subject=obj,
                before=_snapshot(obj),
            )
            super().delete_model(request, obj)


class ReadOnlyModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An admin view that only shows: changes go through the services, which audit them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
