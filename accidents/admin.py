"""Read-only admin of the accidents app: records, lessons, self-checks and circulars change only through their
workflow modules (records.py, lessons.py, selfchecks.py, circulars.py), never by hand."""

from __future__ import annotations

from django.contrib import admin

from .models import Accident, Circular, Lesson, LessonTask


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Accident)
class AccidentAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "grade", "occurred_at", "investigation", "external")
    list_filter = ("kind", "grade", "investigation", "external")
    search_fields = ("title", "enterprise_name")


@admin.register(Lesson)
class LessonAdmin(ReadOnlyAdmin):
    list_display = ("title", "accident", "status", "deadline")
    list_filter = ("status",)


@admin.register(LessonTask)
class LessonTaskAdmin(ReadOnlyAdmin):
    list_display = ("lesson", "enterprise", "completed_at", "hazards_found")


@admin.register(Circular)
class CircularAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "title", "issued_at")
