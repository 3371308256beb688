"""Admin pages for organisations, users and tokens (platform admins only)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from clearinghouse.audit.admin_mixins import AuditedModelAdmin, ReadOnlyModelAdmin

from .models import ApiToken, Organisation, ProviderIdentity, User


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    """Organisations with their kind, sector and track."""

    list_display = ["name", "kind", "sector", "track"]
    list_filter = ["kind", "sector", "track"]
    search_fields = ["name"]


@admin.register(User)
class ClearinghouseUserAdmin(AuditedModelAdmin, UserAdmin):  # type: ignore[type-arg]
    """Django's user admin plus role and organisation."""

    list_display = ["username", "email", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Program", {"fields": ("role", "organisation")}))
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Program", {"fields": ("role", "organisation")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are listed by hint; secrets are never stored, so never shown."""

    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "hint", "created_at", "last_used_at"]


@admin.register(ProviderIdentity)
class ProviderIdentityAdmin(ReadOnlyModelAdmin):
    """Who signs in through which provider; links are made by single sign-on only."""

    list_display = ["subject", "issuer", "user", "created_at", "last_signed_in_at"]
    search_fields = ["subject", "user__username"]


# django-otp's own admin edits devices unaudited and shows their secret key; ours only lists
# them (`clearinghouse totp reset USERNAME` removes one, audited).
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(ReadOnlyModelAdmin):
    """Users' TOTP authenticators, without their keys."""

    list_display = ["user", "name", "confirmed", "last_used_at", "created_at"]
    fields = ["user", "name", "confirmed", "last_used_at", "created_at"]
    list_filter = ["confirmed"]
