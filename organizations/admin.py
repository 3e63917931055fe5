from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Department, Enterprise, Industry, Position, PositionAssignment, Region, User
from .registry import save_enterprise


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    readonly_fields = ("path",)


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent")
    search_fields = ("name", "code")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "region", "is_default_supervisor", "duty_phone")
    list_filter = ("is_default_supervisor", "region")
    search_fields = ("name", "code")
    filter_horizontal = ("industries",)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "region", "industry", "licence_state", "operating_state", "is_key_unit")
    list_filter = ("licence_state", "operating_state", "is_key_unit")
    search_fields = ("name", "credit_code")
    list_select_related = ("region", "industry")
    autocomplete_fields = ("region", "industry")

    def save_model(self, request, obj, form, change) -> None:
        # The admin goes through the registry too, so its changes are checked and audited.
        try:
            save_enterprise(request.user, obj, reason=str(_("Changed in the administration")))
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), level="error")
            raise


class AssignmentInline(admin.TabularInline):
    model = PositionAssignment
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "unit_kind", "region", "department", "enterprise")
    list_filter = ("kind", "unit_kind")
    search_fields = ("title",)
    inlines = [AssignmentInline]
    autocomplete_fields = ("region", "department", "enterprise", "superior")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "unit_kind", "region", "department", "enterprise", "is_active")
    list_filter = ("unit_kind", "is_active", "is_staff")
    search_fields = ("username", "full_name", "phone")
    autocomplete_fields = ("region", "department", "enterprise")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Unit"), {"fields": ("full_name", "phone", "unit_kind", "region", "department", "enterprise")}),
    )
