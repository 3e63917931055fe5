from __future__ import annotations

from django.contrib import admin

from .models import Hazard, HazardCategory, HazardEvent


@admin.register(HazardCategory)
class HazardCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "is_active", "sort")
    list_editable = ("is_active", "sort")


class EventInline(admin.TabularInline):
    model = HazardEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "from_status", "to_status", "reason", "data")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Hazard)
class HazardAdmin(admin.ModelAdmin):
    """Read-only: every change goes through hazards.workflow (pages and API), which checks and records it."""

    list_display = ("code", "title", "enterprise", "level", "status", "deadline")
    list_filter = ("status", "level", "category")
    search_fields = ("code", "title")
    list_select_related = ("enterprise",)
    inlines = [EventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
