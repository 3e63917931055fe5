from __future__ import annotations

from django.contrib import admin

from .models import Campaign, ChecklistItem, ChecklistSection, ChecklistTemplate, ChecklistVersion, Inspection


class VersionInline(admin.TabularInline):
    model = ChecklistVersion
    extra = 0
    readonly_fields = ("number", "created_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # a new version comes from importing a changed template


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    inlines = [VersionInline]


class ItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(ChecklistSection)
class ChecklistSectionAdmin(admin.ModelAdmin):
    """Items can be corrected only while no inspection has used the version; after that, import a new version."""

    list_display = ("title", "version", "order")
    inlines = [ItemInline]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.version.in_use:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "starts_on", "ends_on", "lead_department")
    list_filter = ("kind",)
    filter_horizontal = ("regions", "industries", "versions")


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    """Read-only: inspections change through the inspection workflow (pages and API)."""

    list_display = ("enterprise", "kind", "date", "status", "lead", "score")
    list_filter = ("kind", "status")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
