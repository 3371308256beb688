"""Read-only admin views of deliveries: where admins read a failure's full detail."""

from __future__ import annotations

from django.contrib import admin

from clearinghouse.audit.admin_mixins import ReadOnlyModelAdmin

from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "event", "channel", "recipient", "status", "attempts", "created_at")
    list_filter = ("status", "channel", "event")
