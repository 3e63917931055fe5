from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from . import chains
from .models import EscalationChain, EscalationStep, Hazard, HazardCategory, HazardEvent


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


class StepFormSet(BaseInlineFormSet):
    """The steps as typed; checked as `chains.update_chain` checks them, and saved by it (not by the formset)."""

    FIELDS = ("offset_working_days", "targets", "must_answer", "label")

    def steps(self) -> list[dict]:
        return [
            {name: form.cleaned_data[name] for name in self.FIELDS}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        try:
            chains.check_steps(self.steps())
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class StepInline(admin.TabularInline):
    model = EscalationStep
    formset = StepFormSet
    extra = 0


@admin.register(EscalationChain)
class EscalationChainAdmin(admin.ModelAdmin):
    """The city office edits the rules here, as through the API: saved by `chains.update_chain` (checked, audited,
    one transaction); running escalations keep their snapshot. One chain per hazard level: none added or deleted."""

    list_display = ("name", "level", "updated_at")
    readonly_fields = ("level", "updated_at")
    inlines = [StepInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and chains.can_change_chains(request.user)

    def save_model(self, request, obj, form, change) -> None:
        """Nothing yet: the name is saved with the steps, in `save_related`."""

    def save_related(self, request, form, formsets, change) -> None:
        steps = next(f for f in formsets if isinstance(f, StepFormSet)).steps()
        chains.update_chain(request.user, form.instance, name=form.cleaned_data["name"], steps=steps)
        for formset in formsets:  # read by the admin's own change message; the audit record has the details
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
