from __future__ import annotations

from django.contrib import admin

from .models import Delivery, Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "must_answer", "created_at", "acknowledged_at", "escalated_at")
    list_filter = ("must_answer",)
    search_fields = ("title", "key")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notification", "channel", "state", "attempts", "sent_at", "last_error")
    list_filter = ("channel", "state")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


admin.site.register(NotificationPreference)
