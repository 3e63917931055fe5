from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from .assignments import assign, check_assignment, end_assignment
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
    """Read-only: who holds a position changes under "position assignments", through `assignments.py` (audited)."""

    model = PositionAssignment
    extra = 0
    fields = readonly_fields = ("user", "started_at", "ended_at")
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "unit_kind", "region", "department", "enterprise")
    list_filter = ("kind", "unit_kind")
    search_fields = ("title",)
    inlines = [AssignmentInline]
    autocomplete_fields = ("region", "department", "enterprise", "superior")


class AssignmentForm(forms.ModelForm):
    """A new assignment; `assignments.check_assignment` runs in `clean`, so a refusal shows on the form."""

    actor: User | None = None  # set per request by PositionAssignmentAdmin.get_form
    note = forms.CharField(label=_("note"), required=False, max_length=200, help_text=_("Kept with the audit record."))

    class Meta:
        model = PositionAssignment
        fields = ("position", "user", "started_at")

    def clean(self) -> dict:
        data = super().clean()
        position, user, start = data.get("position"), data.get("user"), data.get("started_at")
        if position and user and start:
            try:
                check_assignment(self.actor, position, user, start)
            except PermissionDenied as exc:
                raise ValidationError(str(exc)) from exc
        return data


@admin.register(PositionAssignment)
class PositionAssignmentAdmin(admin.ModelAdmin):
    """Assignments are added (`assign`) and ended (the action, `end_assignment`), both audited; never edited or
    deleted, so the history stays."""

    form = AssignmentForm
    list_display = ("position", "user", "started_at", "ended_at")
    list_filter = (("ended_at", admin.EmptyFieldListFilter),)
    search_fields = ("position__title", "user__username", "user__full_name")
    list_select_related = ("position", "user")
    autocomplete_fields = ("position", "user")
    actions = ["end_now"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # a class made for this request by modelform_factory
        return form

    def save_model(self, request, obj, form, change) -> None:
        made = assign(request.user, obj.position, obj.user, start=obj.started_at, note=form.cleaned_data["note"])
        obj.pk = made.pk

    @admin.action(description=_("End the selected assignments now"))
    def end_now(self, request, queryset) -> None:
        for assignment in queryset.select_related("position", "user"):
            try:
                end_assignment(request.user, assignment, note=str(_("Changed in the administration")))
            except PermissionDenied as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
                return
            except ValidationError as exc:
                self.message_user(request, f"{assignment}: {'; '.join(exc.messages)}", level=messages.ERROR)


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
