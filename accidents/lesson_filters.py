"""Filters of the lessons' API: the lessons by status, a lesson's tasks by state, department and region (the
board's links: `states.state_q`, so a list's count is the board's)."""

from __future__ import annotations

import django_filters as filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Region
from safety_platform.lib.query import BooleanFilter, IntegerFilter

from . import lessons
from .choices import LessonStatus, TaskState
from .models import Lesson, LessonTask


class LessonFilterSet(filters.FilterSet):
    status = filters.ChoiceFilter(choices=LessonStatus.choices, label=_("status"))
    accident = IntegerFilter(field_name="accident", label=_("accident"))

    class Meta:
        model = Lesson
        fields = ["status", "accident"]


class LessonTaskFilterSet(filters.FilterSet):
    state = filters.ChoiceFilter(choices=TaskState.choices, method="in_state", label=_("state"))
    department = filters.CharFilter(method="of_department", max_length=12,
                                    label=_("supervising department (an id, or none)"))  # fmt: skip
    region = IntegerFilter(method="in_region", label=_("region (and its subtree)"))
    own = BooleanFilter(method="own_only", label=_("in the region itself, not below"))

    class Meta:
        model = LessonTask
        fields = ["state", "department", "region", "own"]

    def in_state(self, queryset, name, value):
        return lessons.tasks_in_state(queryset, value, timezone.now(), deadline="lesson__deadline")

    def of_department(self, queryset, name, value):
        if value == "none":
            return queryset.filter(department__isnull=True)
        if value.isascii() and value.isdigit():
            return queryset.filter(department_id=int(value))
        return queryset.none()

    def in_region(self, queryset, name, value):
        region = Region.objects.filter(pk=value).first()
        if region is None:
            return queryset.none()
        if self.form.cleaned_data.get("own"):
            return queryset.filter(region_path=region.path)
        return queryset.filter(region_path__startswith=region.path)

    def own_only(self, queryset, name, value):
        return queryset  # read with `region`
